package io.github.agentlifecycle.postgres;

/**
 * The names one table prefix gives the store's tables, its notification channel and its advisory lock keys.
 * Advisory locks use the two-int form: {@code (roomLockKey, hashtext(room))} for a room, {@code (capacityLockKey, 0)}
 * for the agent slots and {@code (schemaLockKey, 0)} for schema changes. The keys are derived from the prefix with
 * {@link String#hashCode()}, whose value the language specifies, so every replica and version agrees on them.
 * Immutable.
 */
final class Tables {
    final String prefix;
    final String room;
    final String eventId;
    final String replica;
    final String schemaVersion;
    final String channel;
    final int roomLockKey;
    final int capacityLockKey;
    final int schemaLockKey;

    Tables(String prefix) {
        this.prefix = prefix;
        this.room = prefix + "room";
        this.eventId = prefix + "event_id";
        this.replica = prefix + "replica";
        this.schemaVersion = prefix + "schema_version";
        this.channel = prefix + "notify";
        this.roomLockKey = ("agent-lifecycle-postgres:" + prefix).hashCode();
        this.capacityLockKey = roomLockKey + 1;
        this.schemaLockKey = roomLockKey + 2;
    }

    /** {@code sql} with every {@code ${prefix}} replaced by the prefix. */
    String substitute(String sql) {
        return sql.replace("${prefix}", prefix);
    }
}
