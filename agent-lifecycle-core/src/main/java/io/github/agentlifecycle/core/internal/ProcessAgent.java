package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running agent process and everything it started ({@link AgentProcesses}). {@link #onExit()} completes only once
 * all of them are gone: when the root exits by itself, what it left behind gets SIGTERM and, after the stop timeout,
 * SIGKILL; when it exits after {@link #stop}, the others keep what is left of that stop's timeout. Once SIGKILL has
 * been sent, processes found later (started while the others were being killed) get SIGKILL too, every {@value
 * #WATCH_MILLIS} ms, until none is left. Once all are gone no signal is sent any more. Finding and signalling the
 * processes reads the host's process table or cgroup files, so it runs on the {@code work} executor, never on the
 * caller's thread: {@link #stop} only closes stdin and sends SIGTERM to the root before it returns. Thread-safe; no
 * method blocks.
 */
public final class ProcessAgent implements AgentHandle {
    /** How often the processes left are looked for, once the root has exited. */
    static final long WATCH_MILLIS = 20;

    private final Process process;
    private final AgentProcesses processes;
    private final String identity;
    private final Clock clock;
    private final Duration leftoverTimeout;
    private final Runnable onGone;
    private final Executor work;
    private final CompletableFuture<AgentExit> exit = new CompletableFuture<>();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean killed;
    private final List<Clock.Timer> kills = new ArrayList<>();

    /**
     * Watches {@code process}.
     *
     * @param processes the agent's processes, the root among them
     * @param leftoverTimeout how long processes left behind by a root that exited by itself get after SIGTERM
     * @param onGone run once every process is gone, before {@link #onExit()} completes
     * @param work finds and signals the processes; when it rejects a task, the task runs at once
     */
    public ProcessAgent(Process process, AgentProcesses processes, String identity, Clock clock,
            Duration leftoverTimeout, Runnable onGone, Executor work) {
        this.process = process;
        this.processes = processes;
        this.identity = identity;
        this.clock = clock;
        this.leftoverTimeout = leftoverTimeout;
        this.onGone = onGone;
        this.work = orInline(work);
        process.onExit().whenCompleteAsync((ended, error) -> rootExited(), this.work);
    }

    /** {@code executor}, except that a task it rejects (it has been shut down) runs on the caller's thread. */
    static Executor orInline(Executor executor) {
        return task -> {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException shutDown) {
                task.run();
            }
        };
    }

    @Override
    public String agentIdentity() {
        return identity;
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.of(process.pid());
    }

    @Override
    public CompletionStage<AgentExit> onExit() {
        return exit;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    /** SIGTERM to every process (and EOF on the agent's stdin); SIGKILL to whatever is left {@code timeout} later. */
    @Override
    public void stop(Duration timeout) {
        if (!stopRequested.compareAndSet(false, true)) {
            return;
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the agent may already be gone
        }
        if (process.isAlive()) {
            // the handle's destroy, not Process.destroy(), which would also close the pipes the output is read from
            ProcessTree.signal(List.of(process.toHandle()), false);
        }
        work.execute(() -> {
            if (!exit.isDone()) {
                processes.signal(false);
            }
        });
        killLater(timeout);
    }

    /** SIGKILL to whatever is left {@code delay} from now, unless everything is gone by then. */
    private void killLater(Duration delay) {
        Clock.Timer timer = clock.schedule(Require.nanos(delay), () -> work.execute(this::kill));
        synchronized (kills) {
            if (exit.isDone()) {
                timer.cancel();
            } else {
                kills.add(timer);
            }
        }
    }

    private void kill() {
        if (!exit.isDone()) {
            killed = true;
            processes.signal(true);
        }
    }

    private void rootExited() {
        if (!stopRequested.get() && !processes.isEmpty()) {
            processes.signal(false);
            killLater(leftoverTimeout);
        }
        watch();
    }

    /** Finishes once nothing is left; until then looks again every {@value #WATCH_MILLIS} ms. */
    private void watch() {
        if (exit.isDone()) {
            return;
        }
        if (processes.isEmpty()) {
            finish();
            return;
        }
        if (killed) {
            processes.signal(true);
        }
        clock.schedule(TimeUnit.MILLISECONDS.toNanos(WATCH_MILLIS), () -> work.execute(this::watch));
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        try {
            processes.release();
            onGone.run();
        } finally {
            exit.complete(exitOf(process.exitValue(), stopRequested.get()));
            synchronized (kills) {
                kills.forEach(Clock.Timer::cancel);
                kills.clear();
            }
        }
    }

    /** Java reports a process killed by signal N as exit value 128 + N. */
    static AgentExit exitOf(int value, boolean stopRequested) {
        if (value > 128 && value <= 128 + 64) {
            return AgentExit.signalled(value - 128, stopRequested);
        }
        return AgentExit.exited(value, stopRequested);
    }
}
