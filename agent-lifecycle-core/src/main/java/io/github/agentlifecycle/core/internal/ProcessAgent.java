package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running agent process and everything it started. {@link #onExit()} completes only once the whole tree is
 * gone: when the root exits by itself, what it left behind gets SIGTERM and, after the stop timeout, SIGKILL; when
 * it exits after {@link #stop}, the rest of the tree keeps what is left of that stop's timeout. Once SIGKILL has
 * been sent, processes of the tree found later (started while the tree was being listed and signalled) get SIGKILL
 * at once. Once the tree is gone no signal is sent any more, so a pid reused by another process is never hit.
 * Listing the tree reads the host's process table, so it runs on the {@code work} executor, never on the caller's
 * thread: {@link #stop} only closes stdin and sends SIGTERM to the root before it returns. Thread-safe; no method
 * blocks.
 */
public final class ProcessAgent implements AgentHandle {
    private final Process process;
    private final String identity;
    private final Clock clock;
    private final Duration leftoverTimeout;
    private final Runnable onGone;
    private final Executor work;
    private final CompletableFuture<AgentExit> exit = new CompletableFuture<>();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private volatile boolean killed;
    private final Map<Long, ProcessHandle> known = new LinkedHashMap<>();
    private final List<Clock.Timer> kills = new ArrayList<>();

    /**
     * Watches {@code process}.
     *
     * @param leftoverTimeout how long processes left behind by a root that exited by itself get after SIGTERM
     * @param onGone run once the whole tree is gone, before {@link #onExit()} completes
     * @param work runs the listing and signalling of the tree; when it rejects a task, the task runs at once
     */
    public ProcessAgent(Process process, String identity, Clock clock, Duration leftoverTimeout, Runnable onGone,
            Executor work) {
        this.process = process;
        this.identity = identity;
        this.clock = clock;
        this.leftoverTimeout = leftoverTimeout;
        this.onGone = onGone;
        this.work = task -> {
            try {
                work.execute(task);
            } catch (RejectedExecutionException shutDown) {
                task.run();
            }
        };
        process.onExit().whenCompleteAsync((ended, error) -> rootExited(), this.work);
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

    /** SIGTERM to the tree (and EOF on the agent's stdin); SIGKILL to whatever is left {@code timeout} later. */
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
            ProcessTree.signal(List.of(process.toHandle()), false);
        }
        work.execute(() -> ProcessTree.signal(snapshot().stream()
                .filter(member -> member.pid() != process.pid()).collect(Collectors.toList()), false));
        killLater(timeout);
    }

    /** SIGKILL to whatever is left of the tree {@code delay} from now, unless the tree is gone by then. */
    private void killLater(Duration delay) {
        Clock.Timer timer = clock.schedule(Require.nanos(delay), () -> work.execute(this::kill));
        synchronized (known) {
            if (exit.isDone()) {
                timer.cancel();
            } else {
                kills.add(timer);
            }
        }
    }

    /** SIGKILL to the tree; from now on {@link #awaitGone} also kills the members it finds. */
    private void kill() {
        killed = true;
        ProcessTree.signal(snapshot(), true);
    }

    /** Live members now plus every member seen before (they may have been re-parented since); none once gone. */
    private List<ProcessHandle> snapshot() {
        synchronized (known) {
            if (exit.isDone()) {
                return List.of();
            }
            for (ProcessHandle member : ProcessTree.members(process.toHandle())) {
                known.putIfAbsent(member.pid(), member);
            }
            List<ProcessHandle> alive = new ArrayList<>();
            for (ProcessHandle member : known.values()) {
                if (ProcessTree.isRunning(member)) {
                    alive.add(member);
                }
            }
            return alive;
        }
    }

    private void rootExited() {
        List<ProcessHandle> leftovers = snapshot();
        if (!leftovers.isEmpty() && !stopRequested.get()) {
            ProcessTree.signal(leftovers, false);
            killLater(leftoverTimeout);
        }
        awaitGone(leftovers);
    }

    /**
     * Finishes once none of {@code members}, nor anything of the tree started meanwhile, runs any more. After the
     * SIGKILL round, members are killed first: one started just as the round listed the tree missed it.
     */
    private void awaitGone(List<ProcessHandle> members) {
        if (members.isEmpty()) {
            finish();
            return;
        }
        if (killed) {
            ProcessTree.signal(members, true);
        }
        CompletableFuture<?>[] gone = members.stream().map(member -> ProcessTree.onExit(member, clock)).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(gone).whenCompleteAsync((done, error) -> awaitGone(snapshot()), work);
    }

    private void finish() {
        if (exit.isDone()) {
            return;
        }
        try {
            onGone.run();
        } finally {
            exit.complete(exitOf(process.exitValue(), stopRequested.get()));
            synchronized (known) {
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
