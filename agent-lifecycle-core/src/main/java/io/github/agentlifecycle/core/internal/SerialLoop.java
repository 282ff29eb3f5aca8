package io.github.agentlifecycle.core.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Runs submitted tasks one at a time, in submission order, on an executor. A task submitted while a task runs
 * (on any thread, including the running one) runs after it, never nested inside it. With a direct executor
 * ({@code Runnable::run}) every task runs to completion on the submitting thread, which makes the engine
 * deterministic in tests.
 */
final class SerialLoop {
    private static final System.Logger LOG = System.getLogger(SerialLoop.class.getName());

    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile @Nullable Thread drainingThread;
    private final Runnable drainTask = this::drain;
    /**
     * A task submitted while the loop was idle and nothing was queued: it runs first in the drain that its submitter
     * starts, without going through the queue. Written only by the thread that set {@link #draining}.
     */
    private @Nullable Runnable first;

    SerialLoop(Executor executor) {
        this.executor = executor;
    }

    void submit(Runnable task) {
        if (draining.compareAndSet(false, true)) {
            if (tasks.isEmpty()) {
                first = task;
            } else {
                tasks.add(task);
            }
            startDrain();
        } else {
            tasks.add(task);
            scheduleDrain();
        }
    }

    /** Whether the calling thread is the one running this loop's tasks right now. */
    boolean inLoop() {
        return drainingThread == Thread.currentThread();
    }

    /**
     * Hands a drain to the executor. An executor that rejects it (for example one shut down after the manager
     * closed) does not lose tasks: the calling thread drains them itself, still one at a time.
     */
    private void scheduleDrain() {
        if (draining.compareAndSet(false, true)) {
            startDrain();
        }
    }

    private void startDrain() {
        try {
            executor.execute(drainTask);
        } catch (RejectedExecutionException rejected) {
            LOG.log(Level.DEBUG, "engine executor rejected work; running it on the calling thread");
            drain();
        }
    }

    private void drain() {
        drainingThread = Thread.currentThread();
        try {
            Runnable task = first;
            first = null;
            if (task == null) {
                task = tasks.poll();
            }
            while (task != null) {
                try {
                    task.run();
                } catch (RuntimeException | Error bug) {
                    LOG.log(Level.ERROR, "engine task failed", bug);
                }
                task = tasks.poll();
            }
        } finally {
            drainingThread = null;
            draining.set(false);
        }
        if (!tasks.isEmpty()) {
            scheduleDrain();
        }
    }
}
