package io.github.agentlifecycle.postgres;

import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The stores one test opens, on tables of a prefix of the test's own (so tests sharing a database never see each
 * other's rows), closed together when the test ends.
 */
final class Stores implements AutoCloseable {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    final PostgresServer.Database database;
    final String prefix;
    private final List<PostgresRoomStore> stores = new ArrayList<>();

    Stores(PostgresServer.Database database) {
        this.database = database;
        this.prefix = "t" + PREFIXES.incrementAndGet() + "_";
    }

    /** A builder on this test's tables. */
    PostgresRoomStore.Builder builder() {
        return PostgresRoomStore.builder(database.dataSource()).tablePrefix(prefix);
    }

    /** An open store of replica {@code replicaId}, leased for a day from {@link #T0}. */
    PostgresRoomStore open(String replicaId) {
        return open(replicaId, room -> {}, builder -> builder);
    }

    PostgresRoomStore open(String replicaId, Consumer<String> onNotified,
            UnaryOperator<PostgresRoomStore.Builder> configure) {
        PostgresRoomStore store = track(configure.apply(builder()).build());
        store.open(replicaId, T0.plusSeconds(86_400), onNotified);
        return store;
    }

    /** Closes {@code store} with the others when the test ends. */
    synchronized PostgresRoomStore track(PostgresRoomStore store) {
        stores.add(store);
        return store;
    }

    /** Runs {@code sql} on this test's database in its own connection. */
    void execute(String sql) {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql.replace("${prefix}", prefix));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row {@code sql} returns, as a long. */
    long queryLong(String sql) {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql.replace("${prefix}", prefix))) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        stores.forEach(PostgresRoomStore::close);
        stores.clear();
    }
}
