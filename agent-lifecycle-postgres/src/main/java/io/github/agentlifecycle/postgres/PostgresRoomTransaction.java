package io.github.agentlifecycle.postgres;

import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.SharedRoomStore.RoomRow;
import io.github.agentlifecycle.core.spi.SharedRoomStore.RoomTransaction;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One room's transaction, on a connection that holds the room's advisory lock. The row is read once and then kept
 * up to date by this transaction's own writes: while the lock is held nothing else changes it. Once a statement
 * fails the transaction is marked failed and rolled back when the work returns, whatever the work did with the
 * exception. Not thread-safe; valid only until {@link #finish()}.
 */
final class PostgresRoomTransaction implements RoomTransaction {

    /** One statement step. */
    private interface Step<T extends @Nullable Object> {
        T run() throws SQLException;
    }

    private final Connection connection;
    private final StoreSql sql;
    private final String room;
    private final String replicaId;
    private final int maxAgentsPerReplica;
    private boolean loaded;
    private @Nullable RoomRow row;
    private boolean failed;
    private boolean finished;

    PostgresRoomTransaction(Connection connection, StoreSql sql, String room, String replicaId,
            int maxAgentsPerReplica) {
        this.connection = connection;
        this.sql = sql;
        this.room = room;
        this.replicaId = replicaId;
        this.maxAgentsPerReplica = maxAgentsPerReplica;
    }

    /** Takes the room's lock, waiting for it unless {@code skipIfLocked}; returns whether it is held. */
    boolean lock(boolean skipIfLocked) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(skipIfLocked ? sql.tryLockRoom : sql.lockRoom)) {
            lock.setInt(1, sql.tables.roomLockKey);
            lock.setString(2, room);
            try (ResultSet rows = lock.executeQuery()) {
                return !skipIfLocked || (rows.next() && rows.getBoolean(1));
            }
        }
    }

    /** Ends this transaction's use: its methods throw from now on. */
    void finish() {
        finished = true;
    }

    /** Whether a statement failed, so that the database transaction must be rolled back. */
    boolean failed() {
        return failed;
    }

    @Override
    public @Nullable RoomRow row() {
        return step("row", this::current);
    }

    @Override
    public void write(byte[] state, boolean open, @Nullable Instant dueAt) {
        Require.nonNull(state, "state");
        step("write", () -> {
            try (PreparedStatement upsert = connection.prepareStatement(sql.write)) {
                upsert.setString(1, room);
                upsert.setBytes(2, state);
                upsert.setBoolean(3, open);
                Timestamps.set(upsert, 4, dueAt);
                try (ResultSet rows = upsert.executeQuery()) {
                    rows.next();
                    row = new RoomRow(room, state.clone(), open, dueAt == null ? null : Timestamps.stored(dueAt),
                            rows.getString("host"), Timestamps.get(rows, "queued_since"));
                    loaded = true;
                }
            }
            return null;
        });
    }

    @Override
    public void delete() {
        step("delete", () -> {
            try (PreparedStatement delete = connection.prepareStatement(sql.delete)) {
                delete.setString(1, room);
                delete.executeUpdate();
            }
            row = null;
            loaded = true;
            return null;
        });
    }

    @Override
    public boolean firstSighting(String eventId, Instant now, Instant keepUntil) {
        Require.nonNull(eventId, "eventId");
        Require.nonNull(now, "now");
        Require.nonNull(keepUntil, "keepUntil");
        return step("firstSighting", () -> {
            try (PreparedStatement upsert = connection.prepareStatement(sql.firstSighting)) {
                upsert.setString(1, eventId);
                Timestamps.set(upsert, 2, keepUntil);
                Timestamps.set(upsert, 3, now);
                return upsert.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int requestSlot(int maxTotal, Instant now) {
        Require.atLeast(maxTotal, 0, "maxTotal");
        Require.nonNull(now, "now");
        return step("requestSlot", () -> {
            RoomRow before = current();
            if (before != null && before.host() != null) {
                return 0;
            }
            sql.slots.lockCapacity(connection);
            Instant since = before == null ? null : before.queuedSince();
            long ahead = sql.slots.queuedAhead(connection, since, room);
            if (ahead == 0) {
                Slots.Counts held = sql.slots.counts(connection, replicaId);
                if (held.cluster() < maxTotal && held.replica() < maxAgentsPerReplica) {
                    setSlot(replicaId, null);
                    return 0;
                }
            }
            if (since == null) {
                since = Timestamps.stored(now);
                setSlot(null, since);
                ahead = sql.slots.queuedAhead(connection, since, room);
            }
            return (int) Math.min(Integer.MAX_VALUE, ahead + 1);
        });
    }

    @Override
    public List<String> releaseSlot(int maxTotal) {
        Require.atLeast(maxTotal, 0, "maxTotal");
        return step("releaseSlot", () -> {
            RoomRow before = current();
            if (before == null || (before.host() == null && before.queuedSince() == null)) {
                return List.of();
            }
            setSlot(null, null);
            if (before.host() == null) {
                return List.of();
            }
            sql.slots.lockCapacity(connection);
            return sql.slots.grantWaiting(connection, replicaId, maxTotal, maxAgentsPerReplica);
        });
    }

    @Override
    public void hostHere() {
        step("hostHere", () -> {
            setSlot(replicaId, null);
            return null;
        });
    }

    /** Sets the slot columns; a row already read is kept up to date, one not read yet is read when asked for. */
    private void setSlot(@Nullable String host, @Nullable Instant queuedSince) throws SQLException {
        sql.slots.set(connection, room, host, queuedSince);
        if (loaded) {
            RoomRow before = row;
            row = before == null
                    ? new RoomRow(room, new byte[0], true, null, host, queuedSince)
                    : new RoomRow(room, before.state(), before.open(), before.dueAt(), host, queuedSince);
        }
    }

    private @Nullable RoomRow current() throws SQLException {
        if (!loaded) {
            row = sql.rows.one(connection, room);
            loaded = true;
        }
        return row;
    }

    private <T extends @Nullable Object> T step(String operation, Step<T> step) {
        if (finished) {
            throw new IllegalStateException("the room transaction has ended; use it only inside inRoom");
        }
        if (failed) {
            throw new SharedStoreUnavailableException("shared room store unavailable: " + operation
                    + " after an earlier statement of the room transaction failed; it is rolled back");
        }
        try {
            return step.run();
        } catch (SQLException e) {
            failed = true;
            throw Failures.unavailable(operation + " in room transaction", e);
        }
    }
}
