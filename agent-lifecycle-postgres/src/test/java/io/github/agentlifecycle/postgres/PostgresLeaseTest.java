package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresLeaseTest extends StoreTest {
    @Test
    void renewingReturnsTheReplicasThatHostARoomButWhoseLeaseEnded() {
        PostgresRoomStore a = stores.open("replica-a");
        PostgresRoomStore b = stores.open("replica-b");
        PostgresRoomStore c = stores.open("replica-c");
        host(a, "room-a");
        host(b, "room-b");
        host(c, "room-c");
        Instant now = Stores.T0.plusSeconds(100);
        a.renewLease(Stores.T0, now.minusSeconds(1), Map.of());
        c.renewLease(Stores.T0, now, Map.of());

        assertThat(b.renewLease(now, now.plusSeconds(30), Map.of())).containsExactly("replica-a");

        stores.execute("UPDATE ${prefix}room SET host = 'replica-gone' WHERE name = 'room-c'");
        assertThat(b.renewLease(now, now.plusSeconds(30), Map.of())).containsExactly("replica-a", "replica-gone");
    }

    @Test
    void renewingForgetsEventIdsNoLongerRemembered() {
        PostgresRoomStore a = stores.open("replica-a");
        int many = Replicas.FORGET_BATCH + 10;
        stores.execute("INSERT INTO ${prefix}event_id SELECT 'old-' || i, '" + Stores.T0.plusSeconds(5)
                + "' FROM generate_series(1, " + many + ") AS i");
        a.inRoom("room-1", false, tx -> tx.firstSighting("kept", Stores.T0, Stores.T0.plusSeconds(60)));

        a.renewLease(Stores.T0.plusSeconds(5), Stores.T0.plusSeconds(60), Map.of());

        assertThat(stores.queryLong("SELECT count(*) FROM ${prefix}event_id")).isEqualTo(1);
        Boolean repeat = a.inRoom("room-1", false, tx -> tx.firstSighting("kept", Stores.T0.plusSeconds(6),
                Stores.T0.plusSeconds(60)));
        assertThat(repeat).isFalse();
        Boolean forgotten = a.inRoom("room-1", false, tx -> tx.firstSighting("old-1", Stores.T0.plusSeconds(6),
                Stores.T0.plusSeconds(60)));
        assertThat(forgotten).isTrue();
    }

    @Test
    void countersAreSummedOverEveryReplicaLiveOrNot() {
        PostgresRoomStore a = stores.open("replica-a");
        PostgresRoomStore b = stores.open("replica-b");
        assertThat(a.clusterCounters()).isEmpty();

        a.renewLease(Stores.T0, Stores.T0.plusSeconds(30), Map.of("launched", 1L, "stopped", 2L));
        b.renewLease(Stores.T0, Stores.T0.plusSeconds(30), Map.of("launched", 10L, "restarted", 5L));
        assertThat(a.clusterCounters()).containsExactly(Map.entry("launched", 11L), Map.entry("restarted", 5L),
                Map.entry("stopped", 2L));

        b.close();
        assertThat(a.clusterCounters()).containsEntry("launched", 11L);
    }

    @Test
    void replicasGoneForADayAndHostingNothingAreForgotten() {
        PostgresRoomStore a = stores.open("replica-a");
        PostgresRoomStore b = stores.open("replica-b");
        PostgresRoomStore c = stores.open("replica-c");
        host(c, "room-c");
        b.renewLease(Stores.T0, Stores.T0, Map.of("launched", 3L));
        c.renewLease(Stores.T0, Stores.T0, Map.of("launched", 4L));
        Instant later = Stores.T0.plus(Replicas.KEEP_ENDED).plusSeconds(1);

        assertThat(a.renewLease(later, later.plusSeconds(30), Map.of())).containsExactly("replica-c");

        assertThat(stores.queryLong("SELECT count(*) FROM ${prefix}replica WHERE id = 'replica-b'")).isZero();
        assertThat(a.clusterCounters()).containsExactly(Map.entry("launched", 4L));
    }

    @Test
    void closingEndsTheLeaseAtOnce() {
        PostgresRoomStore a = stores.open("replica-a");
        PostgresRoomStore b = stores.open("replica-b");
        host(a, "room-a");
        Instant now = Instant.now().plus(Duration.ofSeconds(30));
        assertThat(b.renewLease(now, now.plusSeconds(30), Map.of())).isEmpty();

        a.close();

        assertThat(b.renewLease(now, now.plusSeconds(30), Map.of())).containsExactly("replica-a");
        assertThat(b.roomsHostedBy("replica-a")).containsExactly("room-a");
    }

    private static void host(PostgresRoomStore store, String room) {
        store.inRoom(room, false, tx -> {
            tx.write(new byte[0], true, null);
            tx.hostHere();
            return null;
        });
    }
}
