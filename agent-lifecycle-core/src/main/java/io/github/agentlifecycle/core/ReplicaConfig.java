package io.github.agentlifecycle.core;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * How one replica of a backend takes part in shared state (see {@link
 * AgentManager.Builder#sharedStore(io.github.agentlifecycle.core.spi.SharedRoomStore, ReplicaConfig)}). Immutable
 * and thread-safe.
 *
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>replicaId</td><td>host name and a random suffix</td><td>this replica's id, unique in the cluster; its
 * agents are recorded under it</td></tr>
 * <tr><td>lease</td><td>10 s</td><td>how long the replica counts as alive after it last renewed its lease (it
 * renews five times per lease); the rooms whose agents a dead replica hosted get new ones once it ends</td></tr>
 * <tr><td>pollInterval</td><td>1 s</td><td>how often the replica looks for due deadlines set by other replicas
 * (including dead ones) and for rooms waiting for an agent slot</td></tr>
 * </table>
 */
public final class ReplicaConfig {
    private static final int MAX_ID_LENGTH = 64;

    private final String replicaId;
    private final Duration lease;
    private final Duration pollInterval;

    private ReplicaConfig(Builder b) {
        this.replicaId = b.replicaId;
        this.lease = b.lease;
        this.pollInterval = b.pollInterval;
    }

    /** A builder preset with the defaults and a fresh replica id. */
    public static Builder builder() {
        return new Builder();
    }

    /** This replica's id. */
    public String replicaId() {
        return replicaId;
    }

    /** How long the replica counts as alive after it last renewed its lease. */
    public Duration lease() {
        return lease;
    }

    /** How often the replica looks for due deadlines and queued rooms in the shared store. */
    public Duration pollInterval() {
        return pollInterval;
    }

    @Override
    public String toString() {
        return "ReplicaConfig{replicaId=" + replicaId + ", lease=" + lease + ", pollInterval=" + pollInterval + '}';
    }

    /** Builds a {@link ReplicaConfig}. Not thread-safe; each setter checks its argument at once. */
    public static final class Builder {
        private String replicaId = defaultId();
        private Duration lease = Duration.ofSeconds(10);
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder() {}

        /** This replica's id, unique in the cluster; a name of at most 64 characters. */
        public Builder replicaId(String replicaId) {
            Require.name(replicaId, "replicaId");
            if (replicaId.length() > MAX_ID_LENGTH) {
                throw new IllegalArgumentException("replicaId must be at most " + MAX_ID_LENGTH + " characters");
            }
            this.replicaId = replicaId;
            return this;
        }

        /** How long the replica counts as alive after renewing its lease; at least 1 second. */
        public Builder lease(Duration lease) {
            if (Require.nonNull(lease, "lease").compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("lease must be at least 1 second");
            }
            this.lease = lease;
            return this;
        }

        /** How often to look for due deadlines and queued rooms; more than 0. */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Require.positive(pollInterval, "pollInterval");
            return this;
        }

        /** Builds the immutable configuration. */
        public ReplicaConfig build() {
            return new ReplicaConfig(this);
        }

        private static String defaultId() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank() || host.length() > 40 || !host.matches("[A-Za-z0-9._-]+")) {
                host = "replica";
            }
            byte[] suffix = new byte[4];
            new SecureRandom().nextBytes(suffix);
            return host + "-" + HexFormat.of().formatHex(suffix);
        }
    }
}
