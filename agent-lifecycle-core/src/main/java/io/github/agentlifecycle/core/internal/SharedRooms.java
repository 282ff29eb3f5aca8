package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.SharedRoomStore;
import io.github.agentlifecycle.core.spi.SharedRoomStore.RoomRow;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The rooms of a backend's replicas, in a {@link SharedRoomStore}: records travel as bytes ({@link
 * RoomRecordCodec}), deadlines as instants, so any replica can pick up any room. Closed rooms' remains stay in the
 * store until their replay window ends, when the deadline poll removes them. Confined to the engine's thread.
 */
final class SharedRooms implements RoomStore {
    private static final System.Logger LOG = LoggingListener.LOG;

    final SharedRoomStore store;
    final String replicaId;
    private final Clock clock;
    private final int maxTotalAgents;
    private final long toEpoch;
    private volatile boolean draining;

    /** @param toEpoch see {@link #toEpoch()} */
    SharedRooms(SharedRoomStore store, String replicaId, Clock clock, int maxTotalAgents, long toEpoch) {
        this.store = store;
        this.replicaId = replicaId;
        this.clock = clock;
        this.maxTotalAgents = maxTotalAgents;
        this.toEpoch = toEpoch;
    }

    /**
     * From now on (any thread may call it) no agent slot is granted to this replica: rooms that ask for one wait for
     * another replica, and slots it gives back go to the rooms waiting through another replica's poll.
     */
    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /** The cap this replica passes to the store's slot decisions: none while it drains. */
    private int slotCap() {
        return draining ? 0 : maxTotalAgents;
    }

    /** What to add to a {@code nanoTime} reading of {@code clock} to get nanoseconds since the epoch, now. */
    static long toEpoch(Clock clock) {
        Instant wall = clock.instant();
        return wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - clock.nanoTime();
    }

    /**
     * What to add to a {@code nanoTime} reading of this JVM's clock to get nanoseconds since the epoch: one value for
     * the engine's life, the one its views use too, so that every replica shows a stored time as the same instant.
     */
    long toEpoch() {
        return toEpoch;
    }

    static Instant instant(long nanoTime, long toEpoch) {
        return Instant.ofEpochSecond(0, nanoTime + toEpoch);
    }

    @Override
    public <T> @Nullable T inRoom(String room, boolean skipIfLocked, Function<Transaction, T> work) {
        return store.inRoom(room, skipIfLocked, row -> work.apply(new Tx(row, toEpoch())));
    }

    @Override
    public Collection<RoomRecord> openRooms() {
        long toEpoch = toEpoch();
        List<RoomRecord> open = new ArrayList<>();
        for (RoomRow row : store.openRooms()) {
            RoomRecord record = decode(row, toEpoch);
            if (record != null && !record.closed()) {
                open.add(record);
            }
        }
        return open;
    }

    @Override
    public int openRoomCount() {
        return store.openRoomCount();
    }

    @Override
    public @Nullable RoomRecord openRoom(String room) {
        RoomRecord record = inRoom(room, false, Transaction::record);
        return record == null || record.closed() ? null : record;
    }

    @Override
    public Collection<String> closedRooms() {
        return List.of();
    }

    @Override
    public List<String> releaseUnbackedSlots() {
        return List.of();
    }

    @Override
    public void notifyHost(String host, String room) {
        store.notifyReplica(host, room);
    }

    @Override
    public void clear() {}

    /** The record in {@code row}, or null for a row without one (or one this version cannot read, logged). */
    static @Nullable RoomRecord decode(@Nullable RoomRow row, long toEpoch) {
        if (row == null || row.state().length == 0) {
            return null;
        }
        try {
            return RoomRecordCodec.decode(row.state(), toEpoch);
        } catch (IllegalArgumentException unreadable) {
            LOG.log(Level.ERROR, "Room " + row.name() + ": " + unreadable.getMessage() + "; treated as absent");
            return null;
        }
    }

    private final class Tx implements Transaction {
        private final SharedRoomStore.RoomTransaction row;
        private final long toEpoch;
        private final @Nullable RoomRow stored;
        private @Nullable String host;
        private boolean waits;

        Tx(SharedRoomStore.RoomTransaction row, long toEpoch) {
            this.row = row;
            this.toEpoch = toEpoch;
            this.stored = row.row();
            this.host = stored == null ? null : stored.host();
            this.waits = stored != null && stored.queuedSince() != null;
        }

        @Override
        public @Nullable RoomRecord record() {
            return decode(stored, toEpoch);
        }

        @Override
        public @Nullable String hostElsewhere() {
            return host == null || host.equals(replicaId) ? null : host;
        }

        @Override
        public void put(@Nullable RoomRecord next) {
            if (next == null) {
                if (stored != null || host != null || waits) {
                    row.delete();
                }
                return;
            }
            Long due = next.nextDeadline();
            row.write(RoomRecordCodec.encode(next, toEpoch), !next.closed(), due == null ? null : instant(due, toEpoch));
        }

        @Override
        public EventIdMemory.Sighting sight(String eventId, long now, long until) {
            return row.firstSighting(eventId, instant(now, toEpoch), instant(until, toEpoch))
                    ? EventIdMemory.Sighting.FIRST : EventIdMemory.Sighting.REPEAT;
        }

        @Override
        public int requestSlot() {
            int place = row.requestSlot(slotCap(), instant(clock.nanoTime(), toEpoch));
            if (place == 0) {
                host = replicaId;
                waits = false;
            } else {
                waits = true;
            }
            return place;
        }

        @Override
        public List<String> releaseSlot() {
            host = null;
            waits = false;
            return row.releaseSlot(slotCap());
        }

        @Override
        public boolean holdsOrWaits() {
            return host != null || waits;
        }

        @Override
        public void hostHere() {
            row.hostHere();
            host = replicaId;
        }
    }
}
