package io.github.agentlifecycle.core.internal;

import java.util.Arrays;

/**
 * The most recent event ids, up to a fixed number, to drop redelivered events. Confined to the engine's thread.
 *
 * <p>The ids are kept in arrival order in a ring, which says which id to forget next, with an open-addressing hash
 * index (linear probing, at most half full, deletion by shifting back) that answers whether an id is known. An
 * index slot holds an id's hash and its place in the ring, so looking up a new id reads only the index, and
 * forgetting an id finds its slot without reading the string. Nothing is allocated per id; the arrays grow on
 * demand up to what {@code capacity} needs.
 */
public final class EventIdMemory {
    /** Ids there is room for before the arrays first grow. */
    private static final int INITIAL_IDS = 1024;

    private final int capacity;
    /** Ids oldest first from {@link #oldest}, wrapping around once the ring holds {@link #capacity} ids. */
    private String[] ring;
    private int[] ringHashes;
    private int oldest;
    private int size;
    /** Hash in the upper half, place in the ring + 1 in the lower; 0 for an empty slot. */
    private long[] index;

    /** A memory of up to {@code capacity} ids. */
    public EventIdMemory(int capacity) {
        this.capacity = capacity;
        int initial = Math.min(capacity, INITIAL_IDS);
        this.ring = new String[initial];
        this.ringHashes = new int[initial];
        this.index = new long[Math.max(16, Integer.highestOneBit(initial) * 4)];
    }

    /** Remembers {@code id}; returns false if it was remembered already. */
    public boolean firstSighting(String id) {
        int hash = id.hashCode();
        int mask = index.length - 1;
        int slot = home(hash, mask);
        for (long entry; (entry = index[slot]) != 0; slot = (slot + 1) & mask) {
            if ((int) (entry >>> 32) == hash && ring[(int) entry - 1].equals(id)) {
                return false;
            }
        }
        if (size == capacity) {
            int place = oldest;
            oldest = oldest + 1 == capacity ? 0 : oldest + 1;
            long forgotten = entry(ringHashes[place], place);
            ring[place] = id;
            ringHashes[place] = hash;
            index[slot] = entry(hash, place);
            delete(forgotten);
        } else {
            if (size == ring.length) {
                int length = (int) Math.min(capacity, 2L * ring.length);
                ring = Arrays.copyOf(ring, length);
                ringHashes = Arrays.copyOf(ringHashes, length);
            }
            ring[size] = id;
            ringHashes[size] = hash;
            index[slot] = entry(hash, size);
            size++;
            if (size * 2 > index.length) {
                rehash(index.length * 2);
            }
        }
        return true;
    }

    int size() {
        return size;
    }

    /**
     * Removes one slot holding {@code entry}. The id that replaced the forgotten one in the ring has the same entry
     * if their hashes are equal; then either slot may go, as the one left names the ring place of the newer id.
     */
    private void delete(long entry) {
        int mask = index.length - 1;
        int hole = home((int) (entry >>> 32), mask);
        while (index[hole] != entry) {
            hole = (hole + 1) & mask;
        }
        for (int slot = (hole + 1) & mask; index[slot] != 0; slot = (slot + 1) & mask) {
            int home = home((int) (index[slot] >>> 32), mask);
            if (((slot - home) & mask) >= ((slot - hole) & mask)) {
                index[hole] = index[slot];
                hole = slot;
            }
        }
        index[hole] = 0;
    }

    private void rehash(int length) {
        long[] old = index;
        index = new long[length];
        int mask = length - 1;
        for (long entry : old) {
            if (entry != 0) {
                int slot = home((int) (entry >>> 32), mask);
                while (index[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                index[slot] = entry;
            }
        }
    }

    private static long entry(int hash, int place) {
        return (long) hash << 32 | (place + 1);
    }

    private static int home(int hash, int mask) {
        return (hash ^ (hash >>> 16)) & mask;
    }
}
