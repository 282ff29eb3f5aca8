package io.github.agentlifecycle.core.spi;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * A launched agent. Implementations must be thread-safe; no method may block.
 */
public interface AgentHandle {

    /** The identity the agent joins the room with. */
    String agentIdentity();

    /** The operating-system process id, when the agent is a local process. */
    default OptionalLong pid() {
        return OptionalLong.empty();
    }

    /**
     * Whether the agent was started ahead of need and had finished starting when it was handed its room (a warm
     * start), rather than started for the room (default false).
     */
    default boolean prewarmed() {
        return false;
    }

    /**
     * Completes once the agent has ended, whatever the cause; never completes exceptionally. The engine counts
     * the agent against capacity until this completes.
     */
    CompletionStage<AgentExit> onExit();

    /**
     * Asks the agent to stop and returns at once. If it is still running {@code timeout} later it is killed (for a
     * process: SIGTERM, then SIGKILL of the whole process tree). {@link #onExit()} completes when it is gone.
     * Calling it again does no harm.
     */
    void stop(Duration timeout);

    /** Whether the agent still runs. Used by the periodic health check as a safety net. */
    default boolean isAlive() {
        return !onExit().toCompletableFuture().isDone();
    }
}
