/**
 * Room state shared by the replicas of a backend, kept in PostgreSQL: {@link
 * io.github.agentlifecycle.postgres.PostgresRoomStore}, an implementation of {@link
 * io.github.agentlifecycle.core.spi.SharedRoomStore} on plain JDBC.
 *
 * <p>The schema is shipped as {@code io/github/agentlifecycle/postgres/V1__agent_lifecycle.sql} (with a {@code
 * ${prefix}} placeholder for the table prefix) and applied by the store on open unless it is built with {@code
 * migrateSchema(false)}.
 *
 * <p>The module's tests run against a real PostgreSQL: the fixture {@code
 * io.github.agentlifecycle.postgres.testing.PostgresServer} (in the module's test jar) uses the server named by the
 * environment variable {@code AGENT_LIFECYCLE_TEST_JDBC_URL} (with {@code AGENT_LIFECYCLE_TEST_JDBC_USER} and {@code
 * AGENT_LIFECYCLE_TEST_JDBC_PASSWORD}) or else starts a private, throwaway cluster from the binaries of Debian's
 * {@code postgresql} package under {@code /usr/lib/postgresql/<version>/bin}.
 */
@NullMarked
package io.github.agentlifecycle.postgres;

import org.jspecify.annotations.NullMarked;
