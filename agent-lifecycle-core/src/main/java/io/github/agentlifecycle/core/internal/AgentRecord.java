package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.StopReason;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The agent part of a {@link RoomRecord}. Immutable (the restart times are never changed in place). Times are
 * {@code Clock.nanoTime()} readings.
 *
 * @param state what the agent is doing
 * @param generation number of the current (or last) launch in this room; 0 before the first; exits name it
 * @param identity the agent's identity, while it has been assigned one (not when {@code NONE} or {@code QUEUED})
 * @param pid the agent's process id, when it is a local process
 * @param holdsSlot whether the room holds one of the {@code maxTotalAgents} slots
 * @param startupDeadline when a launching or running agent that is not ready yet times out
 * @param backoffUntil when a crashed agent is launched again
 * @param stopDeadline when a stopping agent counts as overdue
 * @param heartbeatDeadline when a ready agent that sends heartbeats counts as hung unless another one arrives
 * @param stopReason why the agent is stopping, while it is
 * @param readySince since when the agent has been ready, while it is
 * @param lastBackoffNanos the last backoff delay, or 0 when the backoff starts from the beginning
 * @param restartTimes times of the restarts that may still count against the restart budget, oldest first
 * @param totalRestarts restarts since the room was created
 */
public record AgentRecord(
        AgentState state,
        int generation,
        @Nullable String identity,
        @Nullable Long pid,
        boolean holdsSlot,
        @Nullable Long startupDeadline,
        @Nullable Long backoffUntil,
        @Nullable Long stopDeadline,
        @Nullable Long heartbeatDeadline,
        @Nullable StopReason stopReason,
        @Nullable Long readySince,
        long lastBackoffNanos,
        long[] restartTimes,
        int totalRestarts) {

    Builder toBuilder() {
        return new Builder(this);
    }

    /** Times of the restarts that may still count against the restart budget, oldest first (a copy). */
    @Override
    public long[] restartTimes() {
        return restartTimes.clone();
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

        /** The record, keeping the identity, stop reason and ready time only in the states they belong to. */
        AgentRecord build() {
            return new AgentRecord(state, generation,
                    state == AgentState.NONE || state == AgentState.QUEUED ? null : identity, pid, holdsSlot,
                    startupDeadline, backoffUntil, stopDeadline, heartbeatDeadline,
                    state == AgentState.STOPPING ? stopReason : null, state == AgentState.READY ? readySince : null,
                    lastBackoffNanos, restartTimes, totalRestarts);
        }
    }
}
