package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The rooms of one JVM, in maps: the default, and the fastest. Keeps the remains of closed rooms for the replay
 * window, at most {@code maxRooms} of them. Confined to the engine's thread.
 */
final class MemoryRoomStore implements RoomStore {
    private static final System.Logger LOG = LoggingListener.LOG;

    private final int maxRooms;
    private final Consumer<String> forgottenEarly;
    private final CapacityPool pool;
    private final EventIdMemory eventIds;
    /** Open rooms, the ones users see. */
    private final Map<String, RoomRecord> rooms = new HashMap<>();
    /** The remains of closed rooms, oldest first. */
    private final Map<String, RoomRecord> closed = new LinkedHashMap<>();
    private long closedForgottenEarly;
    private final Tx tx = new Tx();

    /** @param forgottenEarly told about a closed room forgotten before its replay window ended */
    MemoryRoomStore(int maxRooms, int maxTotalAgents, int eventIdMemory, Consumer<String> forgottenEarly) {
        this.maxRooms = maxRooms;
        this.forgottenEarly = forgottenEarly;
        this.pool = new CapacityPool(maxTotalAgents);
        this.eventIds = new EventIdMemory(eventIdMemory);
    }

    @Override
    public <T> T inRoom(String room, boolean skipIfLocked, Function<Transaction, T> work) {
        tx.room = room;
        return work.apply(tx);
    }

    @Override
    public Collection<RoomRecord> openRooms() {
        return rooms.values();
    }

    @Override
    public int openRoomCount() {
        return rooms.size();
    }

    @Override
    public @Nullable RoomRecord openRoom(String room) {
        return rooms.get(room);
    }

    @Override
    public Collection<String> closedRooms() {
        return closed.keySet();
    }

    @Override
    public List<String> releaseUnbackedSlots() {
        Set<String> backed = new HashSet<>();
        for (RoomRecord record : rooms.values()) {
            if (record.agent().holdsSlot() || record.agent().state() == AgentState.QUEUED) {
                backed.add(record.name());
            }
        }
        List<String> stale = new ArrayList<>(pool.holders());
        stale.addAll(pool.waiters());
        List<String> granted = new ArrayList<>();
        for (String room : stale) {
            if (!backed.contains(room)) {
                LOG.log(Level.WARNING, "Room " + room + ": agent slot held by no room record; released");
                granted.addAll(pool.release(room));
            }
        }
        return granted;
    }

    @Override
    public void clear() {
        rooms.clear();
        closed.clear();
    }

    private final class Tx implements Transaction {
        String room = "";

        @Override
        public @Nullable RoomRecord record() {
            RoomRecord open = rooms.get(room);
            return open != null ? open : closed.get(room);
        }

        @Override
        public @Nullable String hostElsewhere() {
            return null;
        }

        @Override
        public void put(@Nullable RoomRecord next) {
            if (next == null) {
                rooms.remove(room);
                closed.remove(room);
            } else if (next.closed()) {
                rooms.remove(room);
                rememberClosed(next);
            } else {
                rooms.put(room, next);
                closed.remove(room);
            }
        }

        /** Keeps a closed room's remains; past {@code maxRooms} of them, the oldest is forgotten before its time. */
        private void rememberClosed(RoomRecord remains) {
            closed.put(room, remains);
            if (closed.size() <= maxRooms) {
                return;
            }
            Iterator<String> oldest = closed.keySet().iterator();
            String forgotten = oldest.next();
            oldest.remove();
            forgottenEarly.accept(forgotten);
            closedForgottenEarly++;
            if (Long.bitCount(closedForgottenEarly) == 1) {
                LOG.log(Level.WARNING, "Room " + forgotten + ": forgotten before its replay window ended, since more"
                        + " than maxRooms (" + maxRooms + ") rooms closed within it; " + closedForgottenEarly
                        + " so far");
            }
        }

        @Override
        public EventIdMemory.Sighting sight(String eventId, long now, long until) {
            return eventIds.sight(eventId, now, until);
        }

        @Override
        public int requestSlot() {
            return pool.request(room);
        }

        @Override
        public List<String> releaseSlot() {
            return pool.release(room);
        }

        @Override
        public boolean holdsOrWaits() {
            return pool.holds(room) || pool.isWaiting(room);
        }

        @Override
        public void hostHere() {}
    }
}
