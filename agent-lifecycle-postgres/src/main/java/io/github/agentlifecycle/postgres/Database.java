package io.github.agentlifecycle.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Short transactions on connections borrowed from a {@link DataSource}. Each one runs at READ COMMITTED with
 * {@code statement_timeout} and {@code lock_timeout} set to the query timeout for that transaction only, on a
 * connection whose network timeout is the query timeout plus a second (so a server that stops answering is given up
 * on too); it is committed if the work returns and rolled back if anything throws. The connection's auto-commit
 * mode and network timeout are restored and the connection is closed (returned to its pool) in every case.
 * Thread-safe.
 */
final class Database {
    private static final Executor DIRECT = Runnable::run;

    /** Work on a connection inside a transaction. */
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    private final int networkTimeoutMillis;
    private final String begin;

    Database(DataSource dataSource, Duration queryTimeout) {
        this.dataSource = dataSource;
        long millis = queryTimeout.toMillis();
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, millis + 1_000);
        this.begin = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL statement_timeout = " + millis
                + "; SET LOCAL lock_timeout = " + millis;
    }

    DataSource dataSource() {
        return dataSource;
    }

    int networkTimeoutMillis() {
        return networkTimeoutMillis;
    }

    /**
     * Runs {@code work} in one transaction on a connection of its own.
     *
     * @throws io.github.agentlifecycle.core.spi.SharedStoreUnavailableException naming {@code operation} when the
     *     database fails; runtime exceptions of {@code work} pass through after the rollback
     */
    <T> T transaction(String operation, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return transaction(connection, work);
        } catch (SQLException e) {
            throw Failures.unavailable(operation, e);
        }
    }

    private <T> T transaction(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        int networkTimeout = connection.getNetworkTimeout();
        connection.setNetworkTimeout(DIRECT, networkTimeoutMillis);
        try {
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute(begin);
            }
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            rollback(connection, e);
            throw e;
        } finally {
            restore(connection, autoCommit, networkTimeout);
        }
    }

    private static void rollback(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private static void restore(Connection connection, boolean autoCommit, int networkTimeout) {
        try {
            if (autoCommit) {
                connection.setAutoCommit(true);
            }
            connection.setNetworkTimeout(DIRECT, networkTimeout);
        } catch (SQLException e) {
            // The connection is broken; closing it is all that is left to do.
        }
    }
}
