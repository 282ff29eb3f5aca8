package io.github.agentlifecycle.examples;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.ProcessAgentLauncher;
import io.github.agentlifecycle.http.AgentLifecycleApi;
import io.github.agentlifecycle.http.AgentLifecycleHttpServer;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The smallest complete embedding, as shown in the README: one agent process per room behind the JDK server. */
public final class EmbeddedBackend {
    private EmbeddedBackend() {}

    public static void main(String[] args) throws IOException {
        LiveKitCredentials credentials =
                new LiveKitCredentials(System.getenv("LIVEKIT_API_KEY"), System.getenv("LIVEKIT_API_SECRET"));
        AgentManager manager = AgentManager.builder(ProcessAgentLauncher.builder("python3", "agent.py", "start")
                .heartbeatUrl("http://127.0.0.1:3001/api/livekit/agent-report")
                .build()).build();
        manager.start();

        TokenIssuer tokens = TokenIssuer.builder(credentials).gracePeriod(manager.config().gracePeriod()).build();
        LiveKitWebhooks webhooks =
                LiveKitWebhooks.builder(WebhookVerifier.builder(credentials).build(), manager).build();
        AgentLifecycleApi api = AgentLifecycleApi.builder(manager, tokens, webhooks, System.getenv("LIVEKIT_URL"),
                System.getenv("ADMIN_TOKEN")).build();

        AgentLifecycleHttpServer server =
                AgentLifecycleHttpServer.builder(api, new InetSocketAddress("127.0.0.1", 3001)).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            manager.drain(Duration.ofMinutes(30));   // no new rooms; the conversations under way end first
            server.close();
            manager.close();
        }));
    }
}
