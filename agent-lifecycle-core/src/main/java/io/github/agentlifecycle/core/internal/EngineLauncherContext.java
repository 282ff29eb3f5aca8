package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the engine hands its launcher at start: its clock, stop timeout and agent cap, and ways to report an agent ready and to
 * publish an event, both applied on the engine's loop. Immutable and thread-safe.
 */
record EngineLauncherContext(Clock clock, Duration agentStopTimeout, int maxHostedAgents, BiConsumer<String, String> ready,
        Consumer<LifecycleEvent> events) implements LauncherContext {

    @Override
    public void agentReady(String roomName, String agentIdentity) {
        ready.accept(roomName, agentIdentity);
    }

    @Override
    public void publish(LifecycleEvent event) {
        events.accept(event);
    }
}
