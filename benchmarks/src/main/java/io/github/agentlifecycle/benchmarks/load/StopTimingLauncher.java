package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.LauncherContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A diagnostic wrapper around a launcher: notes, per measured room, when the engine called its agent's {@code
 * stop} and when that call returned (it runs on the engine's thread), and when the handle reported the exit
 * (before the engine's loop takes it up). Everything else passes through unchanged.
 */
final class StopTimingLauncher implements AgentLauncher {
    private final AgentLauncher launcher;
    private final Map<String, Integer> index = new HashMap<>();
    final AtomicLongArray stopCalled;
    final AtomicLongArray stopReturned;
    final AtomicLongArray exitReported;

    StopTimingLauncher(AgentLauncher launcher, List<String> rooms) {
        this.launcher = launcher;
        for (int i = 0; i < rooms.size(); i++) {
            index.put(rooms.get(i), i);
        }
        this.stopCalled = new AtomicLongArray(rooms.size());
        this.stopReturned = new AtomicLongArray(rooms.size());
        this.exitReported = new AtomicLongArray(rooms.size());
    }

    @Override
    public void start(LauncherContext context) {
        launcher.start(context);
    }

    @Override
    public void close() {
        launcher.close();
    }

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        Integer i = index.get(spec.roomName());
        CompletionStage<AgentHandle> launched = launcher.launch(spec);
        return i == null ? launched : launched.thenApply(handle -> new Timed(handle, i));
    }

    private final class Timed implements AgentHandle {
        private final AgentHandle handle;
        private final int i;
        private final CompletionStage<AgentExit> exit;

        Timed(AgentHandle handle, int i) {
            this.handle = handle;
            this.i = i;
            this.exit = handle.onExit().whenComplete((status, error) -> exitReported.set(i, System.nanoTime()));
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
            return exit;
        }

        @Override
        public boolean isAlive() {
            return handle.isAlive();
        }

        @Override
        public void stop(Duration timeout) {
            stopCalled.compareAndSet(i, 0, System.nanoTime());
            handle.stop(timeout);
            stopReturned.compareAndSet(i, 0, System.nanoTime());
        }
    }
}
