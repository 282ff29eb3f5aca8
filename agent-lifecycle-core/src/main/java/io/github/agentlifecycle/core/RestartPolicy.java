package io.github.agentlifecycle.core;

import java.time.Duration;

/**
 * How crashed agents are restarted: exponential backoff between attempts, reset after a stable period, and a
 * budget of restarts per sliding window after which the agent is marked {@link AgentState#FAILED}.
 *
 * <p>Defaults: first delay 1 s, factor 2, maximum 30 s, reset after 60 s of stable running, at most 5 restarts
 * per 10 minutes. Immutable and thread-safe; built with {@link #builder()}, whose setters reject bad values at
 * once with a message naming the setting.
 */
public final class RestartPolicy {
    private static final RestartPolicy DEFAULTS = builder().build();

    private final Duration initialDelay;
    private final double factor;
    private final Duration maxDelay;
    private final Duration resetAfter;
    private final int maxRestarts;
    private final Duration window;

    private RestartPolicy(Builder builder) {
        this.initialDelay = builder.initialDelay;
        this.factor = builder.factor;
        this.maxDelay = builder.maxDelay;
        this.resetAfter = builder.resetAfter;
        this.maxRestarts = builder.maxRestarts;
        this.window = builder.window;
    }

    /** The default policy. */
    public static RestartPolicy defaults() {
        return DEFAULTS;
    }

    /** A builder preset with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Delay before the first restart after a stable period. */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** Multiplier applied to the previous delay for each further restart. */
    public double factor() {
        return factor;
    }

    /** Upper bound of the delay. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** How long an agent must have been ready for the next failure to start again at {@link #initialDelay()}. */
    public Duration resetAfter() {
        return resetAfter;
    }

    /** Restarts allowed within {@link #window()}; one more failure marks the agent failed. */
    public int maxRestarts() {
        return maxRestarts;
    }

    /** The sliding window over which restarts are counted. */
    public Duration window() {
        return window;
    }

    /**
     * The delay before the next restart, given the previous delay in nanoseconds ({@code 0} when there was
     * none or the backoff was reset).
     */
    public long nextDelayNanos(long previousDelayNanos) {
        long initial = Require.nanos(initialDelay);
        long max = Require.nanos(maxDelay);
        if (previousDelayNanos <= 0) {
            return Math.min(initial, max);
        }
        double next = previousDelayNanos * factor;
        return next >= max ? max : Math.max(initial, (long) next);
    }

    @Override
    public String toString() {
        return "RestartPolicy{initialDelay=" + initialDelay + ", factor=" + factor + ", maxDelay=" + maxDelay
                + ", resetAfter=" + resetAfter + ", maxRestarts=" + maxRestarts + ", window=" + window + '}';
    }

    /** Builds a {@link RestartPolicy}. Not thread-safe. */
    public static final class Builder {
        private Duration initialDelay = Duration.ofSeconds(1);
        private double factor = 2.0;
        private Duration maxDelay = Duration.ofSeconds(30);
        private Duration resetAfter = Duration.ofSeconds(60);
        private int maxRestarts = 5;
        private Duration window = Duration.ofMinutes(10);

        private Builder() {}

        /** Delay before the first restart; must be {@code >= 0}. */
        public Builder initialDelay(Duration initialDelay) {
            this.initialDelay = Require.nonNegative(initialDelay, "initialDelay");
            return this;
        }

        /** Growth factor of the delay; must be {@code >= 1}. */
        public Builder factor(double factor) {
            if (!(factor >= 1.0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("factor must be >= 1 and finite");
            }
            this.factor = factor;
            return this;
        }

        /** Upper bound of the delay; must be {@code >= 0}. */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = Require.nonNegative(maxDelay, "maxDelay");
            return this;
        }

        /** Stable running time after which the backoff starts again from the initial delay; {@code >= 0}. */
        public Builder resetAfter(Duration resetAfter) {
            this.resetAfter = Require.nonNegative(resetAfter, "resetAfter");
            return this;
        }

        /** Restarts allowed per window; {@code 0} disables restarts. */
        public Builder maxRestarts(int maxRestarts) {
            this.maxRestarts = Require.atLeast(maxRestarts, 0, "maxRestarts");
            return this;
        }

        /** The sliding window for {@link #maxRestarts(int)}; must be {@code > 0}. */
        public Builder window(Duration window) {
            this.window = Require.positive(window, "window");
            return this;
        }

        /**
         * Builds the policy.
         *
         * @throws IllegalArgumentException if {@code maxDelay < initialDelay}
         */
        public RestartPolicy build() {
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("maxDelay must be >= initialDelay");
            }
            return new RestartPolicy(this);
        }
    }
}
