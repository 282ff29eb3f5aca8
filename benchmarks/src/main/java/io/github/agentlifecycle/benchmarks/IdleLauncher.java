package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A launcher whose agents cost nothing: a launch completes at once, and the agent never exits by itself; it
 * exits (as requested, code 0) as soon as it is stopped. The launcher keeps no per-agent state: each handle holds
 * only the identity it was given and its exit future. Thread-safe.
 */
public final class IdleLauncher implements AgentLauncher {

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        return CompletableFuture.completedFuture(new IdleAgent(spec.agentIdentity()));
    }

    /** The handle of an agent that does nothing until it is stopped. */
    static final class IdleAgent implements AgentHandle {
        private final String identity;
        private final CompletableFuture<AgentExit> exit = new CompletableFuture<>();

        IdleAgent(String identity) {
            this.identity = identity;
        }

        @Override
        public String agentIdentity() {
            return identity;
        }

        @Override
        public CompletionStage<AgentExit> onExit() {
            return exit;
        }

        @Override
        public void stop(Duration timeout) {
            exit.complete(AgentExit.exited(0, true));
        }
    }
}
