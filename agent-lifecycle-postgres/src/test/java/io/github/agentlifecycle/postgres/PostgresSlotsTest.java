package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.SharedRoomStore.RoomRow;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PostgresSlotsTest extends StoreTest {
    @Test
    void theClusterCapQueuesRoomsInArrivalOrder() {
        PostgresRoomStore a = stores.open("replica-a");
        PostgresRoomStore b = stores.open("replica-b");

        assertThat(request(a, "room-1", 2, 0)).isZero();
        assertThat(request(b, "room-2", 2, 1)).isZero();
        assertThat(request(a, "room-3", 2, 2)).isEqualTo(1);
        assertThat(request(b, "room-4", 2, 3)).isEqualTo(2);
        assertThat(request(a, "room-3", 2, 4)).isEqualTo(1);
        assertThat(request(b, "room-1", 2, 5)).as("already held").isZero();

        assertThat(a.roomsHostedBy("replica-a")).containsExactly("room-1");
        assertThat(a.roomsHostedBy("replica-b")).containsExactly("room-2");
        assertThat(a.queuedRooms(10)).containsExactly("room-3", "room-4");
        assertThat(a.queuedRooms(1)).containsExactly("room-3");
        RoomRow queued = PostgresRoomStoreTest.read(a, "room-3");
        assertThat(queued.queuedSince()).isEqualTo(Stores.T0.plusSeconds(2));
        assertThat(queued.host()).isNull();
    }

    @Test
    void aNewRoomWaitsBehindTheQueueEvenWhenASlotIsFree() {
        PostgresRoomStore a = stores.open("replica-a");
        request(a, "room-1", 1, 0);
        assertThat(request(a, "room-2", 1, 1)).isEqualTo(1);

        assertThat(request(a, "room-3", 2, 2)).as("behind room-2").isEqualTo(2);
        assertThat(request(a, "room-2", 2, 3)).as("first in line, and a slot is free").isZero();
        assertThat(request(a, "room-3", 2, 4)).isEqualTo(1);
        assertThat(a.queuedRooms(10)).containsExactly("room-3");
    }

    @Test
    void theReplicaCapLeavesRoomsToOtherReplicas() {
        PostgresRoomStore a = stores.open("replica-a", room -> {}, builder -> builder.maxAgentsPerReplica(1));
        PostgresRoomStore b = stores.open("replica-b");

        assertThat(request(a, "room-1", 10, 0)).isZero();
        assertThat(request(a, "room-2", 10, 1)).isEqualTo(1);
        assertThat(request(b, "room-2", 10, 2)).isZero();
        assertThat(request(b, "room-3", 10, 3)).isZero();
        assertThat(a.roomsHostedBy("replica-a")).containsExactly("room-1");
        assertThat(a.roomsHostedBy("replica-b")).containsExactly("room-2", "room-3");
    }

    @Test
    void releasingASlotGrantsItToTheRoomWaitingLongestOnTheReleasingReplica() {
        PostgresRoomStore a = stores.open("replica-a");
        PostgresRoomStore b = stores.open("replica-b");
        request(a, "room-1", 1, 0);
        request(b, "room-3", 1, 2);
        request(b, "room-2", 1, 1);

        assertThat(release(a, "room-1", 1)).containsExactly("room-2");
        assertThat(a.roomsHostedBy("replica-a")).containsExactly("room-2");
        assertThat(a.queuedRooms(10)).containsExactly("room-3");
        RoomRow released = PostgresRoomStoreTest.read(a, "room-1");
        assertThat(released.host()).isNull();
        assertThat(released.queuedSince()).isNull();

        assertThat(release(b, "room-2", 3)).as("two slots free, one room waiting").containsExactly("room-3");
        assertThat(a.roomsHostedBy("replica-b")).containsExactly("room-3");
    }

    @Test
    void releasingGrantsNoMoreThanTheCapsAllow() {
        PostgresRoomStore a = stores.open("replica-a", room -> {}, builder -> builder.maxAgentsPerReplica(2));
        request(a, "room-1", 1, 0);
        for (int i = 2; i <= 5; i++) {
            request(a, "room-" + i, 1, i);
        }
        assertThat(release(a, "room-1", 3)).containsExactly("room-2", "room-3");
        assertThat(a.queuedRooms(10)).containsExactly("room-4", "room-5");
    }

    @Test
    void releasingPassesOverAWaitingRoomThatAnotherTransactionHolds() throws Exception {
        PostgresRoomStore a = stores.open("replica-a");
        PostgresRoomStore b = stores.open("replica-b");
        request(a, "room-1", 1, 0);
        request(a, "room-2", 1, 1);
        request(a, "room-3", 1, 2);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Future<?> holding = threads.submit(() -> b.inRoom("room-2", false, tx -> {
            locked.countDown();
            try {
                return done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        try {
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(release(a, "room-1", 1)).containsExactly("room-3");
        } finally {
            done.countDown();
        }
        holding.get(10, TimeUnit.SECONDS);
        assertThat(a.queuedRooms(10)).containsExactly("room-2");
    }

    @Test
    void releasingAWaitingRoomWithdrawsItFromTheQueue() {
        PostgresRoomStore a = stores.open("replica-a");
        request(a, "room-1", 1, 0);
        request(a, "room-2", 1, 1);
        request(a, "room-3", 1, 2);

        assertThat(release(a, "room-2", 1)).isEmpty();
        assertThat(a.queuedRooms(10)).containsExactly("room-3");
        assertThat(release(a, "room-9", 1)).as("no row").isEmpty();
    }

    @Test
    void hostHereTakesTheSlotWithoutAskingAndDeleteGivesItUp() {
        PostgresRoomStore a = stores.open("replica-a");
        request(a, "room-1", 1, 0);
        request(a, "room-2", 1, 1);
        a.inRoom("room-2", false, tx -> {
            tx.hostHere();
            assertThat(tx.row().host()).isEqualTo("replica-a");
            assertThat(tx.row().queuedSince()).isNull();
            return null;
        });
        assertThat(a.roomsHostedBy("replica-a")).containsExactly("room-1", "room-2");
        assertThat(a.queuedRooms(10)).isEmpty();

        a.inRoom("room-1", false, tx -> {
            tx.delete();
            return null;
        });
        assertThat(a.roomsHostedBy("replica-a")).containsExactly("room-2");
    }

    @Test
    void theRowARequestCreatesIsReplacedByTheWriteThatFollows() {
        PostgresRoomStore a = stores.open("replica-a");
        RoomRow row = a.inRoom("room-1", false, tx -> {
            assertThat(tx.requestSlot(1, Stores.T0)).isZero();
            assertThat(tx.row().host()).isEqualTo("replica-a");
            tx.write(new byte[] {5}, true, Stores.T0);
            return tx.row();
        });
        assertThat(PostgresRoomStoreTest.read(a, "room-1")).usingRecursiveComparison().isEqualTo(row);
        assertThat(row.host()).isEqualTo("replica-a");
        assertThat(row.state()).containsExactly(5);
    }

    private static int request(PostgresRoomStore store, String room, int maxTotal, int second) {
        Instant now = Stores.T0.plusSeconds(second);
        Integer place = store.inRoom(room, false, tx -> tx.requestSlot(maxTotal, now));
        return place;
    }

    private static List<String> release(PostgresRoomStore store, String room, int maxTotal) {
        return store.inRoom(room, false, tx -> tx.releaseSlot(maxTotal));
    }
}
