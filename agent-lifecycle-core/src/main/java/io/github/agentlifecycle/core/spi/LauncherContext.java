package io.github.agentlifecycle.core.spi;

/** What the engine offers its launcher. Thread-safe. */
public interface LauncherContext {

    /** The engine's clock. */
    Clock clock();

    /** Publishes an event to the manager's listeners (for example {@link LifecycleEvent.OrphanReaped}). */
    void publish(LifecycleEvent event);
}
