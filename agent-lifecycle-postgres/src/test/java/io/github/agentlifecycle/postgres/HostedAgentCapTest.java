package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.ReplicaConfig;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * A launcher learns how many agents its host may run: with a PostgreSQL store whose cap per replica is lower than
 * {@code maxTotalAgents} (which then holds for the whole cluster), the cap per replica.
 */
class HostedAgentCapTest {

    /** Keeps the context it is started with; launches nothing. */
    private static final class ContextKeeper implements AgentLauncher {
        final CompletableFuture<LauncherContext> context = new CompletableFuture<>();

        @Override
        public void start(LauncherContext context) {
            this.context.complete(context);
        }

        @Override
        public CompletionStage<AgentHandle> launch(AgentSpec spec) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }
    }

    private int hostedCapOf(int maxTotalAgents, int maxAgentsPerReplica) {
        ContextKeeper launcher = new ContextKeeper();
        try (HikariDataSource pool = Pools.of(PostgresServer.shared().newDatabase().dataSource())) {
            AgentManager manager = AgentManager.builder(launcher)
                    .config(AgentManagerConfig.builder().maxTotalAgents(maxTotalAgents).build())
                    .sharedStore(PostgresRoomStore.builder(pool).maxAgentsPerReplica(maxAgentsPerReplica).build(),
                            ReplicaConfig.builder().replicaId("replica-a").build())
                    .build();
            try {
                manager.start();
                return launcher.context.join().maxHostedAgents();
            } finally {
                manager.close();
            }
        }
    }

    @Test
    void theStoresCapPerReplicaBoundsWhatTheHostRuns() {
        assertThat(hostedCapOf(10, 3)).isEqualTo(3);
        assertThat(hostedCapOf(10, 30)).isEqualTo(10);
    }

    @Test
    void withoutASharedStoreTheHostRunsMaxTotalAgents() {
        ContextKeeper launcher = new ContextKeeper();
        AgentManager manager = AgentManager.builder(launcher)
                .config(AgentManagerConfig.builder().maxTotalAgents(7).build())
                .build();
        manager.start();
        manager.close();
        assertThat(launcher.context.join().maxHostedAgents()).isEqualTo(7);
    }
}
