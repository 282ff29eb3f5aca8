package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects lifecycle events from any thread: as a manager's listener, or as the context of a launcher started
 * without a manager (system clock, the given stop timeout).
 */
final class EventLog implements LifecycleListener, LauncherContext {
    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final Duration stopTimeout;

    EventLog(Duration stopTimeout) {
        this.stopTimeout = stopTimeout;
    }

    EventLog() {
        this(Duration.ofSeconds(10));
    }

    @Override
    public void onEvent(LifecycleEvent event) {
        events.add(event);
    }

    @Override
    public Clock clock() {
        return Clock.system();
    }

    @Override
    public Duration agentStopTimeout() {
        return stopTimeout;
    }

    @Override
    public void publish(LifecycleEvent event) {
        events.add(event);
    }

    List<LifecycleEvent> all() {
        return List.copyOf(events);
    }

    <T extends LifecycleEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
