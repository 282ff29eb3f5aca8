package io.github.agentlifecycle.postgres;

import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.SharedRoomStore;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SharedRoomStore} in a PostgreSQL database (version 12 or later) reached through a {@link DataSource}:
 * every replica of the backend builds one on the same database. Plain JDBC, short transactions.
 *
 * <p>Rooms are locked with transaction-level advisory locks keyed by the room's name (a room's row may not exist
 * yet), agent slots are decided under one more advisory lock, and replicas are told about rooms with {@code NOTIFY}
 * on a channel named after the table prefix, heard on a connection of the store's own held for as long as it is
 * open (when the data source is a pool, count it; {@code LISTEN} needs a session, so a pooler in between must
 * pool sessions, not transactions). The tables, created on {@link #open} unless {@link
 * Builder#migrateSchema(boolean) migrateSchema(false)}, are those of the shipped {@code
 * io/github/agentlifecycle/postgres/V1__agent_lifecycle.sql}.
 *
 * <p>Each statement is bounded by the {@linkplain Builder#queryTimeout query timeout} (as {@code statement_timeout},
 * {@code lock_timeout} and the connection's network timeout); the data source must bound connecting (for example
 * {@code PGSimpleDataSource.setConnectTimeout} or a pool's connection timeout). A database failure is thrown as a
 * {@link SharedStoreUnavailableException} whose message names the operation and the SQLState and never holds a
 * password or URL; the transaction is rolled back first. A connection is borrowed per call and always returned.
 *
 * <p>Thread-safe; its configuration is fixed by the builder. Arguments must not be null unless marked
 * {@code @Nullable}.
 */
public final class PostgresRoomStore implements SharedRoomStore {
    private static final Pattern TABLE_PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,30}");

    private final Database database;
    private final StoreSql sql;
    private final boolean migrateSchema;
    private final int maxAgentsPerReplica;
    private final Object lifecycle = new Object();
    private volatile @Nullable String replicaId;
    private @Nullable NotificationListener listener;
    private volatile boolean closed;

    private PostgresRoomStore(Builder builder) {
        this.database = new Database(builder.dataSource, builder.queryTimeout);
        this.sql = new StoreSql(new Tables(builder.tablePrefix));
        this.migrateSchema = builder.migrateSchema;
        this.maxAgentsPerReplica = builder.maxAgentsPerReplica;
    }

    /** A builder of a store on {@code dataSource}, whose connections must be PostgreSQL ones. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Creates or checks the schema, records this replica's lease and starts listening for notifications.
     *
     * @throws IllegalStateException if called twice or after {@link #close()}, or if the schema is newer than this
     *     library, or missing or older with {@code migrateSchema(false)}
     * @throws SharedStoreUnavailableException if the database fails
     */
    @Override
    public void open(String replicaId, Instant leaseUntil, Consumer<String> onNotified) {
        Require.name(replicaId, "replicaId");
        Require.nonNull(leaseUntil, "leaseUntil");
        Require.nonNull(onNotified, "onNotified");
        synchronized (lifecycle) {
            if (this.replicaId != null || closed) {
                throw new IllegalStateException("agent-lifecycle-postgres: the store can be opened once");
            }
            new SchemaMigrator(database, sql.tables, migrateSchema).prepare();
            database.transaction("open", connection -> {
                sql.replicas.upsert(connection, replicaId, leaseUntil, Map.of());
                return null;
            });
            try {
                listener = NotificationListener.start(database, sql.tables.channel, replicaId, onNotified);
            } catch (SQLException e) {
                throw Failures.unavailable("listen", e);
            }
            this.replicaId = replicaId;
        }
    }

    @Override
    public <T> @Nullable T inRoom(String room, boolean skipIfLocked, Function<RoomTransaction, T> work) {
        Require.name(room, "room");
        Require.nonNull(work, "work");
        String self = self();
        return database.transaction("inRoom", connection -> {
            PostgresRoomTransaction transaction =
                    new PostgresRoomTransaction(connection, sql, room, self, maxAgentsPerReplica);
            if (!transaction.lock(skipIfLocked)) {
                return null;
            }
            T result;
            try {
                result = work.apply(transaction);
            } finally {
                transaction.finish();
            }
            if (transaction.failed()) {
                throw new SharedStoreUnavailableException("shared room store unavailable: a statement of the room "
                        + "transaction failed; nothing was changed");
            }
            return result;
        });
    }

    @Override
    public List<RoomRow> openRooms() {
        self();
        return database.transaction("openRooms", sql.rows::open);
    }

    @Override
    public int openRoomCount() {
        self();
        return database.transaction("openRoomCount", sql.rows::openCount);
    }

    @Override
    public List<String> dueRooms(Instant now, int limit) {
        Require.nonNull(now, "now");
        Require.atLeast(limit, 0, "limit");
        self();
        return database.transaction("dueRooms", connection -> sql.rows.due(connection, now, limit));
    }

    @Override
    public List<String> roomsHostedBy(String replicaId) {
        Require.name(replicaId, "replicaId");
        self();
        return database.transaction("roomsHostedBy", connection -> sql.rows.hostedBy(connection, replicaId));
    }

    @Override
    public List<String> queuedRooms(int limit) {
        Require.atLeast(limit, 0, "limit");
        self();
        return database.transaction("queuedRooms", connection -> sql.rows.queued(connection, limit));
    }

    @Override
    public List<String> renewLease(Instant now, Instant leaseUntil, Map<String, Long> counters) {
        Require.nonNull(now, "now");
        Require.nonNull(leaseUntil, "leaseUntil");
        Require.nonNull(counters, "counters");
        counters.forEach((name, value) -> {
            Require.nonNull(name, "counter name");
            Require.nonNull(value, "counter " + name);
        });
        String self = self();
        return database.transaction("renewLease", connection -> {
            sql.replicas.upsert(connection, self, leaseUntil, counters);
            sql.replicas.forget(connection, now);
            return sql.replicas.deadHosts(connection, now);
        });
    }

    @Override
    public Map<String, Long> clusterCounters() {
        self();
        return database.transaction("clusterCounters", sql.replicas::counters);
    }

    @Override
    public void notifyReplica(String replicaId, String room) {
        Require.name(replicaId, "replicaId");
        Require.name(room, "room");
        self();
        database.transaction("notifyReplica", connection -> {
            try (PreparedStatement notify = connection.prepareStatement(sql.notify)) {
                notify.setString(1, sql.tables.channel);
                notify.setString(2, replicaId);
                notify.setString(3, room);
                notify.execute();
            }
            return null;
        });
    }

    @Override
    public int maxAgentsPerReplica() {
        return maxAgentsPerReplica;
    }

    /** Stops listening and ends this replica's lease (best effort: failures are ignored). Idempotent. */
    @Override
    public void close() {
        String self;
        NotificationListener stopping;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            self = replicaId;
            stopping = listener;
            listener = null;
            replicaId = null;
        }
        if (stopping != null) {
            stopping.close();
        }
        if (self != null) {
            try {
                database.transaction("close", connection -> {
                    sql.replicas.expire(connection, self);
                    return null;
                });
            } catch (SharedStoreUnavailableException e) {
                // The lease then ends when it runs out.
            }
        }
    }

    private String self() {
        String self = replicaId;
        if (self == null) {
            throw new IllegalStateException("agent-lifecycle-postgres: the store is "
                    + (closed ? "closed" : "not open yet"));
        }
        return self;
    }

    /** Builds a {@link PostgresRoomStore}; each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private final DataSource dataSource;
        private String tablePrefix = "agent_lifecycle_";
        private boolean migrateSchema = true;
        private int maxAgentsPerReplica = Integer.MAX_VALUE;
        private Duration queryTimeout = Duration.ofSeconds(5);

        private Builder(DataSource dataSource) {
            this.dataSource = Require.nonNull(dataSource, "dataSource");
        }

        /**
         * The prefix of the store's table names, its advisory lock keys and its notification channel; several
         * stores with different prefixes can share a database. Default {@code agent_lifecycle_}.
         *
         * @throws IllegalArgumentException unless it matches {@code [a-z_][a-z0-9_]{0,30}}
         */
        public Builder tablePrefix(String tablePrefix) {
            Require.nonNull(tablePrefix, "tablePrefix");
            if (!TABLE_PREFIX.matcher(tablePrefix).matches()) {
                throw new IllegalArgumentException("tablePrefix must match " + TABLE_PREFIX.pattern());
            }
            this.tablePrefix = tablePrefix;
            return this;
        }

        /**
         * Whether {@link #open} creates or migrates the schema (default), or only checks that its version is the one
         * this library uses, for databases migrated with the shipped SQL by other means.
         */
        public Builder migrateSchema(boolean migrateSchema) {
            this.migrateSchema = migrateSchema;
            return this;
        }

        /**
         * How many agent slots one replica may hold, for agents that run on the replica's own host (local processes
         * use its CPU). Default {@link Integer#MAX_VALUE}: only the cluster's total counts.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxAgentsPerReplica(int maxAgentsPerReplica) {
            this.maxAgentsPerReplica = Require.atLeast(maxAgentsPerReplica, 1, "maxAgentsPerReplica");
            return this;
        }

        /**
         * How long one statement, or one wait for a lock, may take before the call fails with {@link
         * SharedStoreUnavailableException}. Default 5 seconds.
         *
         * @throws IllegalArgumentException unless between 1 millisecond and {@link Integer#MAX_VALUE} milliseconds
         */
        public Builder queryTimeout(Duration queryTimeout) {
            Require.positive(queryTimeout, "queryTimeout");
            if (queryTimeout.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("queryTimeout must be >= 1 ms");
            }
            if (queryTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE - 1_000)) > 0) {
                throw new IllegalArgumentException("queryTimeout must be <= " + (Integer.MAX_VALUE - 1_000) + " ms");
            }
            this.queryTimeout = queryTimeout;
            return this;
        }

        /** A store with this configuration, not open yet. */
        public PostgresRoomStore build() {
            return new PostgresRoomStore(this);
        }
    }
}
