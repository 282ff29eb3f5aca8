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

    /** Publishes an event to the manager's listeners (for example {@link LifecycleEvent.OrphanReaped}). */
    void publish(LifecycleEvent event);
}
