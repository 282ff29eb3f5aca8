package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class PostgresOutageTest {
    private static final String PASSWORD = "s3cret-password";

    @Test
    void anUnreachableDatabaseFailsFastWithoutSecrets() throws IOException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:" + closedPort() + "/rooms?password=" + PASSWORD);
        dataSource.setUser("someone");
        dataSource.setConnectTimeout(2);
        PostgresRoomStore store = PostgresRoomStore.builder(dataSource).build();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.open("replica-a", Stores.T0, room -> {}))
                    .isInstanceOf(SharedStoreUnavailableException.class)
                    .hasMessageStartingWith("shared room store unavailable: schema check failed (SQLState 08")
                    .hasMessageNotContaining(PASSWORD)
                    .hasMessageNotContaining("jdbc:")
                    .hasMessageNotContaining("someone");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        } finally {
            store.close();
        }
    }

    @Test
    void aLockWaitIsBoundedByTheQueryTimeout() throws Exception {
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try (Stores stores = new Stores(PostgresServer.shared().newDatabase())) {
            PostgresRoomStore holder = stores.open("replica-a");
            PostgresRoomStore waiter = stores.open("replica-b", room -> {},
                    builder -> builder.queryTimeout(Duration.ofMillis(300)));
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Future<?> holding = threads.submit(() -> holder.inRoom("room-1", false, tx -> {
                locked.countDown();
                try {
                    return done.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            try {
                assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
                long start = System.nanoTime();
                assertThatThrownBy(() -> waiter.inRoom("room-1", false, tx -> "ran"))
                        .isInstanceOf(SharedStoreUnavailableException.class)
                        .hasMessageStartingWith("shared room store unavailable: inRoom failed (SQLState ")
                        .hasMessageEndingWith(" timed out)");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            } finally {
                done.countDown();
            }
            holding.get(10, TimeUnit.SECONDS);
            String ran = waiter.inRoom("room-1", false, tx -> "ran");
            assertThat(ran).isEqualTo("ran");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aStoreOutlivesARestartOfItsServer() throws Exception {
        assumeTrue(System.getenv("AGENT_LIFECYCLE_TEST_JDBC_URL") == null || PostgresServer.canStartPrivate(),
                "restarting a server needs PostgreSQL's binaries (Debian package postgresql)");
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger logger = Logger.getLogger(NotificationListener.class.getName());
        logger.addHandler(handler);
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        try (PostgresServer server = PostgresServer.startPrivate();
                Stores stores = new Stores(server.newDatabase())) {
            PostgresRoomStore a = stores.open("replica-a", room -> {},
                    builder -> builder.queryTimeout(Duration.ofSeconds(2)));
            stores.open("replica-b", heard::add, builder -> builder);
            write(a, "room-1", 1);

            server.stop();
            long start = System.nanoTime();
            assertThatThrownBy(() -> write(a, "room-1", 2)).isInstanceOf(SharedStoreUnavailableException.class)
                    .hasMessageStartingWith("shared room store unavailable: inRoom failed (SQLState 08");
            assertThatThrownBy(() -> a.notifyReplica("replica-b", "room-1"))
                    .isInstanceOf(SharedStoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            Awaits.until(Duration.ofSeconds(10), () -> !warnings.isEmpty());

            server.start();
            write(a, "room-1", 3);
            assertThat(PostgresRoomStoreTest.read(a, "room-1").state()).containsExactly(3);
            Awaits.until(Duration.ofSeconds(30), () -> {
                a.notifyReplica("replica-b", "room-1");
                try {
                    return "room-1".equals(heard.poll(200, TimeUnit.MILLISECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(warnings).as("one warning per outage from each store's listener").hasSize(2);
            assertThat(warnings.get(0).getMessage()).doesNotContain("jdbc:");
        } finally {
            logger.removeHandler(handler);
        }
    }

    private static void write(PostgresRoomStore store, String room, int value) {
        store.inRoom(room, false, tx -> {
            tx.write(new byte[] {(byte) value}, true, null);
            return null;
        });
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
