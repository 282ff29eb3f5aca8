package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.ReplicaConfig;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.http.AgentLifecycleApi;
import io.github.agentlifecycle.http.ApiRequest;
import io.github.agentlifecycle.http.ApiResponse;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import io.github.agentlifecycle.livekit.testing.WebhookSigner;
import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API of a replica whose database goes down and comes back: token requests and webhooks answer 503 with a
 * clear message within a bounded time, change nothing, and work again once the database is back, without a restart.
 */
class DatabaseOutageApiTest {
    private static final String ADMIN = "admin-token-0123456789";

    private PostgresServer server;
    private HikariDataSource pool;
    private AgentManager manager;
    private RecordingLauncher launcher;
    private AgentLifecycleApi api;

    @BeforeEach
    void start() {
        server = PostgresServer.startPrivate();
        PostgresServer.Database database = server.newDatabase();
        HikariConfig config = new HikariConfig();
        config.setDataSource(database.dataSource());
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(2_000);
        pool = new HikariDataSource(config);
        launcher = new RecordingLauncher();
        manager = AgentManager.builder(launcher)
                .executor(Runnable::run)
                .sharedStore(PostgresRoomStore.builder(pool).queryTimeout(Duration.ofSeconds(2)).build(),
                        ReplicaConfig.builder().replicaId("replica-a").build())
                .build();
        manager.start();
        TokenIssuer tokens = TokenIssuer.builder(WebhookFixture.CREDENTIALS).build();
        LiveKitWebhooks webhooks = LiveKitWebhooks.builder(WebhookVerifier.builder(WebhookFixture.CREDENTIALS).build(),
                manager).build();
        api = AgentLifecycleApi.builder(manager, tokens, webhooks, "ws://localhost:7880", ADMIN).build();
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void answers503WhileTheDatabaseIsDownAndServesAgainOnceItIsBack() {
        ApiResponse first = token("room-a");
        assertThat(first.status()).as(text(first)).isEqualTo(200);
        server.stop();

        long started = System.nanoTime();
        ApiResponse token = token("room-b");
        ApiResponse webhook = webhook("room-b", "EV_outage");
        ApiResponse rooms = api.handle(request("GET", "/rooms", new byte[0], Map.of("Authorization", "Bearer " + ADMIN)));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        for (ApiResponse answer : List.of(token, webhook, rooms)) {
            assertThat(answer.status()).isEqualTo(503);
            assertThat(text(answer)).contains("state_unavailable").doesNotContain(ADMIN);
            assertThat(answer.headers()).containsKey("Retry-After");
        }
        assertThat(took).as("three answers while the database is down").isLessThan(Duration.ofSeconds(30));
        assertThat(launcher.launchesIn("room-b")).as("nothing half-applied").isEmpty();

        server.start();
        Awaits.until(Duration.ofSeconds(20), () -> token("room-b").status() == 200);
        assertThat(launcher.launchesIn("room-b")).hasSize(1);
        assertThat(webhook("room-b", "EV_outage").status()).isEqualTo(200);
        assertThat(webhook("room-b", "EV_outage").status()).isEqualTo(200);
        assertThat(manager.room("room-b").orElseThrow().humanCount()).isEqualTo(1);
    }

    private ApiResponse token(String room) {
        byte[] body = ("{\"roomName\":\"" + room + "\",\"participantIdentity\":\"alice\",\"participantName\":\"Alice\",\"role\":\"client\"}")
                .getBytes(StandardCharsets.UTF_8);
        return api.handle(request("POST", "/token", body, Map.of("Content-Type", "application/json")));
    }

    private ApiResponse webhook(String room, String eventId) {
        byte[] body = ("{\"event\":\"participant_joined\",\"id\":\"" + eventId + "\",\"createdAt\":\""
                + System.currentTimeMillis() / 1000 + "\",\"room\":{\"name\":\"" + room + "\",\"sid\":\"RM_1\"},"
                + "\"participant\":{\"sid\":\"PA_1\",\"identity\":\"alice\",\"kind\":\"STANDARD\"}}")
                .getBytes(StandardCharsets.UTF_8);
        return api.handle(request("POST", "/webhook", body, Map.of("Content-Type", "application/webhook+json",
                "Authorization", WebhookSigner.authorization(body))));
    }

    private static ApiRequest request(String method, String path, byte[] body, Map<String, String> headers) {
        Map<String, List<String>> all = new java.util.HashMap<>();
        headers.forEach((name, value) -> all.put(name, List.of(value)));
        return new ApiRequest(method, "/api/livekit" + path, all, body);
    }

    private static String text(ApiResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
