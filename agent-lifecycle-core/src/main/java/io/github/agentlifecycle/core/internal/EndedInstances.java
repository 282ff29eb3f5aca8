package io.github.agentlifecycle.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The instances of a room (LiveKit room sids) that are known to have ended: finished, or replaced by a newer
 * instance of the same name. Events naming one of them are late and must not bring people back into the room. Each
 * is kept for the replay window after it ended. At most {@value #MAX} are kept, the newest, so that a room's record
 * stays small: only a room name whose instances end more often than that within one replay window (every few
 * seconds, for minutes) forgets one early, and then takes a late event of it for one of a new instance. Immutable.
 */
public final class EndedInstances {
    /** The most instances kept. */
    static final int MAX = 64;
    private static final EndedInstances NONE = new EndedInstances(new String[0], new long[0]);

    private final String[] sids;
    private final long[] endedAt;

    private EndedInstances(String[] sids, long[] endedAt) {
        this.sids = sids;
        this.endedAt = endedAt;
    }

    /** No ended instance. */
    public static EndedInstances none() {
        return NONE;
    }

    /** The instances {@code sids}, which ended at {@code endedAt} (same order, oldest first). */
    static EndedInstances of(String[] sids, long[] endedAt) {
        return sids.length == 0 ? NONE : new EndedInstances(sids.clone(), endedAt.clone());
    }

    /** The instances, oldest first (a copy). */
    String[] sids() {
        return sids.clone();
    }

    /** When each of {@link #sids()} ended (a copy). */
    long[] endedAt() {
        return endedAt.clone();
    }

    /** Whether {@code sid} is an instance known to have ended. */
    public boolean contains(String sid) {
        for (String ended : sids) {
            if (ended.equals(sid)) {
                return true;
            }
        }
        return false;
    }

    /**
     * These instances plus {@code sid}, which ended at {@code now}, without those that ended {@code window} or more
     * before {@code now}; this set itself if {@code sid} is in it.
     */
    public EndedInstances plus(String sid, long now, long window) {
        if (contains(sid)) {
            return this;
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < sids.length; i++) {
            if (now - endedAt[i] < window) {
                kept.add(i);
            }
        }
        int from = Math.max(0, kept.size() - (MAX - 1));
        String[] nextSids = new String[kept.size() - from + 1];
        long[] nextEnded = new long[nextSids.length];
        for (int i = from; i < kept.size(); i++) {
            nextSids[i - from] = sids[kept.get(i)];
            nextEnded[i - from] = endedAt[kept.get(i)];
        }
        nextSids[nextSids.length - 1] = sid;
        nextEnded[nextSids.length - 1] = now;
        return new EndedInstances(nextSids, nextEnded);
    }

    /** How many instances are kept. */
    public int size() {
        return sids.length;
    }

    @Override
    public String toString() {
        return Arrays.toString(sids);
    }
}
