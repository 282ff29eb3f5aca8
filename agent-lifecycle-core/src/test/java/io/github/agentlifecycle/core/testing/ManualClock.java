package io.github.agentlifecycle.core.testing;

import io.github.agentlifecycle.core.spi.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A clock that moves only when told to, for tests: {@link #advance(Duration)} moves time forward and runs every
 * timer that falls due, in due order, each with the clock reading its own due time while it runs.
 *
 * <p>Thread-safe. Timer tasks run on the thread that calls {@code advance}, outside any lock, so a task may
 * schedule further timers (those that fall due within the same advance run in the same call).
 */
public final class ManualClock implements Clock {
    private final Instant origin;
    private final long originNanos;
    private final PriorityQueue<Entry> timers = new PriorityQueue<>();
    private long now;
    private long sequence;

    /** A clock at wall time {@code 2026-01-01T00:00:00Z} and nano reading 0. */
    public ManualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"), 0);
    }

    /** A clock at the given wall time and nano reading (use a value near overflow to test wrap-around). */
    public ManualClock(Instant wallTime, long nanoTime) {
        this.origin = wallTime;
        this.originNanos = nanoTime;
        this.now = nanoTime;
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Instant instant() {
        return origin.plusNanos(now - originNanos);
    }

    @Override
    public synchronized Timer schedule(long delayNanos, Runnable task) {
        Entry entry = new Entry(now + Math.max(0, delayNanos), sequence++, task);
        timers.add(entry);
        return () -> {
            synchronized (ManualClock.this) {
                timers.remove(entry);
            }
        };
    }

    /** Moves time forward by {@code duration} and runs the timers that fall due. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must be >= 0");
        }
        advanceNanos(duration.toNanos());
    }

    /** Moves time forward by {@code nanos} and runs the timers that fall due. */
    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("nanos must be >= 0");
        }
        long target;
        synchronized (this) {
            target = now + nanos;
        }
        while (true) {
            Entry due;
            synchronized (this) {
                due = timers.peek();
                if (due == null || due.dueAt - target > 0) {
                    now = target;
                    return;
                }
                timers.poll();
                if (due.dueAt - now > 0) {
                    now = due.dueAt;
                }
            }
            due.task.run();
        }
    }

    /** Runs the timers that are already due without moving time. */
    public void runDueTimers() {
        advanceNanos(0);
    }

    /** How many timers are scheduled and not yet run or cancelled. */
    public synchronized int pendingTimers() {
        return timers.size();
    }

    /** The delays from now of the pending timers, soonest first. */
    public synchronized List<Duration> pendingDelays() {
        List<Entry> sorted = new ArrayList<>(timers);
        sorted.sort(null);
        List<Duration> delays = new ArrayList<>(sorted.size());
        for (Entry entry : sorted) {
            delays.add(Duration.ofNanos(entry.dueAt - now));
        }
        return delays;
    }

    private static final class Entry implements Comparable<Entry> {
        final long dueAt;
        final long sequence;
        final Runnable task;

        Entry(long dueAt, long sequence, Runnable task) {
            this.dueAt = dueAt;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public int compareTo(Entry other) {
            long diff = dueAt - other.dueAt;
            if (diff != 0) {
                return diff < 0 ? -1 : 1;
            }
            return Long.compare(sequence, other.sequence);
        }
    }
}
