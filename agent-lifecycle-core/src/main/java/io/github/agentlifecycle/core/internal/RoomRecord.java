package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.Require;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything the engine knows about one room: the state a {@link RoomStateMachine} reads and returns.
 * Immutable; changed copies are made with {@link #toBuilder()}. Times are {@link io.github.agentlifecycle.core.spi.Clock#nanoTime()} readings.
 *
 * <p>The {@linkplain #state() room state} is derived from the other fields, so it can never disagree with them.
 *
 * <p>A {@linkplain #closed() closed} record is what remains of a room after it closed: its departed sessions and
 * ended instances, kept until {@link #closedUntil()} so that late or replayed events do not bring the room back.
 * The engine shows closed rooms nowhere.
 */
public final class RoomRecord {
    private final String name;
    private final @Nullable String instanceId;
    private final EndedInstances endedInstances;
    private final @Nullable Long closedUntil;
    private final long createdAt;
    private final long lastActivity;
    private final SessionMap sessions;
    private final Set<String> tombstones;
    private final boolean hadHumans;
    private final boolean agentWanted;
    private final boolean closing;
    private final @Nullable CloseReason closeReason;
    private final boolean reopenRequested;
    private final @Nullable Long graceDeadline;
    private final @Nullable Long joinDeadline;
    private final AgentRecord agent;

    private RoomRecord(Builder b) {
        this.name = b.name;
        this.instanceId = b.instanceId;
        this.endedInstances = b.endedInstances;
        this.closedUntil = b.closedUntil;
        this.createdAt = b.createdAt;
        this.lastActivity = b.lastActivity;
        this.sessions = b.sessions;
        this.tombstones = b.tombstones;
        this.hadHumans = b.hadHumans;
        this.agentWanted = b.agentWanted;
        this.closing = b.closing;
        this.closeReason = b.closeReason;
        this.reopenRequested = b.reopenRequested;
        this.graceDeadline = b.graceDeadline;
        this.joinDeadline = b.joinDeadline;
        this.agent = b.agent;
    }

    /** A builder for a new room called {@code name}, created at {@code now}. */
    public static Builder builder(String name, long now) {
        return new Builder(name, now);
    }

    /** A builder holding this record's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The room's name. */
    public String name() {
        return name;
    }

    /** The LiveKit room instance id (room sid), once known. */
    public @Nullable String instanceId() {
        return instanceId;
    }

    /** Instances of the room known to have ended; events naming one of them are late. */
    public EndedInstances endedInstances() {
        return endedInstances;
    }

    /** Until when a closed room is remembered; null while the room is open. */
    public @Nullable Long closedUntil() {
        return closedUntil;
    }

    /** Whether the room has closed, and only its remains are kept (see {@link #closedUntil()}). */
    public boolean closed() {
        return closedUntil != null;
    }

    /** When the engine started tracking the room. */
    public long createdAt() {
        return createdAt;
    }

    /** When something last happened in the room. */
    public long lastActivity() {
        return lastActivity;
    }

    /** Participant sessions present, by session id. Unmodifiable. */
    public Map<String, Participant> sessions() {
        return sessions;
    }

    /** Session ids that left; a join naming one of them is dropped. Unmodifiable, oldest first. */
    public Set<String> tombstones() {
        return tombstones;
    }

    /** Human sessions present. */
    public int humanCount() {
        return sessions.humans();
    }

    /** Sessions present, of any role. */
    public int participantCount() {
        return sessions.size();
    }

    /** Whether a human has been present since the room was created. */
    public boolean hadHumans() {
        return hadHumans;
    }

    /** Whether an agent was requested (by a token request) and is still wanted. */
    public boolean agentWanted() {
        return agentWanted;
    }

    /** Whether the room is closing. */
    public boolean closing() {
        return closing;
    }

    /** Why the room is closing, while it is. */
    public @Nullable CloseReason closeReason() {
        return closeReason;
    }

    /** Whether a token request arrived while closing: the room starts afresh once its agent has exited. */
    public boolean reopenRequested() {
        return reopenRequested;
    }

    /** When the grace period ends, while it runs. */
    public @Nullable Long graceDeadline() {
        return graceDeadline;
    }

    /** When the room closes unless a human joins first, while nobody has joined since a token request. */
    public @Nullable Long joinDeadline() {
        return joinDeadline;
    }

    /** The room's agent. */
    public AgentRecord agent() {
        return agent;
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

    /** Builds a {@link RoomRecord}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private @Nullable String instanceId;
        private EndedInstances endedInstances = EndedInstances.none();
        private @Nullable Long closedUntil;
        private long createdAt;
        private long lastActivity;
        private SessionMap sessions = SessionMap.empty();
        private Set<String> tombstones = RecentSessions.empty();
        private boolean hadHumans;
        private boolean agentWanted;
        private boolean closing;
        private @Nullable CloseReason closeReason;
        private boolean reopenRequested;
        private @Nullable Long graceDeadline;
        private @Nullable Long joinDeadline;
        private AgentRecord agent = AgentRecord.NONE;

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
            agent = r.agent;
        }

        /** Sets {@link RoomRecord#instanceId()}. */
        public Builder instanceId(@Nullable String value) {
            instanceId = value;
            return this;
        }

        /** Sets {@link RoomRecord#endedInstances()}. */
        public Builder endedInstances(EndedInstances value) {
            endedInstances = Require.nonNull(value, "endedInstances");
            return this;
        }

        /** Sets {@link RoomRecord#closedUntil()}. */
        public Builder closedUntil(@Nullable Long value) {
            closedUntil = value;
            return this;
        }

        /** Sets {@link RoomRecord#createdAt()}. */
        public Builder createdAt(long value) {
            createdAt = value;
            return this;
        }

        /** Sets {@link RoomRecord#lastActivity()}. */
        public Builder lastActivity(long value) {
            lastActivity = value;
            return this;
        }

        /** Sets {@link RoomRecord#sessions()} (copied, unless it is another record's). */
        public Builder sessions(Map<String, Participant> value) {
            sessions = SessionMap.of(value);
            return this;
        }

        /**
         * Sets {@link RoomRecord#tombstones()} (copied, unless it is another record's), oldest first. A record keeps
         * what it is given; the standard state machine keeps about the 1024 most recent.
         */
        public Builder tombstones(Set<String> value) {
            tombstones = RecentSessions.of(value);
            return this;
        }

        /** Sets {@link RoomRecord#hadHumans()}. */
        public Builder hadHumans(boolean value) {
            hadHumans = value;
            return this;
        }

        /** Sets {@link RoomRecord#agentWanted()}. */
        public Builder agentWanted(boolean value) {
            agentWanted = value;
            return this;
        }

        /** Sets {@link RoomRecord#closing()}. */
        public Builder closing(boolean value) {
            closing = value;
            return this;
        }

        /** Sets {@link RoomRecord#closeReason()}. */
        public Builder closeReason(@Nullable CloseReason value) {
            closeReason = value;
            return this;
        }

        /** Sets {@link RoomRecord#reopenRequested()}. */
        public Builder reopenRequested(boolean value) {
            reopenRequested = value;
            return this;
        }

        /** Sets {@link RoomRecord#graceDeadline()}. */
        public Builder graceDeadline(@Nullable Long value) {
            graceDeadline = value;
            return this;
        }

        /** Sets {@link RoomRecord#joinDeadline()}. */
        public Builder joinDeadline(@Nullable Long value) {
            joinDeadline = value;
            return this;
        }

        /** Sets {@link RoomRecord#agent()}. */
        public Builder agent(AgentRecord value) {
            agent = Require.nonNull(value, "agent");
            return this;
        }

        /** The agent currently set. */
        public AgentRecord agent() {
            return agent;
        }

        /** Builds the record. */
        public RoomRecord build() {
            return new RoomRecord(this);
        }
    }
}
