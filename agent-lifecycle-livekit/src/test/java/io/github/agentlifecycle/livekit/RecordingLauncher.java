package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A launcher for tests: agents start at once and exit when asked to stop; it remembers every spec it launched and
 * every stop. Shared with the HTTP adapter's tests through this module's test jar. Thread-safe.
 */
public final class RecordingLauncher implements AgentLauncher {
    private final List<AgentSpec> launched = new CopyOnWriteArrayList<>();
    private final List<String> stopped = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        launched.add(spec);
        CompletableFuture<AgentExit> exit = new CompletableFuture<>();
        return CompletableFuture.completedFuture(new AgentHandle() {
            @Override
            public String agentIdentity() {
                return spec.agentIdentity();
            }

            @Override
            public CompletionStage<AgentExit> onExit() {
                return exit;
            }

            @Override
            public void stop(Duration timeout) {
                if (!exit.isDone()) {
                    stopped.add(spec.agentIdentity());
                }
                exit.complete(AgentExit.exited(0, true));
            }
        });
    }

    /** Every spec launched so far, oldest first. */
    public List<AgentSpec> launched() {
        return List.copyOf(launched);
    }

    /** The latest spec launched for {@code roomName}. */
    public AgentSpec spec(String roomName) {
        List<AgentSpec> specs = launched();
        for (int i = specs.size() - 1; i >= 0; i--) {
            if (specs.get(i).roomName().equals(roomName)) {
                return specs.get(i);
            }
        }
        throw new AssertionError("no agent was launched for room " + roomName);
    }

    /** The identities of the agents asked to stop, in order. */
    public List<String> stopped() {
        return List.copyOf(stopped);
    }
}
