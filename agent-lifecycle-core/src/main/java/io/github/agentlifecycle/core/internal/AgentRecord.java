package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.StopReason;
import io.github.agentlifecycle.core.Require;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The agent part of a {@link RoomRecord}. Immutable; changed copies are made with {@link #toBuilder()}. Times
 * are {@link io.github.agentlifecycle.core.spi.Clock#nanoTime()} readings.
 */
public final class AgentRecord {
    /** No agent, never launched. */
    public static final AgentRecord NONE = new Builder().build();

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
        this.identity = b.identity;
        this.pid = b.pid;
        this.holdsSlot = b.holdsSlot;
        this.startupDeadline = b.startupDeadline;
        this.backoffUntil = b.backoffUntil;
        this.stopDeadline = b.stopDeadline;
        this.heartbeatDeadline = b.heartbeatDeadline;
        this.stopReason = b.stopReason;
        this.readySince = b.readySince;
        this.lastBackoffNanos = b.lastBackoffNanos;
        this.restartTimes = b.restartTimes;
        this.totalRestarts = b.totalRestarts;
    }

    /** A builder holding this record's values. */
    public Builder toBuilder() {
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

    /** Builds an {@link AgentRecord}. Not thread-safe. */
    public static final class Builder {
        private AgentState state = AgentState.NONE;
        private int generation;
        private @Nullable String identity;
        private @Nullable Long pid;
        private boolean holdsSlot;
        private @Nullable Long startupDeadline;
        private @Nullable Long backoffUntil;
        private @Nullable Long stopDeadline;
        private @Nullable Long heartbeatDeadline;
        private @Nullable StopReason stopReason;
        private @Nullable Long readySince;
        private long lastBackoffNanos;
        private long[] restartTimes = new long[0];
        private int totalRestarts;

        /** A builder for an agent that was never launched. */
        public Builder() {}

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

        /** Sets {@link AgentRecord#state()}. */
        public Builder state(AgentState value) {
            state = Require.nonNull(value, "state");
            return this;
        }

        /** Sets {@link AgentRecord#generation()}. */
        public Builder generation(int value) {
            generation = Require.atLeast(value, 0, "generation");
            return this;
        }

        /** Sets {@link AgentRecord#identity()}. */
        public Builder identity(@Nullable String value) {
            identity = value;
            return this;
        }

        /** Sets {@link AgentRecord#pid()}. */
        public Builder pid(@Nullable Long value) {
            pid = value;
            return this;
        }

        /** Sets {@link AgentRecord#holdsSlot()}. */
        public Builder holdsSlot(boolean value) {
            holdsSlot = value;
            return this;
        }

        /** Sets {@link AgentRecord#startupDeadline()}. */
        public Builder startupDeadline(@Nullable Long value) {
            startupDeadline = value;
            return this;
        }

        /** Sets {@link AgentRecord#backoffUntil()}. */
        public Builder backoffUntil(@Nullable Long value) {
            backoffUntil = value;
            return this;
        }

        /** Sets {@link AgentRecord#stopDeadline()}. */
        public Builder stopDeadline(@Nullable Long value) {
            stopDeadline = value;
            return this;
        }

        /** Sets {@link AgentRecord#heartbeatDeadline()}. */
        public Builder heartbeatDeadline(@Nullable Long value) {
            heartbeatDeadline = value;
            return this;
        }

        /** Sets {@link AgentRecord#stopReason()}. */
        public Builder stopReason(@Nullable StopReason value) {
            stopReason = value;
            return this;
        }

        /** Sets {@link AgentRecord#readySince()}. */
        public Builder readySince(@Nullable Long value) {
            readySince = value;
            return this;
        }

        /** Sets {@link AgentRecord#lastBackoffNanos()}. */
        public Builder lastBackoffNanos(long value) {
            lastBackoffNanos = value;
            return this;
        }

        /** Sets {@link AgentRecord#restartTimes()} (copied). */
        public Builder restartTimes(long[] value) {
            restartTimes = value.clone();
            return this;
        }

        /** Sets {@link AgentRecord#totalRestarts()}. */
        public Builder totalRestarts(int value) {
            totalRestarts = value;
            return this;
        }

        /** The startup deadline currently set. */
        public @Nullable Long startupDeadline() {
            return startupDeadline;
        }

        /** The backoff deadline currently set. */
        public @Nullable Long backoffUntil() {
            return backoffUntil;
        }

        /** The stop deadline currently set. */
        public @Nullable Long stopDeadline() {
            return stopDeadline;
        }

        /** The heartbeat deadline currently set. */
        public @Nullable Long heartbeatDeadline() {
            return heartbeatDeadline;
        }

        /** The last backoff delay currently set. */
        public long lastBackoffNanos() {
            return lastBackoffNanos;
        }

        /** The restart times currently set (a copy). */
        public long[] restartTimes() {
            return restartTimes.clone();
        }

        /** The restart total currently set. */
        public int totalRestarts() {
            return totalRestarts;
        }

        /** Clears every deadline and the stop reason. */
        public Builder clearDeadlines() {
            startupDeadline = null;
            backoffUntil = null;
            stopDeadline = null;
            heartbeatDeadline = null;
            stopReason = null;
            return this;
        }

        /** Builds the record. */
        public AgentRecord build() {
            return new AgentRecord(this);
        }
    }
}
