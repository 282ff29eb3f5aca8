package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.spi.Clock;
import java.time.Instant;

/**
 * The system clock, moved forward by hand on top of the time that passes: {@link #skip(long)} makes every reading
 * that much later at once. Timers run on the system clock's timer thread after their real delay. Thread-safe.
 */
final class SteppedClock implements Clock {
    private volatile long skipped;

    /** Moves the clock forward by {@code nanos}. */
    void skip(long nanos) {
        skipped += nanos;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime() + skipped;
    }

    @Override
    public Instant instant() {
        return Instant.now().plusNanos(skipped);
    }

    @Override
    public Timer schedule(long delayNanos, Runnable task) {
        return Clock.system().schedule(delayNanos, task);
    }
}
