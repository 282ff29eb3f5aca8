package io.github.agentlifecycle.postgres;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.jspecify.annotations.Nullable;

/**
 * Listens on the store's channel on a connection of its own, on one daemon thread, and hands the room of every
 * payload {@code "<replica id>\n<room>"} addressed to this replica to the callback. When the connection fails it
 * reconnects with a backoff capped at {@link #MAX_BACKOFF_MILLIS}, logging one warning per outage; notifications
 * sent while it was away are lost (the engine's periodic checks cover them). A callback that throws is logged and
 * the listener goes on. Thread-safe.
 */
final class NotificationListener implements AutoCloseable {
    static final String THREAD_NAME = "agent-lifecycle-postgres-listen";
    static final long MIN_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final int POLL_MILLIS = 200;
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long JOIN_MILLIS = 5_000;
    private static final Executor DIRECT = Runnable::run;
    private static final System.Logger LOG = System.getLogger(NotificationListener.class.getName());

    private final DataSource dataSource;
    private final String channel;
    private final String replicaId;
    private final Consumer<String> onNotified;
    private final int networkTimeoutMillis;
    private final Thread thread;
    private volatile boolean running = true;

    private NotificationListener(Database database, String channel, String replicaId, Consumer<String> onNotified,
            Connection first) {
        this.dataSource = database.dataSource();
        this.channel = channel;
        this.replicaId = replicaId;
        this.onNotified = onNotified;
        this.networkTimeoutMillis = database.networkTimeoutMillis();
        this.thread = new Thread(() -> run(first), THREAD_NAME);
        thread.setDaemon(true);
    }

    /**
     * Listens from now on: the first connection is made before this returns, so no notification sent afterwards
     * is missed.
     *
     * @throws java.sql.SQLException when the first connection fails
     */
    static NotificationListener start(Database database, String channel, String replicaId,
            Consumer<String> onNotified) throws SQLException {
        Connection first = connect(database.dataSource(), channel, database.networkTimeoutMillis());
        NotificationListener listener = new NotificationListener(database, channel, replicaId, onNotified, first);
        listener.thread.start();
        return listener;
    }

    /**
     * Stops listening, waiting a bounded time (one poll, normally) for the thread to end: it stops listening and
     * hands the connection back, so that a pool keeps it.
     */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    private void run(Connection first) {
        @Nullable Connection connection = first;
        boolean down = false;
        long backoff = MIN_BACKOFF_MILLIS;
        long checked = System.nanoTime();
        while (running) {
            try {
                if (connection == null) {
                    connection = connect(dataSource, channel, networkTimeoutMillis);
                    checked = System.nanoTime();
                    if (down) {
                        LOG.log(Level.INFO, "agent-lifecycle-postgres: listening for notifications again");
                    }
                    down = false;
                    backoff = MIN_BACKOFF_MILLIS;
                }
                deliver(connection.unwrap(PGConnection.class).getNotifications(POLL_MILLIS));
                if (System.nanoTime() - checked > CHECK_NANOS) {
                    try (Statement check = connection.createStatement()) {
                        check.execute("SELECT 1");
                    }
                    checked = System.nanoTime();
                }
            } catch (SQLException | RuntimeException e) {
                release(connection);
                connection = null;
                if (!running) {
                    break;
                }
                if (!down) {
                    down = true;
                    LOG.log(Level.WARNING, "agent-lifecycle-postgres: notifications interrupted, reconnecting: "
                            + (e instanceof SQLException ? Failures.unavailable("listen", (SQLException) e)
                                    .getMessage() : e.toString()));
                }
                if (!sleep(backoff)) {
                    break;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
        release(connection);
    }

    private void deliver(PGNotification @Nullable [] notifications) {
        if (notifications == null) {
            return;
        }
        for (PGNotification notification : notifications) {
            String payload = notification.getParameter();
            int newline = payload.indexOf('\n');
            if (newline != replicaId.length() || !payload.startsWith(replicaId)) {
                continue;
            }
            String room = payload.substring(newline + 1);
            try {
                onNotified.accept(room);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "agent-lifecycle-postgres: notification callback failed for room " + room, e);
            }
        }
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static Connection connect(DataSource dataSource, String channel, int networkTimeoutMillis)
            throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setNetworkTimeout(DIRECT, networkTimeoutMillis);
            connection.setAutoCommit(true);
            if (!connection.isWrapperFor(PGConnection.class)) {
                throw new IllegalStateException("agent-lifecycle-postgres: the DataSource's connections are not "
                        + "PostgreSQL ones (they do not unwrap to org.postgresql.PGConnection)");
            }
            try (Statement listen = connection.createStatement()) {
                listen.execute("LISTEN " + channel);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            release(connection);
            throw e;
        }
    }

    /** Stops listening on {@code connection} (it may be a pooled one) and closes it, ignoring failures. */
    private static void release(@Nullable Connection connection) {
        if (connection == null) {
            return;
        }
        try (connection; Statement unlisten = connection.createStatement()) {
            unlisten.execute("UNLISTEN *");
        } catch (SQLException | RuntimeException e) {
            // Closing is best effort: a broken connection is closed by the driver.
        }
    }
}
