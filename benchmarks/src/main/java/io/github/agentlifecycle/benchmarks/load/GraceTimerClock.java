package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.core.spi.Clock;
import java.time.Instant;

/**
 * {@link Clock#system()} as it is, plus a note of each grace timer: when the engine arms a timer whose delay is
 * close to the grace period, this clock works out the deadline the engine armed it for (the engine computes the
 * delay as its deadline minus a reading of this clock just before, so deadline = that reading + delay, exactly)
 * and notes when the timer thread starts the task. The engine's listener then claims the note on the same thread
 * (see {@link #takeArmed()}). Time and timers themselves are the system clock's: same readings, same timer thread.
 */
final class GraceTimerClock implements Clock {
    /** A grace timer: the engine's deadline and, once fired, when the timer thread ran it. */
    static final class Mark {
        final long deadline;
        volatile long fired;

        Mark(long deadline) {
            this.deadline = deadline;
        }
    }

    private final Clock system = Clock.system();
    private final long graceNanos;
    private final long toleranceNanos;
    private final ThreadLocal<long[]> lastReading = ThreadLocal.withInitial(() -> new long[1]);
    private final ThreadLocal<Mark[]> lastArmed = ThreadLocal.withInitial(() -> new Mark[1]);

    /** Notes timers whose delay lies within {@code toleranceNanos} below {@code graceNanos}. */
    GraceTimerClock(long graceNanos, long toleranceNanos) {
        this.graceNanos = graceNanos;
        this.toleranceNanos = toleranceNanos;
    }

    @Override
    public long nanoTime() {
        long now = system.nanoTime();
        lastReading.get()[0] = now;
        return now;
    }

    @Override
    public Instant instant() {
        return system.instant();
    }

    @Override
    public Timer schedule(long delayNanos, Runnable task) {
        if (delayNanos > graceNanos || graceNanos - delayNanos > toleranceNanos) {
            return system.schedule(delayNanos, task);
        }
        Mark mark = new Mark(lastReading.get()[0] + delayNanos);
        lastArmed.get()[0] = mark;
        return system.schedule(delayNanos, () -> {
            mark.fired = System.nanoTime();
            task.run();
        });
    }

    /** The last grace timer armed on the calling thread since the previous call, or null. */
    Mark takeArmed() {
        Mark[] slot = lastArmed.get();
        Mark mark = slot[0];
        slot[0] = null;
        return mark;
    }
}
