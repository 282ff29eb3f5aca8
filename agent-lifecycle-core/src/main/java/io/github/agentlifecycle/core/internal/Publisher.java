package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the lifecycle events of one engine command and hands them to the listeners once the command's
 * transitions are done, counting them on the way. A listener that throws is logged and skipped. Events are added
 * on the engine's thread only; listeners may be added and removed from any thread.
 */
final class Publisher {
    private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();
    private final List<LifecycleEvent> pending = new ArrayList<>();
    final Counters counters = new Counters();

    Publisher(List<LifecycleListener> listeners) {
        this.listeners.add(new LoggingListener());
        this.listeners.addAll(listeners);
    }

    /** Adds a listener; returns a handle that removes it. */
    Runnable addListener(LifecycleListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void add(LifecycleEvent event) {
        pending.add(event);
    }

    /** Tells the listeners about every pending event, in order. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        try {
            for (int i = 0; i < pending.size(); i++) {
                LifecycleEvent event = pending.get(i);
                counters.count(event);
                for (LifecycleListener listener : listeners) {
                    try {
                        listener.onEvent(event);
                    } catch (RuntimeException e) {
                        LoggingListener.LOG.log(Level.WARNING, "Room " + event.roomName() + ": listener "
                                + listener.getClass().getName() + " failed on " + event.getClass().getSimpleName(), e);
                    }
                }
            }
        } finally {
            pending.clear();
        }
    }
}
