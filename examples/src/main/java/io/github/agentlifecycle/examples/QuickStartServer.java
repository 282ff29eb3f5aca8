package io.github.agentlifecycle.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.ManagerState;
import io.github.agentlifecycle.core.ProcessAgentLauncher;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import io.github.agentlifecycle.http.AgentLifecycleApi;
import io.github.agentlifecycle.http.AgentLifecycleHttpServer;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.RoomReconciler;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import io.github.agentlifecycle.postgres.PostgresRoomStore;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole library wired together from {@link ExampleConfig}: a {@link ProcessAgentLauncher} running the agent
 * command (and keeping {@code AGENT_PREWARM} of them started ahead of need), an {@link AgentManager}, LiveKit tokens
 * and webhooks, the HTTP API on the JDK's HTTP server, and a {@link RoomReconciler} that gives the rooms people are
 * in an agent right after a (re)start and repairs what lost webhooks left wrong.
 */
final class QuickStartServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuickStartServer.class);
    /** Bounds each LiveKit call, so that a LiveKit that does not answer delays the start by this much at most. */
    private static final Duration LIVEKIT_CALL_TIMEOUT = Duration.ofSeconds(5);

    private final ExampleConfig config;
    private final AgentManager manager;
    private final AgentLifecycleHttpServer http;
    private final @Nullable RoomReconciler reconciler;
    private final @Nullable HikariDataSource database;

    private QuickStartServer(ExampleConfig config, AgentManager manager, AgentLifecycleHttpServer http,
            @Nullable RoomReconciler reconciler, @Nullable HikariDataSource database) {
        this.config = config;
        this.manager = manager;
        this.http = http;
        this.reconciler = reconciler;
        this.database = database;
    }

    /**
     * Starts everything; stops what was already started when a later part fails.
     *
     * @throws IOException if the HTTP port cannot be bound
     * @throws ExampleConfigException if the agent state directory cannot be used
     */
    static QuickStartServer start(ExampleConfig config) throws IOException {
        AgentManagerConfig settings = config.managerConfig();
        // Agents mint their own LiveKit tokens, so they get the API key and secret; the admin token is the
        // server's alone.
        ProcessAgentLauncher.Builder launcher = ProcessAgentLauncher.builder(config.agentCommand())
                .withholdEnvironment("ADMIN_TOKEN")
                .heartbeatUrl(config.apiUrl() + "/agent-report")
                .environment("LIVEKIT_URL", config.livekitUrl())
                .environment("LIVEKIT_API_KEY", config.credentials().apiKey())
                .environment("LIVEKIT_API_SECRET", config.credentials().apiSecret())
                .prewarm(config.prewarm());
        if (config.agentStateDirectory() != null) {
            launcher.stateDirectory(config.agentStateDirectory());
        }
        AgentManager.Builder builder = AgentManager.builder(launcher.build())
                .config(settings);
        SharedStateConfig shared = config.sharedState();
        if (shared == null) {
            // Token and webhook handlers wait for the engine's answer anyway: running the engine on their threads
            // saves two thread hand-offs per request (see AgentManager.Builder#executor). With shared state each
            // command waits for the database, and a handler thread would run its neighbours' commands too.
            builder.executor(Runnable::run);
        }
        HikariDataSource database = shared == null ? null : pool(shared);
        if (shared != null) {
            builder.sharedStore(PostgresRoomStore.builder(database).maxAgentsPerReplica(shared.maxAgentsPerReplica())
                    .build(), shared.replica());
        }
        AgentManager manager = builder.build();
        try {
            manager.start();
        } catch (SharedStoreUnavailableException unreachable) {
            manager.close();
            database.close();
            throw new ExampleConfigException("DATABASE_URL: " + unreachable.getMessage());
        } catch (IllegalStateException unusable) {
            manager.close();
            if (database != null) {
                database.close();
            }
            throw new ExampleConfigException((unusable.getMessage().startsWith("agent-lifecycle-postgres")
                    ? "DATABASE_URL: " : "AGENT_STATE_DIR: ") + unusable.getMessage());
        }
        try {
            TokenIssuer tokens = TokenIssuer.builder(config.credentials()).gracePeriod(settings.gracePeriod()).build();
            LiveKitWebhooks webhooks = LiveKitWebhooks.builder(
                    WebhookVerifier.builder(config.credentials()).build(), manager).build();
            AgentLifecycleApi api = AgentLifecycleApi.builder(manager, tokens, webhooks, config.livekitUrl(),
                    config.adminToken()).build();
            AgentLifecycleHttpServer http = AgentLifecycleHttpServer.builder(api,
                    new InetSocketAddress(config.host(), config.port())).start();
            RoomReconciler reconciler;
            try {
                reconciler = config.reconcileInterval().isZero() ? null : restore(config, manager);
            } catch (RuntimeException e) {
                http.close();
                throw e;
            }
            return new QuickStartServer(config, manager, http, reconciler, database);
        } catch (IOException | RuntimeException e) {
            manager.close();
            if (database != null) {
                database.close();
            }
            throw e;
        }
    }

    /**
     * Takes charge of the rooms in progress, then reconciles periodically. Agent processes do not outlive this
     * server, so after a restart a room with people in it gets a new agent here at once (as does, for one grace
     * period, a room where LiveKit still lists only the old agent). A LiveKit that cannot be reached is logged, not
     * fatal: the periodic rounds restore once it answers.
     */
    private static RoomReconciler restore(ExampleConfig config, AgentManager manager) {
        RoomReconciler reconciler = RoomReconciler.builder(config.livekitUrl(), config.credentials(), manager)
                .interval(config.reconcileInterval())
                .callTimeout(LIVEKIT_CALL_TIMEOUT)
                .build();
        RoomReconciler.Report restored = reconciler.restore();
        if (restored.roomsListed() > 0) {
            LOG.info("Restored from LiveKit: {} rooms listed, {} in progress adopted", restored.roomsListed(),
                    restored.adopted());
        }
        reconciler.start();
        return reconciler;
    }

    /**
     * A small connection pool for the shared store. Getting a connection waits at most 3 s, so that a database that
     * is down gives a clear answer (503) instead of a hung request.
     */
    private static HikariDataSource pool(SharedStateConfig shared) {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(shared.jdbcUrl());
        pool.setUsername(shared.user());
        pool.setPassword(shared.password());
        pool.setMaximumPoolSize(8);
        pool.setMinimumIdle(2);
        pool.setConnectionTimeout(3_000);
        pool.setInitializationFailTimeout(-1);
        pool.setPoolName("agent-lifecycle");
        return new HikariDataSource(pool);
    }

    /** Prints where the server listens, the generated admin token and the dev-credentials warning. */
    void printBanner(PrintStream out) {
        out.println("agent-lifecycle example server listening on " + config.apiUrl());
        if (config.adminTokenGenerated()) {
            out.println("  admin token (generated, set ADMIN_TOKEN to choose one): " + config.adminToken());
        }
        out.println("  agent command: " + String.join(" ", config.agentCommand())
                + (config.prewarm() > 0 ? "" : " <room>"));
        out.println("  grace period " + config.managerConfig().gracePeriod().toMillis() + " ms, max "
                + config.managerConfig().maxTotalAgents() + " agents");
        if (config.prewarm() > 0) {
            out.println("  " + config.prewarm() + " agent processes kept started ahead of need (AGENT_PREWARM);"
                    + " each gets its room on stdin");
        }
        if (reconciler != null) {
            out.println("  reconciling rooms with LiveKit every " + config.reconcileInterval().toMillis() + " ms");
        }
        out.println("  on SIGTERM, conversations under way may go on for up to " + config.drainTimeout().toMillis()
                + " ms (DRAIN_TIMEOUT_MS) while no new room is taken");
        if (config.sharedState() != null) {
            out.println("  room state shared through " + config.sharedState().describe());
        }
        out.println("  play a whole room lifecycle: ADMIN_TOKEN=<admin token> java -jar <this jar> simulate");
        if (config.devCredentials()) {
            out.println("WARNING: LIVEKIT_API_KEY and LIVEKIT_API_SECRET are not set, so the LiveKit dev server's"
                    + " well-known credentials are in use: anyone can mint tokens and forge webhooks. Set real"
                    + " credentials for anything but local development.");
        }
        out.flush();
    }

    /**
     * Shuts down: first drains for up to the drain timeout (new rooms are refused, so that load balancers send them
     * elsewhere, while the rooms under way go on to their normal end, served as before, reconciliation included),
     * then stops accepting requests and stops what is left; with shared state, the other replicas keep the rooms.
     */
    @Override
    public void close() {
        if (!config.drainTimeout().isZero() && manager.state() == ManagerState.RUNNING) {
            LOG.info("Shutting down: draining for up to {} ms (DRAIN_TIMEOUT_MS; 0 stops every agent at once)",
                    config.drainTimeout().toMillis());
            manager.drain(config.drainTimeout());
        } else {
            LOG.info("Shutting down: stopping every agent");
        }
        if (reconciler != null) {
            reconciler.close();
        }
        http.close();
        manager.close();
        if (database != null) {
            database.close();
        }
        LOG.info("Shut down");
    }
}
