package io.github.agentlifecycle.postgres;

import io.github.agentlifecycle.core.spi.SharedRoomStore;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A real store that a test can cut off from its replica, as a network partition or a dead database connection
 * would: while cut off every call fails with {@link SharedStoreUnavailableException}, before reaching PostgreSQL.
 */
final class CutOffStore implements SharedRoomStore {
    private final SharedRoomStore store;
    private volatile boolean cutOff;

    CutOffStore(SharedRoomStore store) {
        this.store = store;
    }

    void cutOff(boolean value) {
        cutOff = value;
    }

    private void check() {
        if (cutOff) {
            throw new SharedStoreUnavailableException("cut off from the database");
        }
    }

    @Override
    public void open(String replicaId, Instant leaseUntil, Consumer<String> onNotified) {
        check();
        store.open(replicaId, leaseUntil, onNotified);
    }

    @Override
    public <T> @Nullable T inRoom(String room, boolean skipIfLocked, Function<RoomTransaction, T> work) {
        check();
        return store.inRoom(room, skipIfLocked, work);
    }

    @Override
    public List<RoomRow> openRooms() {
        check();
        return store.openRooms();
    }

    @Override
    public int openRoomCount() {
        check();
        return store.openRoomCount();
    }

    @Override
    public List<String> dueRooms(Instant now, int limit) {
        check();
        return store.dueRooms(now, limit);
    }

    @Override
    public List<String> roomsHostedBy(String replicaId) {
        check();
        return store.roomsHostedBy(replicaId);
    }

    @Override
    public List<String> queuedRooms(int limit) {
        check();
        return store.queuedRooms(limit);
    }

    @Override
    public List<String> renewLease(Instant now, Instant leaseUntil, Map<String, Long> counters) {
        check();
        return store.renewLease(now, leaseUntil, counters);
    }

    @Override
    public Map<String, Long> clusterCounters() {
        check();
        return store.clusterCounters();
    }

    @Override
    public void notifyReplica(String replicaId, String room) {
        check();
        store.notifyReplica(replicaId, room);
    }

    @Override
    public int maxAgentsPerReplica() {
        return store.maxAgentsPerReplica();
    }

    @Override
    public void close() {
        store.close();
    }
}
