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
 * <p>A set is a window {@code [start, end)} of positions in a {@link Log}, an append-only array of ids with a hash
 * index, which the sets made from one another share. Adding to the set whose window ends where the log ends
 * writes the id in place and returns a new window one position longer (dropping the oldest position past the
 * limit), so a room that keeps adding costs a few array writes per id. Only the first of several sets that add at
 * the same end position may write there (they claim it atomically); the others, and any set whose log is full, copy
 * their window into a new log with room to spare. Positions a set does not cover are never read for it, so a set
 * never sees what was written after it was made.
 */
public final class RecentSessions extends AbstractSet<String> {
    private static final RecentSessions EMPTY = new RecentSessions(new Log(0, 0), 0, 0);

    private final Log log;
    private final int start;
    private final int end;

    private RecentSessions(Log log, int start, int end) {
        this.log = log;
        this.start = start;
        this.end = end;
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
        if (log.contains(session, hash, start, end)) {
            return this;
        }
        int nextStart = end + 1 - start > limit ? end + 1 - Math.max(limit, 1) : start;
        if (log.claim(end)) {
            log.write(end, session, hash);
            return new RecentSessions(log, nextStart, end + 1);
        }
        Log copy = log.copy(nextStart, end);
        copy.claim(end);
        copy.write(end, session, hash);
        return new RecentSessions(copy, nextStart, end + 1);
    }

    @Override
    public boolean contains(Object candidate) {
        return candidate instanceof String session && log.contains(session, session.hashCode(), start, end);
    }

    @Override
    public int size() {
        return end - start;
    }

    @Override
    public Iterator<String> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size();
            }

            @Override
            public String next() {
                if (next >= size()) {
                    throw new NoSuchElementException();
                }
                return log.idAt(start + next++);
            }
        };
    }

    /**
     * Ids at consecutive positions from {@code base} on, with an open-addressing index (linear probing) of every
     * position written. Positions are only ever added: a slot of the index or the arrays, once written, never
     * changes, which is what lets sets share a log while another set appends to it.
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

        private final int base;
        private final String[] ids;
        /**
         * One slot per id written, or 0 for an empty slot; at most two thirds full. A slot holds the id's hash in its
         * upper half, so a lookup compares hashes without leaving the index, and position - base + 1 in its lower.
         */
        private final long[] index;
        /** The end of the positions claimed so far. */
        private volatile int claimed;

        Log(int base, int capacity) {
            this.base = base;
            this.claimed = base;
            this.ids = new String[capacity];
            this.index = new long[capacity == 0 ? 1 : Integer.highestOneBit(capacity * 3 - 1)];
        }

        /** Claims position {@code position} for the caller; false if it is taken or past the capacity. */
        boolean claim(int position) {
            return position - base < ids.length && CLAIMED.compareAndSet(this, position, position + 1);
        }

        /** Writes a position claimed by the caller, or one of a log no other thread can see yet. */
        void write(int position, String id, int hash) {
            int offset = position - base;
            ids[offset] = id;
            index(offset, hash);
        }

        private void index(int offset, int hash) {
            int mask = index.length - 1;
            int slot = spread(hash) & mask;
            while (index[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            index[slot] = (long) hash << 32 | (offset + 1);
        }

        boolean contains(String id, int hash, int start, int end) {
            if (start == end) {
                return false;
            }
            int mask = index.length - 1;
            int from = start - base;
            int to = end - base;
            for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
                long entry = index[slot];
                if (entry == 0) {
                    return false;
                }
                int offset = (int) entry - 1;
                if ((int) (entry >>> 32) == hash && offset >= from && offset < to && ids[offset].equals(id)) {
                    return true;
                }
            }
        }

        String idAt(int position) {
            return ids[position - base];
        }

        /** A new log holding positions {@code [start, end)} of this one, with room to add a third as many. */
        Log copy(int start, int end) {
            int size = end - start;
            Log copy = new Log(start, size + Math.max(8, size / 3));
            int from = start - base;
            System.arraycopy(ids, from, copy.ids, 0, size);
            for (long entry : index) {
                int offset = (int) entry - 1;
                if (entry != 0 && offset >= from && offset < from + size) {
                    copy.index(offset - from, (int) (entry >>> 32));
                }
            }
            copy.claimed = end;
            return copy;
        }

        private static int spread(int hash) {
            return hash ^ (hash >>> 16);
        }
    }
}
