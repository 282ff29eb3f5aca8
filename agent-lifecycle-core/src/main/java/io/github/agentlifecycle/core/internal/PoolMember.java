package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import java.io.IOException;
import java.util.concurrent.CompletionStage;

/** One process of a {@link WarmPool}, as the pool uses it. Implementations are thread-safe and do not block long. */
public interface PoolMember {
    /**
     * Writes the room's assignment to the process.
     *
     * @throws IOException if it cannot be written (the process is gone)
     */
    void assign(AgentSpec spec) throws IOException;

    /** The handle of the process, now serving the room of {@code spec}. */
    AgentHandle handle(AgentSpec spec, boolean warm);

    /** Completes once the process and everything it started are gone. */
    CompletionStage<?> exited();

    /** Asks the process to stop; it is killed if it is still there after the stop timeout. Returns at once. */
    void retire();

    /** The process id, for logs. */
    long pid();

    /** What a process says on stdout. Thread-safe. */
    interface Answers {
        /** It has loaded and waits for its room. */
        void idle();

        /** It has taken the room it was assigned. */
        void assigned();
    }

    /** Starts the pool's processes. */
    @FunctionalInterface
    interface Starter {
        /**
         * Starts a process that waits for its room and reports what it says to {@code answers}.
         *
         * @throws IOException if it cannot be started
         */
        PoolMember start(Answers answers) throws IOException;
    }
}
