package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The engine's periodic work (the sweep, the health check, and with shared state the lease renewal and the poll),
 * each on a clock timer that runs it on the engine's loop and then sets itself again, while the engine runs. A
 * shared store that fails is logged on the first failure and every doubling, and the work runs again next time.
 */
final class PeriodicWork {
    private static final System.Logger LOG = LoggingListener.LOG;

    private final Clock clock;
    private final SerialLoop loop;
    private final BooleanSupplier running;
    private final List<Repeating> tasks = new ArrayList<>();
    private long failures;

    PeriodicWork(Clock clock, SerialLoop loop, BooleanSupplier running) {
        this.clock = clock;
        this.loop = loop;
        this.running = running;
    }

    /** Runs {@code work} every {@code intervalNanos} from now on, on the loop, while the engine runs. */
    void every(long intervalNanos, Runnable work) {
        Repeating task = new Repeating(intervalNanos, work);
        tasks.add(task);
        task.schedule();
    }

    /** Runs {@code work} now, logging a shared store that fails instead of throwing. */
    void run(Runnable work) {
        try {
            work.run();
        } catch (SharedStoreUnavailableException e) {
            failures++;
            if (Long.bitCount(failures) == 1) {
                LOG.log(Level.WARNING, "shared store unavailable for maintenance: " + e.getMessage() + " ("
                        + failures + " times so far)");
            }
        }
    }

    /** Stops every timer. */
    void cancelAll() {
        for (Repeating task : tasks) {
            Clock.Timer timer = task.timer;
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    private final class Repeating {
        private final long intervalNanos;
        private final Runnable work;
        private Clock.@Nullable Timer timer;

        Repeating(long intervalNanos, Runnable work) {
            this.intervalNanos = intervalNanos;
            this.work = work;
        }

        void schedule() {
            timer = clock.schedule(intervalNanos, () -> loop.submit(() -> {
                if (running.getAsBoolean()) {
                    run(work);
                    schedule();
                }
            }));
        }
    }
}
