package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.core.spi.SharedRoomStore.RoomRow;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PostgresRoomStoreTest extends StoreTest {
    @Test
    void roomRowsAreWrittenReadAndDeleted() {
        PostgresRoomStore store = stores.open("replica-a");
        Instant due = Stores.T0.plusNanos(1_234_567_891);

        assertThat(read(store, "room-1")).isNull();
        store.inRoom("room-1", false, tx -> {
            tx.write(new byte[] {1, 2, 3}, true, due);
            return null;
        });

        RoomRow row = read(store, "room-1");
        assertThat(row.name()).isEqualTo("room-1");
        assertThat(row.state()).containsExactly(1, 2, 3);
        assertThat(row.open()).isTrue();
        assertThat(row.dueAt()).isEqualTo(Stores.T0.plusNanos(1_234_567_000));
        assertThat(row.host()).isNull();
        assertThat(row.queuedSince()).isNull();
        assertThat(store.openRooms()).extracting(RoomRow::name).containsExactly("room-1");
        assertThat(store.openRoomCount()).isOne();

        store.inRoom("room-1", false, tx -> {
            tx.write(new byte[] {4}, false, null);
            assertThat(tx.row().state()).containsExactly(4);
            return null;
        });
        assertThat(read(store, "room-1").dueAt()).isNull();
        assertThat(store.openRooms()).isEmpty();
        assertThat(store.openRoomCount()).isZero();

        store.inRoom("room-1", false, tx -> {
            tx.delete();
            assertThat(tx.row()).isNull();
            return null;
        });
        assertThat(read(store, "room-1")).isNull();
    }

    @Test
    void timesBeyondPostgresRangeAreStoredAsInfinity() {
        PostgresRoomStore store = stores.open("replica-a");
        store.inRoom("far", false, tx -> {
            tx.write(new byte[0], true, Instant.MAX);
            return null;
        });
        Instant due = read(store, "far").dueAt();
        assertThat(due).isAfter(Instant.parse("+100000-01-01T00:00:00Z"));
        assertThat(store.dueRooms(Stores.T0, 10)).isEmpty();
    }

    @Test
    void workThatThrowsChangesNothing() {
        PostgresRoomStore store = stores.open("replica-a");
        IllegalStateException failure = new IllegalStateException("boom");
        assertThatThrownBy(() -> store.inRoom("room-1", false, tx -> {
            tx.write(new byte[] {1}, true, null);
            assertThat(tx.firstSighting("event-1", Stores.T0, Stores.T0.plusSeconds(60))).isTrue();
            throw failure;
        })).isSameAs(failure);

        assertThat(read(store, "room-1")).isNull();
        assertThat(sighting(store, "event-1", Stores.T0, Stores.T0)).isTrue();
    }

    @Test
    void aFailedStatementRollsBackTheRoomTransactionEvenWhenTheWorkCarriesOn() {
        PostgresRoomStore store = stores.open("replica-a");
        AtomicBoolean caught = new AtomicBoolean();
        assertThatThrownBy(() -> store.inRoom("room-1", false, tx -> {
            tx.write(new byte[] {1}, true, null);
            try {
                tx.firstSighting("nul\u0000char", Stores.T0, Stores.T0.plusSeconds(1));
            } catch (SharedStoreUnavailableException e) {
                caught.set(true);
                assertThat(e.getMessage()).startsWith("shared room store unavailable: firstSighting");
            }
            return "carried on";
        })).isInstanceOf(SharedStoreUnavailableException.class)
                .hasMessageContaining("nothing was changed");

        assertThat(caught).isTrue();
        assertThat(read(store, "room-1")).isNull();
    }

    @Test
    void aRoomTransactionCannotBeUsedAfterItsWork() {
        PostgresRoomStore store = stores.open("replica-a");
        var leaked = store.inRoom("room-1", false, tx -> tx);
        assertThatThrownBy(leaked::row).isInstanceOf(IllegalStateException.class).hasMessageContaining("inRoom");
    }

    @Test
    void skipIfLockedSkipsWhileAnotherTransactionHoldsTheRoom() throws Exception {
        PostgresRoomStore holder = stores.open("replica-a");
        PostgresRoomStore other = stores.open("replica-b");
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holding = threads.submit(() -> holder.inRoom("room-1", false, tx -> {
            locked.countDown();
            await(release);
            return null;
        }));
        try {
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicBoolean ran = new AtomicBoolean();
            Boolean skipped = other.inRoom("room-1", true, tx -> ran.getAndSet(true));
            assertThat(skipped).isNull();
            assertThat(ran).isFalse();
            String free = other.inRoom("room-2", true, tx -> "free");
            assertThat(free).isEqualTo("free");
        } finally {
            release.countDown();
        }
        holding.get(10, TimeUnit.SECONDS);
        String freed = other.inRoom("room-1", true, tx -> "free");
        assertThat(freed).isEqualTo("free");
    }

    @Test
    void transactionsOnOneRoomFromTwoStoresApplyOneAtATime() throws Exception {
        PostgresRoomStore first = stores.open("replica-a");
        PostgresRoomStore second = stores.open("replica-b");
        List<Future<?>> runs = List.of(threads.submit(() -> increment(first, 100)),
                threads.submit(() -> increment(second, 100)));
        for (Future<?> run : runs) {
            run.get(60, TimeUnit.SECONDS);
        }
        assertThat(ByteBuffer.wrap(read(first, "counter").state()).getInt()).isEqualTo(200);
    }

    @Test
    void anEventIdIsSeenFirstOnceUntilItIsForgotten() {
        PostgresRoomStore store = stores.open("replica-a");
        Instant keepUntil = Stores.T0.plusSeconds(600);
        assertThat(sighting(store, "event-1", Stores.T0, keepUntil)).isTrue();
        assertThat(sighting(store, "event-1", Stores.T0.plusSeconds(1), keepUntil)).isFalse();
        assertThat(sighting(store, "event-1", keepUntil.minusNanos(1_000), keepUntil)).isFalse();
        assertThat(sighting(store, "event-1", keepUntil, keepUntil.plusSeconds(600))).isTrue();
        assertThat(sighting(store, "event-1", keepUntil.plusSeconds(1), keepUntil.plusSeconds(600))).isFalse();
        assertThat(sighting(store, "event-2", Stores.T0, keepUntil)).isTrue();
    }

    @Test
    void dueRoomsComeMostOverdueFirstUpToTheLimit() {
        PostgresRoomStore store = stores.open("replica-a");
        write(store, "late", Stores.T0.plusSeconds(30));
        write(store, "later", Stores.T0.plusSeconds(50));
        write(store, "latest", Stores.T0.plusSeconds(90));
        write(store, "early", Stores.T0.plusSeconds(10));
        write(store, "never", null);

        assertThat(store.dueRooms(Stores.T0, 10)).isEmpty();
        assertThat(store.dueRooms(Stores.T0.plusSeconds(50), 10)).containsExactly("early", "late", "later");
        assertThat(store.dueRooms(Stores.T0.plusSeconds(100), 2)).containsExactly("early", "late");
    }

    @Test
    void connectionsAreReturnedAfterEveryKindOfCall() {
        PostgresRoomStore store = stores.open("replica-a");
        for (int i = 0; i < 20; i++) {
            write(store, "room-" + i, Stores.T0);
            store.dueRooms(Stores.T0, 5);
            assertThatThrownBy(() -> store.inRoom("room-x", false, tx -> {
                throw new IllegalStateException("fails");
            })).isInstanceOf(IllegalStateException.class);
        }
        // The listener's connection and the one counting.
        Awaits.until(Duration.ofSeconds(10), () -> stores.queryLong("SELECT count(*) FROM pg_stat_activity "
                + "WHERE datname = current_database()") == 2);
    }

    @Test
    void methodsNeedAnOpenStore() {
        PostgresRoomStore store = stores.track(stores.builder().build());
        assertThatThrownBy(() -> store.dueRooms(Stores.T0, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not open yet");
        store.open("replica-a", Stores.T0, room -> {});
        assertThatThrownBy(() -> store.open("replica-a", Stores.T0, room -> {}))
                .isInstanceOf(IllegalStateException.class);
        store.close();
        store.close();
        assertThatThrownBy(() -> store.queuedRooms(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    static RoomRow read(PostgresRoomStore store, String room) {
        return store.inRoom(room, false, tx -> tx.row());
    }

    private static boolean sighting(PostgresRoomStore store, String id, Instant now, Instant keepUntil) {
        Boolean first = store.inRoom("events", false, tx -> tx.firstSighting(id, now, keepUntil));
        return first;
    }

    private static void write(PostgresRoomStore store, String room, Instant dueAt) {
        store.inRoom(room, false, tx -> {
            tx.write(new byte[0], true, dueAt);
            return null;
        });
    }

    private static void increment(PostgresRoomStore store, int times) {
        for (int i = 0; i < times; i++) {
            store.inRoom("counter", false, tx -> {
                RoomRow row = tx.row();
                int value = row == null ? 0 : ByteBuffer.wrap(row.state()).getInt();
                tx.write(ByteBuffer.allocate(4).putInt(value + 1).array(), true, null);
                return null;
            });
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
