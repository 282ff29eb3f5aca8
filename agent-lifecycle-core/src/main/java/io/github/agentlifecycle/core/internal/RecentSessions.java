package io.github.agentlifecycle.core.internal;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable set of session ids that remembers the most recent ones, oldest first. Adding returns a new set that
 * shares all but the newest few entries with this one, so a room with a long history costs little per change: the
 * entries live in chunks of {@value #CHUNK} that are never changed once full, and when the set grows past its
 * limit its oldest chunk is dropped whole. Thread-safe (immutable).
 */
public final class RecentSessions extends AbstractSet<String> {
    static final int CHUNK = 32;
    private static final RecentSessions EMPTY = new RecentSessions(new Chunk[0], 0);

    /** Chunks oldest first; every chunk but the last is full. */
    private final Chunk[] chunks;
    private final int size;

    private RecentSessions(Chunk[] chunks, int size) {
        this.chunks = chunks;
        this.size = size;
    }

    /** The empty set. */
    public static RecentSessions empty() {
        return EMPTY;
    }

    /** {@code sessions} as a {@link RecentSessions}, in their iteration order; no copy if it is one already. */
    public static RecentSessions of(Set<String> sessions) {
        if (sessions instanceof RecentSessions recent) {
            return recent;
        }
        RecentSessions result = EMPTY;
        for (String session : sessions) {
            result = result.plus(session, Integer.MAX_VALUE);
        }
        return result;
    }

    /**
     * This set with {@code session} added as the newest entry (this set itself if it is present); when that makes
     * it larger than {@code limit}, whole chunks of the oldest entries are left out until it is not.
     */
    public RecentSessions plus(String session, int limit) {
        if (contains(session)) {
            return this;
        }
        Chunk[] next;
        int last = chunks.length - 1;
        if (last >= 0 && chunks[last].size() < CHUNK) {
            next = chunks.clone();
            next[last] = chunks[last].plus(session);
        } else {
            next = Arrays.copyOf(chunks, chunks.length + 1);
            next[chunks.length] = Chunk.EMPTY.plus(session);
        }
        int nextSize = size + 1;
        int drop = 0;
        while (nextSize > limit && drop < next.length - 1) {
            nextSize -= next[drop].size();
            drop++;
        }
        return new RecentSessions(drop == 0 ? next : Arrays.copyOfRange(next, drop, next.length), nextSize);
    }

    @Override
    public boolean contains(Object candidate) {
        if (!(candidate instanceof String session)) {
            return false;
        }
        int hash = session.hashCode();
        for (int c = chunks.length - 1; c >= 0; c--) {
            if (chunks[c].contains(session, hash)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Iterator<String> iterator() {
        return new Iterator<>() {
            private int chunk;
            private int index;

            @Override
            public boolean hasNext() {
                return chunk < chunks.length && index < chunks[chunk].size();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String session = chunks[chunk].ids[index++];
                if (index == chunks[chunk].size()) {
                    chunk++;
                    index = 0;
                }
                return session;
            }
        };
    }

    /**
     * Up to {@value #CHUNK} ids with their hashes; a full chunk also gets a small open-addressing table, so looking
     * an id up in it takes one or two probes.
     */
    private static final class Chunk {
        static final Chunk EMPTY = new Chunk(new String[0], new int[0]);
        private static final int SLOTS = 2 * CHUNK;

        final String[] ids;
        private final int[] hashes;
        private final byte @Nullable [] table;

        private Chunk(String[] ids, int[] hashes) {
            this.ids = ids;
            this.hashes = hashes;
            this.table = ids.length == CHUNK ? index(hashes) : null;
        }

        int size() {
            return ids.length;
        }

        Chunk plus(String id) {
            String[] nextIds = Arrays.copyOf(ids, ids.length + 1);
            int[] nextHashes = Arrays.copyOf(hashes, hashes.length + 1);
            nextIds[ids.length] = id;
            nextHashes[ids.length] = id.hashCode();
            return new Chunk(nextIds, nextHashes);
        }

        boolean contains(String id, int hash) {
            if (table == null) {
                for (int i = 0; i < hashes.length; i++) {
                    if (hashes[i] == hash && ids[i].equals(id)) {
                        return true;
                    }
                }
                return false;
            }
            for (int slot = spread(hash); ; slot = (slot + 1) & (SLOTS - 1)) {
                int entry = table[slot];
                if (entry == 0) {
                    return false;
                }
                if (hashes[entry - 1] == hash && ids[entry - 1].equals(id)) {
                    return true;
                }
            }
        }

        private static byte[] index(int[] hashes) {
            byte[] table = new byte[SLOTS];
            for (int i = 0; i < hashes.length; i++) {
                int slot = spread(hashes[i]);
                while (table[slot] != 0) {
                    slot = (slot + 1) & (SLOTS - 1);
                }
                table[slot] = (byte) (i + 1);
            }
            return table;
        }

        private static int spread(int hash) {
            return (hash ^ (hash >>> 16) ^ (hash >>> 7)) & (SLOTS - 1);
        }
    }
}
