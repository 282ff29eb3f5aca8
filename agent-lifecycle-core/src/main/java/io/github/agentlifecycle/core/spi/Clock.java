package io.github.agentlifecycle.core.spi;

import java.time.Instant;

/**
 * The engine's only source of time: every time read and every delay in the core goes through a clock, so tests
 * can drive time by hand.
 *
 * <p>Implementations must be thread-safe. {@link #nanoTime()} is monotonic and may overflow: compare two
 * readings as {@code a - b >= 0}, never {@code a >= b}.
 */
public interface Clock {

    /** The system clock: {@link System#nanoTime()}, {@link Instant#now()} and one shared daemon timer thread. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** A monotonic reading in nanoseconds, meaningful only relative to other readings of this clock. */
    long nanoTime();

    /** The wall-clock time, for reporting only (creation times in snapshots, log lines). */
    Instant instant();

    /**
     * Runs {@code task} once, no earlier than {@code delayNanos} after now. A task must be short: the engine's
     * tasks only enqueue work. A negative or zero delay means "as soon as possible".
     *
     * @return a handle that cancels the task if it has not run yet
     */
    Timer schedule(long delayNanos, Runnable task);

    /** A scheduled task that can be cancelled. */
    @FunctionalInterface
    interface Timer {
        /** Cancels the task if it has not run yet; does nothing otherwise. */
        void cancel();
    }
}
