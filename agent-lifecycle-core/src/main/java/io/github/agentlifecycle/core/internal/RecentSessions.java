package io.github.agentlifecycle.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable set of session ids that remembers the most recent ones, oldest first. Thread-safe (immutable).
 *
 * <p>A set is a window {@code [from, to)} of positions in a {@link Log}, an append-only array of ids with a hash
 * index, which the sets made from one another share. Adding to the set whose window ends where the log ends
 * writes the id in place and returns a new window one position longer (dropping the oldest position past the
 * limit), so a room that keeps adding costs a few array writes per id. Only the first of several sets that add at
 * the same end position may write there (they claim it atomically); the others, and any set whose log is full, copy
 * their window into a new log with room to spare. Positions a set does not cover are never read for it, so a set
 * never sees what was written after it was made.
 */
public final class RecentSessions extends AbstractSet<String> {
    private static final RecentSessions EMPTY = new RecentSessions(new Log(0), 0, 0);

    private final Log log;
    private final int from;
    private final int to;

    private RecentSessions(Log log, int from, int to) {
        this.log = log;
        this.from = from;
        this.to = to;
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
     * it larger than {@code limit}, the oldest entries are left out until it is not.
     */
    public RecentSessions plus(String session, int limit) {
        int hash = session.hashCode();
        if (log.contains(session, hash, from, to)) {
            return this;
        }
        int kept = Math.min(to - from, Math.max(limit, 1) - 1);
        if (log.claim(to)) {
            log.write(to, session, hash);
            return new RecentSessions(log, to + 1 - (kept + 1), to + 1);
        }
        Log copy = log.copy(to - kept, to);
        copy.claim(kept);
        copy.write(kept, session, hash);
        return new RecentSessions(copy, 0, kept + 1);
    }

    @Override
    public boolean contains(Object candidate) {
        return candidate instanceof String session && log.contains(session, session.hashCode(), from, to);
    }

    @Override
    public int size() {
        return to - from;
    }

    @Override
    public Iterator<String> iterator() {
        return new Iterator<>() {
            private int next = from;

            @Override
            public boolean hasNext() {
                return next < to;
            }

            @Override
            public String next() {
                if (next >= to) {
                    throw new NoSuchElementException();
                }
                return log.ids[next++];
            }
        };
    }

    /**
     * Ids at consecutive positions from 0 on, with an open-addressing index (linear probing) of every position
     * written. Positions are only ever added: a slot of the index or the array, once written, never changes, which
     * is what lets sets share a log while another set appends to it.
     */
    private static final class Log {
        private static final VarHandle CLAIMED;

        static {
            try {
                CLAIMED = MethodHandles.lookup().findVarHandle(Log.class, "claimed", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final String[] ids;
        /**
         * One slot per id written, or 0 for an empty slot; at most two thirds full. A slot holds the id's hash in its
         * upper half, so a lookup compares hashes without leaving the index, and position + 1 in its lower.
         */
        private final long[] index;
        /** The end of the positions claimed so far. */
        private volatile int claimed;

        Log(int capacity) {
            this.ids = new String[capacity];
            this.index = new long[capacity == 0 ? 1 : Integer.highestOneBit(capacity * 3 - 1)];
        }

        /** Claims position {@code position} for the caller; false if it is taken or past the capacity. */
        boolean claim(int position) {
            return position < ids.length && CLAIMED.compareAndSet(this, position, position + 1);
        }

        /** Writes a position claimed by the caller, or one of a log no other thread can see yet. */
        void write(int position, String id, int hash) {
            ids[position] = id;
            index(position, hash);
        }

        private void index(int position, int hash) {
            int mask = index.length - 1;
            int slot = spread(hash) & mask;
            while (index[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            index[slot] = (long) hash << 32 | (position + 1);
        }

        /** Whether {@code id} is at one of the positions {@code [from, to)}. */
        boolean contains(String id, int hash, int from, int to) {
            if (from == to) {
                return false;
            }
            int mask = index.length - 1;
            for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
                long entry = index[slot];
                if (entry == 0) {
                    return false;
                }
                int position = (int) entry - 1;
                if ((int) (entry >>> 32) == hash && position >= from && position < to && ids[position].equals(id)) {
                    return true;
                }
            }
        }

        /** A new log holding positions {@code [start, end)} of this one from 0, with room to add a third as many. */
        Log copy(int start, int end) {
            int size = end - start;
            Log copy = new Log(size + Math.max(8, size / 3));
            System.arraycopy(ids, start, copy.ids, 0, size);
            for (long entry : index) {
                int position = (int) entry - 1;
                if (entry != 0 && position >= start && position < end) {
                    copy.index(position - start, (int) (entry >>> 32));
                }
            }
            copy.claimed = size;
            return copy;
        }

        private static int spread(int hash) {
            return hash ^ (hash >>> 16);
        }
    }
}
