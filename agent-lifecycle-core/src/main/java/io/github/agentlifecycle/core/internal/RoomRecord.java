package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.RoomState;
import org.jspecify.annotations.Nullable;

/**
 * Everything the engine knows about one room: what the {@link RoomStateMachine} reads and returns. Immutable;
 * a transition changes a {@link Builder} and builds the next record. Times are {@code Clock.nanoTime()} readings.
 *
 * <p>The {@linkplain #state() room state} is derived from the other fields, so it can never disagree with them.
 *
 * <p>A {@linkplain #closed() closed} record is what remains of a room after it closed: its departed sessions and
 * ended instances, kept until {@link #closedUntil()} so that late or replayed events do not bring the room back.
 * The engine shows closed rooms nowhere.
 *
 * @param name the room's name
 * @param instanceId the LiveKit room instance id (room sid), once known
 * @param endedInstances instances of the room known to have ended; events naming one of them are late
 * @param closedUntil until when a closed room is remembered; null while the room is open
 * @param createdAt when the engine started tracking the room
 * @param lastActivity when something last happened in the room
 * @param sessions participant sessions present, by session id
 * @param tombstones session ids that left, oldest first; a join naming one of them is dropped
 * @param hadHumans whether a human has been present since the room was created
 * @param agentWanted whether an agent was requested (by a token request) and is still wanted
 * @param closing whether the room is closing
 * @param closeReason why the room is closing, while it is
 * @param reopenRequested whether a token request arrived while closing: the room starts afresh once its agent exited
 * @param graceDeadline when the grace period ends, while it runs
 * @param joinDeadline when the room closes unless a human joins first, while nobody joined since a token request
 * @param agent the room's agent
 */
public record RoomRecord(
        String name,
        @Nullable String instanceId,
        EndedInstances endedInstances,
        @Nullable Long closedUntil,
        long createdAt,
        long lastActivity,
        SessionMap sessions,
        RecentSessions tombstones,
        boolean hadHumans,
        boolean agentWanted,
        boolean closing,
        @Nullable CloseReason closeReason,
        boolean reopenRequested,
        @Nullable Long graceDeadline,
        @Nullable Long joinDeadline,
        AgentRecord agent) {

    /** A builder for a new room called {@code name}, created at {@code now}. */
    static Builder builder(String name, long now) {
        return new Builder(name, now);
    }

    /** A builder holding this record's values. */
    Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether the room has closed, and only its remains are kept (see {@link #closedUntil()}). */
    public boolean closed() {
        return closedUntil != null;
    }

    /** Human sessions present. */
    public int humanCount() {
        return sessions.humans();
    }

    /** Sessions present, of any role. */
    public int participantCount() {
        return sessions.size();
    }

    /** The room state, derived from the other fields ({@link RoomState#CLOSING} for a closed room too). */
    public RoomState state() {
        if (closing || closed()) {
            return RoomState.CLOSING;
        }
        if (sessions.humans() > 0) {
            return RoomState.ACTIVE;
        }
        if (graceDeadline != null) {
            return RoomState.GRACE_PERIOD;
        }
        return agentWanted ? RoomState.STARTING : RoomState.EMPTY;
    }

    /** The earliest pending deadline of the room or its agent, or null when none is pending. */
    public @Nullable Long nextDeadline() {
        Long next = earliest(graceDeadline, joinDeadline);
        next = earliest(next, closedUntil);
        next = earliest(next, agent.startupDeadline());
        next = earliest(next, agent.backoffUntil());
        next = earliest(next, agent.stopDeadline());
        return earliest(next, agent.heartbeatDeadline());
    }

    private static @Nullable Long earliest(@Nullable Long a, @Nullable Long b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    @Override
    public String toString() {
        return "RoomRecord{name=" + name + ", state=" + state() + ", instanceId=" + instanceId + ", ended="
                + endedInstances + (closedUntil == null ? "" : ", closedUntil=" + closedUntil) + ", humans="
                + sessions.humans() + ", sessions=" + sessions.keySet() + ", tombstones=" + tombstones.size()
                + ", agentWanted=" + agentWanted + ", closeReason=" + closeReason + ", reopen=" + reopenRequested
                + ", graceDeadline=" + graceDeadline + ", joinDeadline=" + joinDeadline + ", agent=" + agent + '}';
    }

    /** The mutable form of a record, changed field by field by one transition. Not thread-safe. */
    static final class Builder {
        final String name;
        @Nullable String instanceId;
        EndedInstances endedInstances = EndedInstances.none();
        @Nullable Long closedUntil;
        long createdAt;
        long lastActivity;
        SessionMap sessions = SessionMap.empty();
        RecentSessions tombstones = RecentSessions.empty();
        boolean hadHumans;
        boolean agentWanted;
        boolean closing;
        @Nullable CloseReason closeReason;
        boolean reopenRequested;
        @Nullable Long graceDeadline;
        @Nullable Long joinDeadline;
        AgentRecord.Builder agent = new AgentRecord.Builder();

        private Builder(String name, long now) {
            this.name = Require.name(name, "name");
            this.createdAt = now;
            this.lastActivity = now;
        }

        private Builder(RoomRecord r) {
            name = r.name;
            instanceId = r.instanceId;
            endedInstances = r.endedInstances;
            closedUntil = r.closedUntil;
            createdAt = r.createdAt;
            lastActivity = r.lastActivity;
            sessions = r.sessions;
            tombstones = r.tombstones;
            hadHumans = r.hadHumans;
            agentWanted = r.agentWanted;
            closing = r.closing;
            closeReason = r.closeReason;
            reopenRequested = r.reopenRequested;
            graceDeadline = r.graceDeadline;
            joinDeadline = r.joinDeadline;
            agent = r.agent.toBuilder();
        }

        RoomRecord build() {
            return new RoomRecord(name, instanceId, endedInstances, closedUntil, createdAt, lastActivity, sessions,
                    tombstones, hadHumans, agentWanted, closing, closeReason, reopenRequested, graceDeadline,
                    joinDeadline, agent.build());
        }
    }
}
