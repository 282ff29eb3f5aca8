-- agent-lifecycle-postgres schema, version 1.
--
-- ${prefix} stands for the table prefix, agent_lifecycle_ by default (PostgresRoomStore.Builder#tablePrefix).
-- PostgresRoomStore applies this file itself unless built with migrateSchema(false). To run it with your own
-- migrations instead, substitute the prefix (Flyway and Liquibase do so for a placeholder named prefix) and build
-- the store with migrateSchema(false). Tables are created in the connection's current schema (search_path).
-- Each version's file sets the schema version it leaves behind.

-- One row per room: the engine's record (opaque bytes) and the columns the store works with.
CREATE TABLE ${prefix}room (
    name         text        PRIMARY KEY,
    state        bytea       NOT NULL,
    open         boolean     NOT NULL,
    due_at       timestamptz NULL,
    host         text        NULL,
    queued_since timestamptz NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX ${prefix}room_due_at_idx ON ${prefix}room (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX ${prefix}room_host_idx ON ${prefix}room (host) WHERE host IS NOT NULL;
CREATE INDEX ${prefix}room_queued_since_idx ON ${prefix}room (queued_since, name) WHERE queued_since IS NOT NULL;

-- Webhook event ids seen, each remembered until keep_until.
CREATE TABLE ${prefix}event_id (
    id         text        PRIMARY KEY,
    keep_until timestamptz NOT NULL
);
CREATE INDEX ${prefix}event_id_keep_until_idx ON ${prefix}event_id (keep_until);

-- One row per replica: its liveness lease and the counters it published last (counter_names[i] = counter_values[i]).
CREATE TABLE ${prefix}replica (
    id             text        PRIMARY KEY,
    lease_until    timestamptz NOT NULL,
    counter_names  text[]      NOT NULL,
    counter_values bigint[]    NOT NULL
);

-- The schema version, in a single row.
CREATE TABLE ${prefix}schema_version (
    version integer NOT NULL
);
CREATE UNIQUE INDEX ${prefix}schema_version_single_row ON ${prefix}schema_version ((true));
INSERT INTO ${prefix}schema_version (version) VALUES (1);
