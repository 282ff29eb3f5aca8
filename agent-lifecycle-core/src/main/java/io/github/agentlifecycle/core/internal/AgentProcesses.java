package io.github.agentlifecycle.core.internal;

/**
 * The processes one agent is made of: its root process and everything it started, found and signalled together.
 * Thread-safe.
 */
public interface AgentProcesses {

    /** Whether none of them runs any more (a zombie does not run). */
    boolean isEmpty();

    /** SIGTERM, or SIGKILL when {@code kill}, to every one of them that runs now; never throws. */
    void signal(boolean kill);

    /** Frees what holds them together (a cgroup), once they are gone; never throws. */
    default void release() {}
}
