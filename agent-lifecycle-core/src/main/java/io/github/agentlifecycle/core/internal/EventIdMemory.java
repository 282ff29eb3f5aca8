package io.github.agentlifecycle.core.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** The most recent event ids, up to a fixed number, to drop redelivered events. Confined to the engine's thread. */
final class EventIdMemory {
    private final LinkedHashMap<String, Boolean> ids;

    EventIdMemory(int capacity) {
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers {@code id}; returns false if it was remembered already. */
    boolean firstSighting(String id) {
        return ids.putIfAbsent(id, Boolean.TRUE) == null;
    }

    int size() {
        return ids.size();
    }
}
