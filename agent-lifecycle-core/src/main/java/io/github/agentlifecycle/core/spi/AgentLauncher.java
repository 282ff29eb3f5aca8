package io.github.agentlifecycle.core.spi;

import java.util.concurrent.CompletionStage;

/**
 * Starts agents: local processes, remote dispatches, or anything else that can join a LiveKit room.
 *
 * <p>The engine never launches two agents for one room at a time and never calls {@link #launch} for more than
 * {@code maxTotalAgents} agents whose handles have not reported an exit. Implementations must be thread-safe and
 * must not block the caller: slow work runs on the launcher's own threads.
 */
public interface AgentLauncher {

    /**
     * Starts an agent. Returns at once; the stage completes with a handle once the agent has been started, or
     * exceptionally if it could not be started (the exception's message is reported, so it should say why, for
     * example the operating system's error for a missing binary). The engine applies its restart policy to
     * failed launches.
     */
    CompletionStage<AgentHandle> launch(AgentSpec spec);

    /**
     * Called once by {@link io.github.agentlifecycle.core.AgentManager#start()} before any launch, for example to
     * reap agents left behind by an earlier host that crashed. May block while it does so.
     */
    default void start(LauncherContext context) {}

    /**
     * Whether the agents this launcher starts live on this host (local processes: true, the default) rather than
     * elsewhere (a remote dispatch: false). With shared state, a replica that dies takes its host-bound agents with
     * it, so their rooms get new ones; agents that are not host-bound outlive it and are adopted by another replica.
     * Closing a manager stops host-bound agents but leaves the others running for the next start to adopt.
     *
     * <p>A launcher whose agents are not host-bound must adopt rather than duplicate: a launch for a room where one of
     * its agents already runs attaches to that agent (the engine launches again to adopt an agent it has no handle
     * for, after a restart or a replica's death).
     */
    default boolean hostBound() {
        return true;
    }

    /**
     * Called when the manager takes no new room any more: when a drain begins, and when it begins to close. Launches
     * may still follow for rooms under way (a crashed agent's restart). A launcher releases what it keeps ready for
     * new rooms, such as idle agents started ahead of need. Must not block.
     */
    default void drain() {}

    /**
     * Agents this launcher has started ahead of need and that wait for a room (0 for launchers that start agents
     * only when asked, the default). Thread-safe; must not block.
     */
    default int idleAgents() {
        return 0;
    }

    /** Called once when the manager has closed; releases the launcher's threads. */
    default void close() {}
}
