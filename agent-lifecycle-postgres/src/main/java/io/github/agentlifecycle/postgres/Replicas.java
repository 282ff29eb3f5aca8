package io.github.agentlifecycle.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The statements on the replica and event id tables: leases, published counters and forgetting. Immutable. */
final class Replicas {
    /** How long a replica row outlives its lease once it hosts no room, so its counters still count for a while. */
    static final Duration KEEP_ENDED = Duration.ofDays(1);
    /** Event ids deleted per statement, and statements per lease renewal, so one renewal stays short. */
    static final int FORGET_BATCH = 1_000;
    static final int FORGET_BATCHES = 10;

    private final String upsert;
    private final String expire;
    private final String forgetEventIds;
    private final String forgetReplicas;
    private final String deadHosts;
    private final String counters;

    Replicas(Tables tables) {
        this.upsert = "INSERT INTO " + tables.replica + " (id, lease_until, counter_names, counter_values)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until,"
                + " counter_names = EXCLUDED.counter_names, counter_values = EXCLUDED.counter_values";
        this.expire = "UPDATE " + tables.replica + " SET lease_until = least(lease_until, now()) WHERE id = ?";
        this.forgetEventIds = "DELETE FROM " + tables.eventId + " WHERE id IN (SELECT id FROM " + tables.eventId
                + " WHERE keep_until <= ? LIMIT " + FORGET_BATCH + " FOR UPDATE SKIP LOCKED)";
        this.forgetReplicas = "DELETE FROM " + tables.replica + " AS r WHERE r.lease_until < ?"
                + " AND NOT EXISTS (SELECT 1 FROM " + tables.room + " WHERE host = r.id)";
        this.deadHosts = "SELECT DISTINCT room.host FROM " + tables.room + " AS room LEFT JOIN " + tables.replica
                + " AS r ON r.id = room.host WHERE room.host IS NOT NULL AND (r.id IS NULL OR r.lease_until < ?)"
                + " ORDER BY 1";
        this.counters = "SELECT c.name, sum(c.value)::bigint FROM " + tables.replica + " AS r,"
                + " unnest(r.counter_names, r.counter_values) AS c(name, value) GROUP BY c.name ORDER BY c.name";
    }

    /** Records {@code replicaId}'s lease and counters, creating its row if needed. */
    void upsert(Connection connection, String replicaId, Instant leaseUntil, Map<String, Long> counters)
            throws SQLException {
        TreeMap<String, Long> sorted = new TreeMap<>(counters);
        Array names = connection.createArrayOf("text", sorted.keySet().toArray(new String[0]));
        Array values = connection.createArrayOf("bigint", sorted.values().toArray(new Long[0]));
        try (PreparedStatement statement = connection.prepareStatement(upsert)) {
            statement.setString(1, replicaId);
            Timestamps.set(statement, 2, leaseUntil);
            statement.setArray(3, names);
            statement.setArray(4, values);
            statement.executeUpdate();
        } finally {
            names.free();
            values.free();
        }
    }

    /** Ends {@code replicaId}'s lease now (by the database's clock), keeping its row and counters. */
    void expire(Connection connection, String replicaId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(expire)) {
            statement.setString(1, replicaId);
            statement.executeUpdate();
        }
    }

    /**
     * Forgets event ids no longer remembered at {@code now} (at most {@link #FORGET_BATCH} times {@link
     * #FORGET_BATCHES}; the rest next time) and the rows of replicas whose lease ended {@link #KEEP_ENDED} before
     * {@code now} and that host no room.
     */
    void forget(Connection connection, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(forgetEventIds)) {
            Timestamps.set(statement, 1, now);
            for (int i = 0; i < FORGET_BATCHES; i++) {
                if (statement.executeUpdate() < FORGET_BATCH) {
                    break;
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(forgetReplicas)) {
            Timestamps.set(statement, 1, now.minus(KEEP_ENDED));
            statement.executeUpdate();
        }
    }

    /** The replicas that host a room but whose lease ended before {@code now}, or that have no row at all. */
    List<String> deadHosts(Connection connection, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(deadHosts)) {
            Timestamps.set(statement, 1, now);
            try (ResultSet rows = statement.executeQuery()) {
                List<String> dead = new ArrayList<>();
                while (rows.next()) {
                    dead.add(rows.getString(1));
                }
                return List.copyOf(dead);
            }
        }
    }

    /** The sums by name of every replica row's counters, sorted by name. */
    Map<String, Long> counters(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(counters);
                ResultSet rows = statement.executeQuery()) {
            Map<String, Long> sums = new TreeMap<>();
            while (rows.next()) {
                sums.put(rows.getString(1), rows.getLong(2));
            }
            return Collections.unmodifiableMap(sums);
        }
    }
}
