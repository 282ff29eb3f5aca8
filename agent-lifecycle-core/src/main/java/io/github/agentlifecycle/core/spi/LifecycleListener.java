package io.github.agentlifecycle.core.spi;

/**
 * Hears what happens to rooms and agents, for logging, metrics and alerts.
 *
 * <p>Called on the engine's thread, after the change it reports is complete and outside any state transition,
 * in the order things happened. A listener must return quickly and must not wait for the manager (calling a
 * blocking {@code AgentManager} method from a listener throws {@link IllegalStateException}); hand slow work to
 * another thread. An exception thrown by a listener is logged and otherwise ignored.
 */
@FunctionalInterface
public interface LifecycleListener {

    /** Receives one event. */
    void onEvent(LifecycleEvent event);
}
