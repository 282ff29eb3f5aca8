package io.github.agentlifecycle.core.spi;

import java.time.Duration;

/** What the engine offers its launcher. Thread-safe. */
public interface LauncherContext {

    /** The engine's clock. */
    Clock clock();

    /** The manager's agent stop timeout: how long an agent gets between SIGTERM and SIGKILL. */
    default Duration agentStopTimeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * The most agents the manager runs on this host at once: its {@code maxTotalAgents}, or with a shared store the
     * store's cap per replica when that is lower. A launcher that keeps agents ready ahead of need keeps no more
     * than this many processes in all, idle ones included (default: no limit).
     */
    default int maxHostedAgents() {
        return Integer.MAX_VALUE;
    }

    /**
     * Reports that the agent launched as {@code agentIdentity} in {@code roomName} is ready, for launchers that
     * learn it themselves (for example a remote agent seen joining the room under another identity). Counts as a
     * heartbeat; ignored unless that agent is the room's current one.
     */
    default void agentReady(String roomName, String agentIdentity) {}

    /** Publishes an event to the manager's listeners (for example {@link LifecycleEvent.OrphanReaped}). */
    void publish(LifecycleEvent event);
}
