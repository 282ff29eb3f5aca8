package io.github.agentlifecycle.postgres;

import io.github.agentlifecycle.core.spi.SharedRoomStore.RoomRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reads of the room table, inside or outside a room's transaction. */
final class RoomRows {
    private static final String COLUMNS = "name, state, open, due_at, host, queued_since";

    private final Tables tables;
    private final String selectOne;
    private final String selectOpen;
    private final String countOpen;
    private final String selectDue;
    private final String selectHosted;
    private final String selectQueued;

    RoomRows(Tables tables) {
        this.tables = tables;
        String from = " FROM " + tables.room;
        this.selectOne = "SELECT " + COLUMNS + from + " WHERE name = ?";
        this.selectOpen = "SELECT " + COLUMNS + from + " WHERE open ORDER BY name";
        this.countOpen = "SELECT count(*)" + from + " WHERE open";
        this.selectDue = "SELECT name" + from + " WHERE due_at <= ? ORDER BY due_at, name LIMIT ?";
        this.selectHosted = "SELECT name" + from + " WHERE host = ? ORDER BY name";
        this.selectQueued = "SELECT name" + from + " WHERE queued_since IS NOT NULL ORDER BY queued_since, name LIMIT ?";
    }

    Tables tables() {
        return tables;
    }

    @Nullable RoomRow one(Connection connection, String room) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(selectOne)) {
            select.setString(1, room);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? row(rows) : null;
            }
        }
    }

    List<RoomRow> open(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(selectOpen);
                ResultSet rows = select.executeQuery()) {
            List<RoomRow> open = new ArrayList<>();
            while (rows.next()) {
                open.add(row(rows));
            }
            return open;
        }
    }

    int openCount(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(countOpen);
                ResultSet rows = select.executeQuery()) {
            rows.next();
            return (int) Math.min(Integer.MAX_VALUE, rows.getLong(1));
        }
    }

    List<String> due(Connection connection, Instant now, int limit) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(selectDue)) {
            Timestamps.set(select, 1, now);
            select.setInt(2, limit);
            return names(select);
        }
    }

    List<String> hostedBy(Connection connection, String replicaId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(selectHosted)) {
            select.setString(1, replicaId);
            return names(select);
        }
    }

    List<String> queued(Connection connection, int limit) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(selectQueued)) {
            select.setInt(1, limit);
            return names(select);
        }
    }

    private static List<String> names(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return List.copyOf(names);
        }
    }

    private static RoomRow row(ResultSet rows) throws SQLException {
        return new RoomRow(rows.getString("name"), rows.getBytes("state"), rows.getBoolean("open"),
                Timestamps.get(rows, "due_at"), rows.getString("host"), Timestamps.get(rows, "queued_since"));
    }
}
