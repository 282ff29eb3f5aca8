package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.LauncherContext;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An experiment, not how the library works: a launcher wrapper whose handles, on {@code stop}, send SIGTERM to the
 * agent's root process at once (one system call, on the caller's thread) and carry out the wrapped handle's {@code
 * stop} (end of stdin, the walk of the process tree, SIGTERM to the rest of it, the kill timer) on threads of
 * their own. It shows what grace precision would be if stopping an agent did no more than that on the engine's
 * thread.
 */
final class OffLoopStopLauncher implements AgentLauncher {
    private final AgentLauncher launcher;
    private final ExecutorService stoppers;

    OffLoopStopLauncher(AgentLauncher launcher, int threads) {
        this.launcher = launcher;
        this.stoppers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "agent-stopper");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void start(LauncherContext context) {
        launcher.start(context);
    }

    /** Closes the wrapped launcher once the stops handed over so far have been carried out. */
    @Override
    public void close() {
        stoppers.shutdown();
        try {
            stoppers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        launcher.close();
    }

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        return launcher.launch(spec).thenApply(OffLoop::new);
    }

    private final class OffLoop implements AgentHandle {
        private final AgentHandle handle;

        OffLoop(AgentHandle handle) {
            this.handle = handle;
        }

        @Override
        public String agentIdentity() {
            return handle.agentIdentity();
        }

        @Override
        public OptionalLong pid() {
            return handle.pid();
        }

        @Override
        public CompletionStage<AgentExit> onExit() {
            return handle.onExit();
        }

        @Override
        public boolean isAlive() {
            return handle.isAlive();
        }

        @Override
        public void stop(Duration timeout) {
            handle.pid().ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
            try {
                stoppers.execute(() -> handle.stop(timeout));
            } catch (RuntimeException closed) {
                handle.stop(timeout);
            }
        }
    }
}
