package io.github.agentlifecycle.examples;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.ProcessAgentLauncher;
import io.github.agentlifecycle.http.AgentLifecycleApi;
import io.github.agentlifecycle.http.AgentLifecycleHttpServer;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole library wired together from {@link ExampleConfig}: a {@link ProcessAgentLauncher} running the agent
 * command, an {@link AgentManager}, LiveKit tokens and webhooks, and the HTTP API on the JDK's HTTP server.
 */
final class QuickStartServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuickStartServer.class);

    private final ExampleConfig config;
    private final AgentManager manager;
    private final AgentLifecycleHttpServer http;

    private QuickStartServer(ExampleConfig config, AgentManager manager, AgentLifecycleHttpServer http) {
        this.config = config;
        this.manager = manager;
        this.http = http;
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
                .environment("LIVEKIT_API_SECRET", config.credentials().apiSecret());
        if (config.agentStateDirectory() != null) {
            launcher.stateDirectory(config.agentStateDirectory());
        }
        // Token and webhook handlers wait for the engine's answer anyway: running the engine on their threads
        // saves two thread hand-offs per request (see AgentManager.Builder#executor).
        AgentManager manager = AgentManager.builder(launcher.build())
                .config(settings)
                .executor(Runnable::run)
                .build();
        try {
            manager.start();
        } catch (IllegalStateException unusable) {
            manager.close();
            throw new ExampleConfigException("AGENT_STATE_DIR: " + unusable.getMessage());
        }
        try {
            TokenIssuer tokens = TokenIssuer.builder(config.credentials()).gracePeriod(settings.gracePeriod()).build();
            LiveKitWebhooks webhooks = LiveKitWebhooks.builder(
                    WebhookVerifier.builder(config.credentials()).build(), manager).build();
            AgentLifecycleApi api = AgentLifecycleApi.builder(manager, tokens, webhooks, config.livekitUrl(),
                    config.adminToken()).build();
            AgentLifecycleHttpServer http = AgentLifecycleHttpServer.builder(api,
                    new InetSocketAddress(config.host(), config.port())).start();
            return new QuickStartServer(config, manager, http);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Prints where the server listens, the generated admin token and the dev-credentials warning. */
    void printBanner(PrintStream out) {
        out.println("agent-lifecycle example server listening on " + config.apiUrl());
        if (config.adminTokenGenerated()) {
            out.println("  admin token (generated, set ADMIN_TOKEN to choose one): " + config.adminToken());
        }
        out.println("  agent command: " + String.join(" ", config.agentCommand()) + " <room>");
        out.println("  grace period " + config.managerConfig().gracePeriod().toMillis() + " ms, max "
                + config.managerConfig().maxTotalAgents() + " agents");
        out.println("  play a whole room lifecycle: ADMIN_TOKEN=<admin token> java -jar <this jar> simulate");
        if (config.devCredentials()) {
            out.println("WARNING: LIVEKIT_API_KEY and LIVEKIT_API_SECRET are not set, so the LiveKit dev server's"
                    + " well-known credentials are in use: anyone can mint tokens and forge webhooks. Set real"
                    + " credentials for anything but local development.");
        }
        out.flush();
    }

    /** Stops accepting requests, then stops every agent (each within the agent stop timeout). */
    @Override
    public void close() {
        LOG.info("Shutting down: stopping every agent");
        http.close();
        manager.close();
        LOG.info("Shut down");
    }
}
