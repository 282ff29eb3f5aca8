package io.github.agentlifecycle.core.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Event ids seen recently, each kept until a time of its own (for a webhook: until its signature expires, so that a
 * replay is recognised for as long as it could be accepted), to drop redelivered events. At most {@code capacity}
 * ids are kept: an id that finds the memory full of ids still within their time is refused, never let in by
 * forgetting one. Confined to the engine's thread.
 *
 * <p>Ids are kept in arrival order; the oldest are dropped once their time has passed. Ids usually arrive in the
 * order of their times (every webhook is signed for the same lifetime); an id whose time has passed behind one
 * whose time has not stays, and still counts as known, until the older one leaves.
 */
public final class EventIdMemory {
    /** What {@link #sight} found. */
    public enum Sighting {
        /** The id is new; it is remembered now. */
        FIRST,
        /** The id is remembered already. */
        REPEAT,
        /** The id is new, but the memory is full of ids still within their time; it was not remembered. */
        FULL
    }

    private final int capacity;
    /** Until when each id is kept ({@code nanoTime} readings), oldest id first. */
    private final Map<String, Long> keptUntil = new LinkedHashMap<>();

    /** A memory of up to {@code capacity} ids. */
    public EventIdMemory(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Looks {@code id} up at {@code now} (a {@code nanoTime} reading), after dropping the oldest ids whose time has
     * passed; a new id is remembered until {@code keepUntil}, unless the memory is full.
     */
    public Sighting sight(String id, long now, long keepUntil) {
        forgetExpired(now);
        if (keptUntil.containsKey(id)) {
            return Sighting.REPEAT;
        }
        if (keptUntil.size() == capacity) {
            return Sighting.FULL;
        }
        keptUntil.put(id, keepUntil);
        return Sighting.FIRST;
    }

    /** How many ids are remembered. */
    public int size() {
        return keptUntil.size();
    }

    private void forgetExpired(long now) {
        Iterator<Long> oldestFirst = keptUntil.values().iterator();
        while (oldestFirst.hasNext() && oldestFirst.next() - now <= 0) {
            oldestFirst.remove();
        }
    }
}
