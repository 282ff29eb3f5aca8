package io.github.agentlifecycle.core.internal;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable set of session ids that remembers the most recent ones, oldest first. Adding returns a new set that
 * shares almost everything with this one, so a room with a long history costs little per change: the entries live
 * in chunks of {@value #CHUNK} that are never changed once full, the full chunks share one hash index that is
 * rebuilt only when a chunk fills up or is dropped, and when the set grows past its limit its oldest chunk is
 * dropped whole. Thread-safe (immutable).
 */
public final class RecentSessions extends AbstractSet<String> {
    static final int CHUNK = 32;
    private static final RecentSessions EMPTY = new RecentSessions(new Chunk[0], 0, null);

    /** Chunks oldest first; every chunk but the last is full. */
    private final Chunk[] chunks;
    private final int size;
    /** Open-addressing index of the entries of the full chunks: position + 1, or 0 for an empty slot. */
    private final int @Nullable [] index;

    private RecentSessions(Chunk[] chunks, int size, int @Nullable [] index) {
        this.chunks = chunks;
        this.size = size;
        this.index = index;
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
        if (drop > 0) {
            next = Arrays.copyOfRange(next, drop, next.length);
        }
        boolean filled = next[next.length - 1].size() == CHUNK;
        return new RecentSessions(next, nextSize, drop > 0 || filled ? index(next) : index);
    }

    @Override
    public boolean contains(Object candidate) {
        if (!(candidate instanceof String session) || size == 0) {
            return false;
        }
        int hash = session.hashCode();
        Chunk newest = chunks[chunks.length - 1];
        if (newest.size() < CHUNK && newest.contains(session, hash)) {
            return true;
        }
        if (index == null) {
            return false;
        }
        int mask = index.length - 1;
        for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
            int entry = index[slot];
            if (entry == 0) {
                return false;
            }
            Chunk chunk = chunks[(entry - 1) / CHUNK];
            int i = (entry - 1) % CHUNK;
            if (chunk.hashes[i] == hash && chunk.ids[i].equals(session)) {
                return true;
            }
        }
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

    /** An index of the full chunks of {@code chunks}, or null if there are none. */
    private static int @Nullable [] index(Chunk[] chunks) {
        int full = chunks[chunks.length - 1].size() == CHUNK ? chunks.length : chunks.length - 1;
        if (full == 0) {
            return null;
        }
        int[] table = new int[Integer.highestOneBit(full * CHUNK * 2 - 1) * 2];
        int mask = table.length - 1;
        for (int c = 0; c < full; c++) {
            for (int i = 0; i < CHUNK; i++) {
                int slot = spread(chunks[c].hashes[i]) & mask;
                while (table[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = c * CHUNK + i + 1;
            }
        }
        return table;
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }

    /** Up to {@value #CHUNK} ids with their hashes. */
    private static final class Chunk {
        static final Chunk EMPTY = new Chunk(new String[0], new int[0]);

        final String[] ids;
        final int[] hashes;

        private Chunk(String[] ids, int[] hashes) {
            this.ids = ids;
            this.hashes = hashes;
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
            for (int i = 0; i < hashes.length; i++) {
                if (hashes[i] == hash && ids[i].equals(id)) {
                    return true;
                }
            }
            return false;
        }
    }
}
