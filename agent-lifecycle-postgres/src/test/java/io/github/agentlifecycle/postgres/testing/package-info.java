/**
 * Test fixtures for code that needs a real PostgreSQL: {@link
 * io.github.agentlifecycle.postgres.testing.PostgresServer}. Shipped in the module's test jar.
 */
@NullMarked
package io.github.agentlifecycle.postgres.testing;

import org.jspecify.annotations.NullMarked;
