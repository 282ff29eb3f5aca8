package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PostgresNotificationTest extends StoreTest {
    @Test
    void aNotificationReachesTheAddressedReplicaOnly() throws InterruptedException {
        BlockingQueue<String> toB = new LinkedBlockingQueue<>();
        BlockingQueue<String> toC = new LinkedBlockingQueue<>();
        PostgresRoomStore a = stores.open("replica-a");
        stores.open("replica-b", toB::add, builder -> builder);
        stores.open("replica-c", toC::add, builder -> builder);

        a.notifyReplica("replica-b", "room-1");
        a.notifyReplica("replica-c", "room-2");

        assertThat(toB.poll(10, TimeUnit.SECONDS)).isEqualTo("room-1");
        assertThat(toC.poll(10, TimeUnit.SECONDS)).as("notifications from one session arrive in order")
                .isEqualTo("room-2");
        a.notifyReplica("replica-b", "marker");
        assertThat(toB.poll(10, TimeUnit.SECONDS)).as("room-2 was not for replica-b").isEqualTo("marker");
        assertThat(toC).isEmpty();
    }

    @Test
    void aCallbackThatThrowsDoesNotStopTheListener() throws InterruptedException {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        PostgresRoomStore a = stores.open("replica-a");
        stores.open("replica-b", room -> {
            heard.add(room);
            if (room.equals("bad")) {
                throw new IllegalStateException("callback fails");
            }
        }, builder -> builder);

        a.notifyReplica("replica-b", "bad");
        a.notifyReplica("replica-b", "good");

        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("bad");
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("good");
    }

    @Test
    void theListenerThreadEndsWithTheStore() {
        PostgresRoomStore store = stores.open("replica-a");
        assertThat(listenerThreads()).isPositive();
        long before = listenerThreads();
        store.close();
        Awaits.until(Duration.ofSeconds(10), () -> listenerThreads() == before - 1);
    }

    @Test
    void notifyToCallbackLatency() throws InterruptedException {
        BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        stores.open("replica-b", room -> arrivals.add(System.nanoTime()), builder -> builder);
        PostgresRoomStore connecting = stores.open("replica-a");
        measure("a new connection per call (PGSimpleDataSource)", connecting, arrivals);
        try (HikariDataSource pooled = Pools.of(database.dataSource())) {
            PostgresRoomStore reusing = stores.track(PostgresRoomStore.builder(pooled).tablePrefix(stores.prefix).build());
            reusing.open("replica-p", Stores.T0.plusSeconds(60), room -> {});
            measure("a pooled connection (HikariCP)", reusing, arrivals);
            reusing.close();
        }
    }

    private static void measure(String how, PostgresRoomStore sender, BlockingQueue<Long> arrivals)
            throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            sender.notifyReplica("replica-b", "warm-up");
            assertThat(arrivals.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
        int count = 200;
        long[] micros = new long[count];
        long[] callMicros = new long[count];
        for (int i = 0; i < count; i++) {
            long sent = System.nanoTime();
            sender.notifyReplica("replica-b", "room-" + i);
            callMicros[i] = (System.nanoTime() - sent) / 1_000;
            Long arrived = arrivals.poll(10, TimeUnit.SECONDS);
            assertThat(arrived).isNotNull();
            micros[i] = (arrived - sent) / 1_000;
        }
        Arrays.sort(micros);
        Arrays.sort(callMicros);
        System.out.printf("agent-lifecycle-postgres notify->callback latency, %s, %d notifications, sender and "
                + "listener in one JVM, local PostgreSQL: p50 %d us, p99 %d us, max %d us (the notifyReplica call "
                + "alone: p50 %d us, p99 %d us)%n", how, count, micros[count / 2], micros[count * 99 / 100 - 1],
                micros[count - 1], callMicros[count / 2], callMicros[count * 99 / 100 - 1]);
        assertThat(micros[count / 2]).isLessThan(TimeUnit.SECONDS.toMicros(1));
    }

    private static long listenerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals(NotificationListener.THREAD_NAME) && thread.isAlive())
                .count();
    }
}
