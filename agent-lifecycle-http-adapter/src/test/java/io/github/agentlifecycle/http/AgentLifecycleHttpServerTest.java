package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AgentLifecycleHttpServer.Builder#start}: a server on an ephemeral port that reports its real address,
 * mounts the API at its base path (or at the root for an empty one), answers many concurrent requests with few
 * workers, and stops listening when closed; the builder rejects bad settings at once, naming them. Slow clients are
 * covered by {@link SlowClientTest}. The routes themselves are covered by {@link JdkHttpServerApiTest}.
 */
class AgentLifecycleHttpServerTest {
    private final TestEngine engine = TestEngine.create();
    private AgentLifecycleHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        engine.close();
    }

    private AgentLifecycleHttpServer start(AgentLifecycleApi api, int threads) throws IOException {
        server = AgentLifecycleHttpServer.builder(api, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .workerThreads(threads)
                .start();
        return server;
    }

    private URI uri(String path) {
        return URI.create("http://" + server.address().getHostString() + ":" + server.address().getPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpCalls.client().send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listensOnAnEphemeralLoopbackPortAndServesTheApiAtItsBasePath() throws Exception {
        start(engine.api, 2);
        assertThat(server.address().getPort()).isPositive();
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();

        assertThat(get("/api/livekit/health").statusCode()).isEqualTo(200);
        HttpResponse<String> token = HttpCalls.client().send(HttpRequest.newBuilder(uri("/api/livekit/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(HttpCalls.json(
                        ApiContract.tokenBody("room-a", "alice", "client"))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).isEqualTo(200);
        assertThat(engine.manager.room("room-a")).isPresent();
        assertThat(get("/health").statusCode()).isEqualTo(404);
    }

    @Test
    void anEmptyBasePathMountsTheApiAtTheRoot() throws Exception {
        AgentLifecycleApi api = AgentLifecycleApi.builder(engine.manager,
                TokenIssuer.builder(WebhookFixture.CREDENTIALS).build(), engine.webhooks, TestEngine.LIVEKIT_URL,
                TestEngine.ADMIN_TOKEN).basePath("").build();
        start(api, 1);
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/stats").statusCode()).isEqualTo(401);
        HttpResponse<String> elsewhere = get("/api/livekit/health");
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        assertThat(HttpCalls.JSON.readTree(elsewhere.body()).path("error").path("code").asText())
                .isEqualTo("not_found");
    }

    @Test
    void answersManyConcurrentRequestsWithOneWorker() throws Exception {
        start(engine.api, 1);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            HttpRequest request = i % 2 == 0
                    ? HttpRequest.newBuilder(uri("/api/livekit/health")).build()
                    : HttpRequest.newBuilder(uri("/api/livekit/token")).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(HttpCalls.json(
                                    ApiContract.tokenBody("room-" + (i % 7), "p-" + i, "client"))))
                            .build();
            responses.add(HttpCalls.client().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
        assertThat(engine.manager.rooms()).hasSize(7);
        assertThat(engine.launcher.launched()).hasSize(7);
        assertThat(HttpCalls.JSON.readTree(get("/api/livekit/health").body()))
                .isEqualTo(HttpCalls.JSON.valueToTree(
                        Map.of("success", true, "data", Map.of("status", "ok", "state", "running"))));
    }

    @Test
    void stopsListeningWhenClosed() throws Exception {
        start(engine.api, 1);
        URI health = uri("/api/livekit/health");
        assertThat(get("/api/livekit/health").statusCode()).isEqualTo(200);
        server.close();
        server = null;
        assertThatThrownBy(() -> HttpCalls.client().send(HttpRequest.newBuilder(health).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void theBuilderRejectsBadSettingsAtOnceNamingThem() {
        AgentLifecycleHttpServer.Builder builder = AgentLifecycleHttpServer.builder(engine.api,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        assertThatThrownBy(() -> builder.workerThreads(0)).hasMessage("workerThreads must be >= 1");
        assertThatThrownBy(() -> builder.queueCapacity(0)).hasMessage("queueCapacity must be >= 1");
        assertThatThrownBy(() -> builder.backlog(0)).hasMessage("backlog must be >= 1");
        assertThatThrownBy(() -> builder.requestReadTimeout(Duration.ZERO))
                .hasMessage("requestReadTimeout must be > 0");
        assertThatThrownBy(() -> builder.responseTimeout(Duration.ofSeconds(-1)))
                .hasMessage("responseTimeout must be > 0");
        assertThatThrownBy(() -> builder.requestReadTimeout(null)).hasMessage("requestReadTimeout must not be null");
        assertThatThrownBy(() -> AgentLifecycleHttpServer.builder(engine.api, null))
                .hasMessage("address must not be null");
        assertThatThrownBy(() -> AgentLifecycleHttpServer.handler(engine.api, Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("bodyReadTimeout must be > 0");
    }
}
