package io.github.agentlifecycle.core.internal;

import java.util.Arrays;

/**
 * The most recent event ids, up to a fixed number, to drop redelivered events. Confined to the engine's thread.
 *
 * <p>The ids are kept twice: in arrival order in a ring, which says which id to forget next, and in an
 * open-addressing hash table (linear probing, at most half full, deletion by shifting back), which answers
 * whether an id is known. Neither allocates per id; both grow on demand up to what {@code capacity} needs.
 */
final class EventIdMemory {
    /** Ids there is room for before the arrays first grow. */
    private static final int INITIAL_IDS = 1024;

    private final int capacity;
    /** Ids oldest first from {@link #oldest}, wrapping around once the ring holds {@link #capacity} ids. */
    private String[] ring;
    private int oldest;
    private int size;
    private String[] table;
    private int[] hashes;

    EventIdMemory(int capacity) {
        this.capacity = capacity;
        int initial = Math.min(capacity, INITIAL_IDS);
        this.ring = new String[initial];
        this.table = new String[Math.max(16, Integer.highestOneBit(initial) * 4)];
        this.hashes = new int[table.length];
    }

    /** Remembers {@code id}; returns false if it was remembered already. */
    boolean firstSighting(String id) {
        int hash = id.hashCode();
        int mask = table.length - 1;
        int slot = home(hash, mask);
        for (String held; (held = table[slot]) != null; slot = (slot + 1) & mask) {
            if (hashes[slot] == hash && held.equals(id)) {
                return false;
            }
        }
        table[slot] = id;
        hashes[slot] = hash;
        if (size == capacity) {
            String forgotten = ring[oldest];
            ring[oldest] = id;
            oldest = oldest + 1 == capacity ? 0 : oldest + 1;
            delete(forgotten);
        } else {
            if (size == ring.length) {
                ring = Arrays.copyOf(ring, (int) Math.min(capacity, 2L * ring.length));
            }
            ring[size++] = id;
            if (size * 2 > table.length) {
                rehash(table.length * 2);
            }
        }
        return true;
    }

    int size() {
        return size;
    }

    private void delete(String id) {
        int hash = id.hashCode();
        int mask = table.length - 1;
        int hole = home(hash, mask);
        while (hashes[hole] != hash || !id.equals(table[hole])) {
            hole = (hole + 1) & mask;
        }
        for (int slot = (hole + 1) & mask; table[slot] != null; slot = (slot + 1) & mask) {
            int home = home(hashes[slot], mask);
            if (((slot - home) & mask) >= ((slot - hole) & mask)) {
                table[hole] = table[slot];
                hashes[hole] = hashes[slot];
                hole = slot;
            }
        }
        table[hole] = null;
    }

    private void rehash(int length) {
        String[] oldTable = table;
        int[] oldHashes = hashes;
        table = new String[length];
        hashes = new int[length];
        int mask = length - 1;
        for (int i = 0; i < oldTable.length; i++) {
            if (oldTable[i] != null) {
                int slot = home(oldHashes[i], mask);
                while (table[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = oldTable[i];
                hashes[slot] = oldHashes[i];
            }
        }
    }

    private static int home(int hash, int mask) {
        return (hash ^ (hash >>> 16)) & mask;
    }
}
