package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.http.AgentLifecycleApi;
import io.github.agentlifecycle.http.AgentLifecycleServlet;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The example server's API (same credentials as the load scripts use) served by {@link AgentLifecycleServlet} in
 * embedded Jetty instead of the JDK's HTTP server, to compare the two bindings under the same webhook load. Agents
 * are never launched: the load only sends webhooks. Runs until killed.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.JettyWebhookServer 3402
 * </pre>
 */
public final class JettyWebhookServer {
    private JettyWebhookServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        LiveKitCredentials credentials = new LiveKitCredentials("APIloadKey", "load-secret-0123456789");
        AgentLauncher noAgents = spec -> CompletableFuture.failedFuture(
                new UnsupportedOperationException("this server only takes webhooks"));
        AgentManager manager = AgentManager.builder(noAgents).build();
        manager.start();
        AgentLifecycleApi api = AgentLifecycleApi.builder(manager, TokenIssuer.builder(credentials).build(),
                LiveKitWebhooks.builder(WebhookVerifier.builder(credentials).build(), manager).build(),
                "ws://localhost:7880", "load-admin-token-0123456789").build();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new AgentLifecycleServlet(api)), api.basePath() + "/*");
        server.setHandler(context);
        server.start();
        System.out.println("listening on http://127.0.0.1:" + port + api.basePath());
        server.join();
    }
}
