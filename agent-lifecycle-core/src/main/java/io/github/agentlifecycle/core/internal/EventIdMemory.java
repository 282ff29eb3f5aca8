package io.github.agentlifecycle.core.internal;

import java.util.Arrays;

/**
 * Event ids seen recently, each kept until a time of its own (for a webhook: until its signature expires, so that a
 * replay is recognised for as long as it could be accepted), to drop redelivered events. At most {@code capacity}
 * ids are kept: an id that finds the memory full of ids still within their time is refused, never let in by
 * forgetting one. Confined to the engine's thread.
 *
 * <p>The ids are kept in arrival order in a ring, whose oldest entries are dropped once their time has passed, with
 * an open-addressing hash index (linear probing, at most half full, deletion by shifting back) that answers whether
 * an id is known. An index slot holds an id's hash and its place in the ring, so looking up a new id reads only the
 * index. Nothing is allocated per id; the arrays grow on demand up to what {@code capacity} needs. Ids usually
 * arrive in the order of their times (every webhook is signed for the same lifetime); an id whose time has passed
 * behind one whose time has not stays, and still counts as known, until the older one leaves.
 */
public final class EventIdMemory {
    /** Ids there is room for before the arrays first grow. */
    private static final int INITIAL_IDS = 1024;

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
    /** Ids oldest first from {@link #oldest}, {@link #size} of them, wrapping around the end of the arrays. */
    private String[] ring;
    private int[] ringHashes;
    private long[] keptUntil;
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
        this.keptUntil = new long[initial];
        this.index = new long[Math.max(16, Integer.highestOneBit(initial) * 4)];
    }

    /**
     * Looks {@code id} up at {@code now} (a {@code nanoTime} reading), after dropping the oldest ids whose time has
     * passed; a new id is remembered until {@code keepUntil}, unless the memory is full.
     */
    public Sighting sight(String id, long now, long keepUntil) {
        forgetExpired(now);
        int hash = id.hashCode();
        int mask = index.length - 1;
        int slot = home(hash, mask);
        for (long entry; (entry = index[slot]) != 0; slot = (slot + 1) & mask) {
            if ((int) (entry >>> 32) == hash && ring[(int) entry - 1].equals(id)) {
                return Sighting.REPEAT;
            }
        }
        if (size == capacity) {
            return Sighting.FULL;
        }
        if (size == ring.length) {
            grow();
            mask = index.length - 1;
            slot = home(hash, mask);
            while (index[slot] != 0) {
                slot = (slot + 1) & mask;
            }
        }
        int place = (oldest + size) % ring.length;
        ring[place] = id;
        ringHashes[place] = hash;
        keptUntil[place] = keepUntil;
        index[slot] = entry(hash, place);
        size++;
        if (size * 2 > index.length) {
            rehash(index.length * 2);
        }
        return Sighting.FIRST;
    }

    /** How many ids are remembered. */
    public int size() {
        return size;
    }

    private void forgetExpired(long now) {
        while (size > 0 && keptUntil[oldest] - now <= 0) {
            delete(entry(ringHashes[oldest], oldest));
            ring[oldest] = null;
            oldest = oldest + 1 == ring.length ? 0 : oldest + 1;
            size--;
        }
    }

    /** Doubles the ring (up to the capacity), putting the ids in order from its start, and indexes them again. */
    private void grow() {
        int length = (int) Math.min(capacity, 2L * ring.length);
        String[] ids = new String[length];
        int[] hashes = new int[length];
        long[] until = new long[length];
        for (int i = 0; i < size; i++) {
            int from = (oldest + i) % ring.length;
            ids[i] = ring[from];
            hashes[i] = ringHashes[from];
            until[i] = keptUntil[from];
        }
        ring = ids;
        ringHashes = hashes;
        keptUntil = until;
        oldest = 0;
        Arrays.fill(index, 0);
        int mask = index.length - 1;
        for (int place = 0; place < size; place++) {
            int slot = home(hashes[place], mask);
            while (index[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            index[slot] = entry(hashes[place], place);
        }
    }

    /** Removes the slot holding {@code entry}. */
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
