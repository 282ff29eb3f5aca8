package io.github.agentlifecycle.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The agent-slot statements on the room table: a room holds a slot when its {@code host} is set and waits for one
 * when its {@code queued_since} is set; the queue is ordered by {@code (queued_since, name)}. Decisions on slots are
 * made holding the capacity advisory lock, so they are taken one at a time across the cluster and each sees the
 * ones before it committed (READ COMMITTED reads what was committed when a statement starts). Immutable.
 */
final class Slots {
    private static final int GRANT_BATCH = 32;

    /** Slots held in the cluster and by one replica. */
    record Counts(long cluster, long replica) {}

    private final Tables tables;
    private final String lockCapacity;
    private final String tryLockRoom;
    private final String counts;
    private final String queuedAll;
    private final String queuedBefore;
    private final String setColumns;
    private final String firstWaiting;
    private final String nextWaiting;
    private final String grant;

    Slots(Tables tables) {
        this.tables = tables;
        String room = tables.room;
        this.lockCapacity = "SELECT pg_advisory_xact_lock(?, 0)";
        this.tryLockRoom = "SELECT pg_try_advisory_xact_lock(?, hashtext(?))";
        this.counts = "SELECT count(*), count(*) FILTER (WHERE host = ?) FROM " + room + " WHERE host IS NOT NULL";
        this.queuedAll = "SELECT count(*) FROM " + room + " WHERE queued_since IS NOT NULL";
        this.queuedBefore = queuedAll + " AND (queued_since, name) < (?, ?)";
        this.setColumns = "INSERT INTO " + room + " (name, state, open, host, queued_since, updated_at)"
                + " VALUES (?, ''::bytea, true, ?, ?, now()) ON CONFLICT (name) DO UPDATE"
                + " SET host = EXCLUDED.host, queued_since = EXCLUDED.queued_since, updated_at = now()";
        String waiting = "SELECT name, queued_since FROM " + room + " WHERE queued_since IS NOT NULL";
        String order = " ORDER BY queued_since, name LIMIT " + GRANT_BATCH;
        this.firstWaiting = waiting + order;
        this.nextWaiting = waiting + " AND (queued_since, name) > (?, ?)" + order;
        this.grant = "UPDATE " + room + " SET host = ?, queued_since = NULL, updated_at = now()"
                + " WHERE name = ? AND host IS NULL AND queued_since IS NOT NULL";
    }

    void lockCapacity(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(lockCapacity)) {
            lock.setInt(1, tables.capacityLockKey);
            lock.execute();
        }
    }

    Counts counts(Connection connection, String replicaId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(counts)) {
            select.setString(1, replicaId);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return new Counts(rows.getLong(1), rows.getLong(2));
            }
        }
    }

    /** How many rooms wait ahead of a room queued since {@code since}, or in all when {@code since} is null. */
    long queuedAhead(Connection connection, @Nullable Instant since, String room) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(since == null ? queuedAll : queuedBefore)) {
            if (since != null) {
                Timestamps.set(select, 1, since);
                select.setString(2, room);
            }
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Sets a room's slot columns, creating its row (empty state, open) if there is none. */
    void set(Connection connection, String room, @Nullable String host, @Nullable Instant queuedSince)
            throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(setColumns)) {
            upsert.setString(1, room);
            upsert.setString(2, host);
            Timestamps.set(upsert, 3, queuedSince);
            upsert.executeUpdate();
        }
    }

    /**
     * Grants slots to {@code replicaId} for the rooms waiting longest, while the cluster holds fewer than {@code
     * maxTotal} and the replica fewer than {@code maxPerReplica}. A room whose lock another transaction holds is passed
     * over (it is taken without waiting, so two releases never wait for each other); the others are locked until
     * commit.
     *
     * @return the rooms granted a slot, in queue order
     */
    List<String> grantWaiting(Connection connection, String replicaId, int maxTotal, int maxPerReplica)
            throws SQLException {
        Counts held = counts(connection, replicaId);
        long cluster = held.cluster();
        long replica = held.replica();
        List<String> granted = new ArrayList<>();
        String afterName = null;
        Instant afterSince = null;
        while (cluster < maxTotal && replica < maxPerReplica) {
            List<String> names = new ArrayList<>();
            List<Instant> since = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(afterName == null ? firstWaiting : nextWaiting)) {
                if (afterName != null) {
                    Timestamps.set(select, 1, afterSince);
                    select.setString(2, afterName);
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        names.add(rows.getString(1));
                        since.add(Timestamps.get(rows, "queued_since"));
                    }
                }
            }
            for (int i = 0; i < names.size() && cluster < maxTotal && replica < maxPerReplica; i++) {
                if (tryLock(connection, names.get(i)) && grant(connection, names.get(i), replicaId)) {
                    granted.add(names.get(i));
                    cluster++;
                    replica++;
                }
            }
            if (names.size() < GRANT_BATCH) {
                break;
            }
            afterName = names.get(names.size() - 1);
            afterSince = since.get(since.size() - 1);
        }
        return List.copyOf(granted);
    }

    private boolean tryLock(Connection connection, String room) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(tryLockRoom)) {
            lock.setInt(1, tables.roomLockKey);
            lock.setString(2, room);
            try (ResultSet rows = lock.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    private boolean grant(Connection connection, String room, String replicaId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(grant)) {
            update.setString(1, replicaId);
            update.setString(2, room);
            return update.executeUpdate() == 1;
        }
    }
}
