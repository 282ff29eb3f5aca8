package io.github.agentlifecycle.core.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code maxTotalAgents} slots: which rooms hold one, and which wait for one in FIFO order. A room holds its
 * slot from the grant until it releases it (after its agent has exited), so agents that are stopping still
 * count. Confined to the engine's thread.
 */
final class CapacityPool {
    private final int capacity;
    private final Set<String> holders = new LinkedHashSet<>();
    private final LinkedHashSet<String> waiting = new LinkedHashSet<>();

    CapacityPool(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Asks for a slot for {@code room}.
     *
     * @return 0 if granted now (or already held), else the room's position in the queue (1 = next)
     */
    int request(String room) {
        if (holders.contains(room)) {
            return 0;
        }
        if (!waiting.contains(room)) {
            if (waiting.isEmpty() && holders.size() < capacity) {
                holders.add(room);
                return 0;
            }
            waiting.add(room);
        }
        return positionOf(room);
    }

    /**
     * Gives back the slot of {@code room} or withdraws its place in the queue.
     *
     * @return the rooms granted a slot as a result, in queue order
     */
    List<String> release(String room) {
        boolean freed = holders.remove(room);
        waiting.remove(room);
        if (!freed) {
            return List.of();
        }
        List<String> granted = new ArrayList<>(1);
        Iterator<String> next = waiting.iterator();
        while (holders.size() < capacity && next.hasNext()) {
            String room2 = next.next();
            next.remove();
            holders.add(room2);
            granted.add(room2);
        }
        return granted;
    }

    boolean holds(String room) {
        return holders.contains(room);
    }

    boolean isWaiting(String room) {
        return waiting.contains(room);
    }

    int held() {
        return holders.size();
    }

    int waitingCount() {
        return waiting.size();
    }

    List<String> holders() {
        return new ArrayList<>(holders);
    }

    List<String> waiters() {
        return new ArrayList<>(waiting);
    }

    private int positionOf(String room) {
        int position = 1;
        for (String waiter : waiting) {
            if (waiter.equals(room)) {
                return position;
            }
            position++;
        }
        return position;
    }
}
