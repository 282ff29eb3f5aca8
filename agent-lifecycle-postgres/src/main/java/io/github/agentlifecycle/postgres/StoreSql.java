package io.github.agentlifecycle.postgres;

/** The statements of one table prefix, built once per store. Immutable. */
final class StoreSql {
    final Tables tables;
    final RoomRows rows;
    final Slots slots;
    final Replicas replicas;
    final String lockRoom;
    final String tryLockRoom;
    final String write;
    final String delete;
    final String firstSighting;
    final String notify;

    StoreSql(Tables tables) {
        this.tables = tables;
        this.rows = new RoomRows(tables);
        this.slots = new Slots(tables);
        this.replicas = new Replicas(tables);
        this.lockRoom = "SELECT pg_advisory_xact_lock(?, hashtext(?))";
        this.tryLockRoom = "SELECT pg_try_advisory_xact_lock(?, hashtext(?))";
        this.write = "INSERT INTO " + tables.room + " (name, state, open, due_at, updated_at) VALUES (?, ?, ?, ?, now())"
                + " ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, open = EXCLUDED.open,"
                + " due_at = EXCLUDED.due_at, updated_at = now() RETURNING host, queued_since";
        this.delete = "DELETE FROM " + tables.room + " WHERE name = ?";
        this.firstSighting = "INSERT INTO " + tables.eventId + " AS seen (id, keep_until) VALUES (?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET keep_until = EXCLUDED.keep_until WHERE seen.keep_until <= ?";
        this.notify = "SELECT pg_notify(?, ? || E'\\n' || ?)";
    }
}
