package io.github.agentlifecycle.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Brings the database's schema to the version this library uses, or checks that it is there. Runs in one transaction
 * holding the schema advisory lock (a transaction-level one, so a pooled connection never keeps it), so replicas that
 * start together apply each version once: the others wait, then find it applied. Versions are the shipped files
 * {@code V<n>__agent_lifecycle.sql}; each sets the version it leaves behind.
 */
final class SchemaMigrator {
    /** The schema version this library reads and writes. */
    static final int VERSION = 1;

    private static final String RESOURCE = "V%d__agent_lifecycle.sql";

    private final Database database;
    private final Tables tables;
    private final boolean migrate;

    SchemaMigrator(Database database, Tables tables, boolean migrate) {
        this.database = database;
        this.tables = tables;
        this.migrate = migrate;
    }

    /**
     * Creates or migrates the schema if allowed, then checks its version.
     *
     * @throws IllegalStateException in one line, when the schema is newer than {@link #VERSION}, or missing or older
     *     and not to be migrated, or cannot be created for want of privileges
     */
    void prepare() {
        int version = database.transaction("schema check", connection -> {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, 0)")) {
                lock.setInt(1, tables.schemaLockKey);
                lock.execute();
            }
            int found = version(connection);
            if (found < VERSION && migrate) {
                for (int next = found + 1; next <= VERSION; next++) {
                    apply(connection, next);
                }
                found = version(connection);
            }
            return found;
        });
        if (version > VERSION) {
            throw new IllegalStateException("agent-lifecycle-postgres: database schema version " + version
                    + " is newer than this library supports (" + VERSION + "); upgrade the library");
        }
        if (version < VERSION) {
            throw new IllegalStateException("agent-lifecycle-postgres: database schema "
                    + (version == 0 ? "is missing" : "version " + version + " is older than " + VERSION)
                    + " (tables " + tables.prefix + "*); run the shipped " + resource(version + 1)
                    + (VERSION > version + 1 ? " and later files" : "") + " or build the store with migrateSchema(true)");
        }
    }

    /** The shipped SQL of {@code version}, with {@code ${prefix}} still in it. */
    static String sql(int version) {
        String name = resource(version);
        try (InputStream in = SchemaMigrator.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("agent-lifecycle-postgres: resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("agent-lifecycle-postgres: cannot read resource " + name, e);
        }
    }

    private static String resource(int version) {
        return String.format(RESOURCE, version);
    }

    private int version(Connection connection) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, tables.schemaVersion);
            try (ResultSet rows = exists.executeQuery()) {
                rows.next();
                if (!rows.getBoolean(1)) {
                    return 0;
                }
            }
        }
        try (Statement select = connection.createStatement();
                ResultSet rows = select.executeQuery("SELECT max(version) FROM " + tables.schemaVersion)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private void apply(Connection connection, int version) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(tables.substitute(sql(version)));
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && state.startsWith("42")) {
                throw new IllegalStateException("agent-lifecycle-postgres: cannot apply " + resource(version)
                        + " (SQLState " + state + ": " + Failures.reason(state) + "); fix the database, or apply the "
                        + "file yourself and build the store with migrateSchema(false)", e);
            }
            throw e;
        }
    }
}
