package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.SharedRoomStore;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SharedRoomStore} that fails fast for a while after the store failed, so that a store that is down or
 * slow costs one timeout per {@link #RETRY_AFTER}, not one per call: the engine's loop, and the request threads
 * waiting on it, are not held up call after call. Lease renewals always try; they are how the store is found back.
 * Thread-safe.
 */
final class GuardedStore implements SharedRoomStore {
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final SharedRoomStore store;
    private final Clock clock;
    private volatile boolean failing;
    private volatile long retryAt;
    private volatile String failure = "";

    GuardedStore(SharedRoomStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    private <T> T guarded(Supplier<T> call) {
        if (failing && clock.nanoTime() - retryAt < 0) {
            throw new SharedStoreUnavailableException(failure + " (tried again within " + RETRY_AFTER.toSeconds()
                    + " s)");
        }
        return tried(call);
    }

    private <T> T tried(Supplier<T> call) {
        try {
            T result = call.get();
            failing = false;
            return result;
        } catch (SharedStoreUnavailableException e) {
            failure = e.getMessage();
            retryAt = clock.nanoTime() + RETRY_AFTER.toNanos();
            failing = true;
            throw e;
        }
    }

    @Override
    public void open(String replicaId, Instant leaseUntil, Consumer<String> onNotified) {
        tried(() -> {
            store.open(replicaId, leaseUntil, onNotified);
            return null;
        });
    }

    @Override
    public <T> @Nullable T inRoom(String room, boolean skipIfLocked, Function<RoomTransaction, T> work) {
        return guarded(() -> store.inRoom(room, skipIfLocked, work));
    }

    @Override
    public List<RoomRow> openRooms() {
        return guarded(store::openRooms);
    }

    @Override
    public int openRoomCount() {
        return guarded(store::openRoomCount);
    }

    @Override
    public List<String> dueRooms(Instant now, int limit) {
        return guarded(() -> store.dueRooms(now, limit));
    }

    @Override
    public List<String> roomsHostedBy(String replicaId) {
        return guarded(() -> store.roomsHostedBy(replicaId));
    }

    @Override
    public List<String> queuedRooms(int limit) {
        return guarded(() -> store.queuedRooms(limit));
    }

    @Override
    public List<String> renewLease(Instant now, Instant leaseUntil, Map<String, Long> counters) {
        return tried(() -> store.renewLease(now, leaseUntil, counters));
    }

    @Override
    public Map<String, Long> clusterCounters() {
        return guarded(store::clusterCounters);
    }

    @Override
    public void notifyReplica(String replicaId, String room) {
        guarded(() -> {
            store.notifyReplica(replicaId, room);
            return null;
        });
    }

    @Override
    public void close() {
        store.close();
    }
}
