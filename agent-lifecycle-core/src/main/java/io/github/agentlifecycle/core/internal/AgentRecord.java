package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.StopReason;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The agent part of a {@link RoomRecord}. Immutable. Times are {@code Clock.nanoTime()} readings. The identity is
 * kept only while an agent was assigned one, the stop reason only while it stops, the ready time only while it is
 * ready.
 */
public final class AgentRecord {
    private final AgentState state;
    private final int generation;
    private final @Nullable String identity;
    private final @Nullable Long pid;
    private final boolean holdsSlot;
    private final @Nullable Long startupDeadline;
    private final @Nullable Long backoffUntil;
    private final @Nullable Long stopDeadline;
    private final @Nullable Long heartbeatDeadline;
    private final @Nullable StopReason stopReason;
    private final @Nullable Long readySince;
    private final long lastBackoffNanos;
    private final long[] restartTimes;
    private final int totalRestarts;

    private AgentRecord(Builder b) {
        this.state = b.state;
        this.generation = b.generation;
        this.identity = state == AgentState.NONE || state == AgentState.QUEUED ? null : b.identity;
        this.pid = b.pid;
        this.holdsSlot = b.holdsSlot;
        this.startupDeadline = b.startupDeadline;
        this.backoffUntil = b.backoffUntil;
        this.stopDeadline = b.stopDeadline;
        this.heartbeatDeadline = b.heartbeatDeadline;
        this.stopReason = state == AgentState.STOPPING ? b.stopReason : null;
        this.readySince = state == AgentState.READY ? b.readySince : null;
        this.lastBackoffNanos = b.lastBackoffNanos;
        this.restartTimes = b.restartTimes;
        this.totalRestarts = b.totalRestarts;
    }

    Builder toBuilder() {
        return new Builder(this);
    }

    /** What the agent is doing. */
    public AgentState state() {
        return state;
    }

    /** Number of the current (or last) launch in this room; 0 before the first. Exits name the generation. */
    public int generation() {
        return generation;
    }

    /** The agent's identity, once known. */
    public @Nullable String identity() {
        return identity;
    }

    /** The agent's process id, when it is a local process. */
    public @Nullable Long pid() {
        return pid;
    }

    /** Whether the room holds one of the {@code maxTotalAgents} slots. */
    public boolean holdsSlot() {
        return holdsSlot;
    }

    /** When a launching or running agent that is not ready yet times out. */
    public @Nullable Long startupDeadline() {
        return startupDeadline;
    }

    /** When a crashed agent is launched again. */
    public @Nullable Long backoffUntil() {
        return backoffUntil;
    }

    /** When a stopping agent counts as overdue. */
    public @Nullable Long stopDeadline() {
        return stopDeadline;
    }

    /** When a ready agent that sends heartbeats counts as hung unless another heartbeat arrives. */
    public @Nullable Long heartbeatDeadline() {
        return heartbeatDeadline;
    }

    /** Why the agent is stopping, while it is. */
    public @Nullable StopReason stopReason() {
        return stopReason;
    }

    /** Since when the agent has been ready, while it is. */
    public @Nullable Long readySince() {
        return readySince;
    }

    /** The last backoff delay, or 0 when the backoff starts from the beginning. */
    public long lastBackoffNanos() {
        return lastBackoffNanos;
    }

    /** Times of the restarts that may still count against the restart budget, oldest first. */
    public long[] restartTimes() {
        return restartTimes.clone();
    }

    /** Restarts since the room was created. */
    public int totalRestarts() {
        return totalRestarts;
    }

    @Override
    public String toString() {
        return "AgentRecord{state=" + state + ", generation=" + generation + ", identity=" + identity + ", pid="
                + pid + ", holdsSlot=" + holdsSlot + ", startupDeadline=" + startupDeadline + ", backoffUntil="
                + backoffUntil + ", stopDeadline=" + stopDeadline + ", heartbeatDeadline=" + heartbeatDeadline
                + ", stopReason=" + stopReason + ", restartTimes=" + Arrays.toString(restartTimes) + '}';
    }

    /** The mutable form of an agent record, changed field by field by one transition. Not thread-safe. */
    static final class Builder {
        AgentState state = AgentState.NONE;
        int generation;
        @Nullable String identity;
        @Nullable Long pid;
        boolean holdsSlot;
        @Nullable Long startupDeadline;
        @Nullable Long backoffUntil;
        @Nullable Long stopDeadline;
        @Nullable Long heartbeatDeadline;
        @Nullable StopReason stopReason;
        @Nullable Long readySince;
        long lastBackoffNanos;
        /** Never changed in place: replaced by a new array. */
        long[] restartTimes = new long[0];
        int totalRestarts;

        /** An agent that was never launched. */
        Builder() {}

        private Builder(AgentRecord r) {
            state = r.state;
            generation = r.generation;
            identity = r.identity;
            pid = r.pid;
            holdsSlot = r.holdsSlot;
            startupDeadline = r.startupDeadline;
            backoffUntil = r.backoffUntil;
            stopDeadline = r.stopDeadline;
            heartbeatDeadline = r.heartbeatDeadline;
            stopReason = r.stopReason;
            readySince = r.readySince;
            lastBackoffNanos = r.lastBackoffNanos;
            restartTimes = r.restartTimes;
            totalRestarts = r.totalRestarts;
        }

        /** Clears every deadline and the stop reason. */
        void clearDeadlines() {
            startupDeadline = null;
            backoffUntil = null;
            stopDeadline = null;
            heartbeatDeadline = null;
            stopReason = null;
        }

        AgentRecord build() {
            return new AgentRecord(this);
        }
    }
}
