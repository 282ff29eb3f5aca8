package io.github.agentlifecycle.examples;

import io.github.agentlifecycle.core.ReplicaConfig;
import org.jspecify.annotations.Nullable;

/**
 * Where the quick-start server shares room state with its other replicas: a PostgreSQL database ({@code
 * DATABASE_URL}, {@code DATABASE_USER}, {@code DATABASE_PASSWORD}) and this replica's settings ({@code REPLICA_ID},
 * {@code REPLICA_LEASE_MS}, {@code MAX_AGENTS_PER_REPLICA}).
 *
 * @param jdbcUrl the database's JDBC URL
 * @param user the database user, or null for the driver's default
 * @param password the database password, or null; never printed
 * @param replica this replica's id and lease
 * @param maxAgentsPerReplica the most agents this replica runs at once
 */
record SharedStateConfig(String jdbcUrl, @Nullable String user, @Nullable String password, ReplicaConfig replica,
        int maxAgentsPerReplica) {

    /** Names the database without credentials that a URL may carry in its query. */
    String describe() {
        int query = jdbcUrl.indexOf('?');
        return (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query)) + " as replica " + replica.replicaId();
    }

    @Override
    public String toString() {
        return "SharedStateConfig{" + describe() + ", user=" + user + ", lease=" + replica.lease()
                + ", maxAgentsPerReplica=" + maxAgentsPerReplica + "}";
    }
}
