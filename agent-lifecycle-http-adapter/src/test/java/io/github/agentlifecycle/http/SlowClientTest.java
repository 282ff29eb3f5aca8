package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.livekit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that send their request slowly or not at all, against {@link AgentLifecycleHttpServer} on real sockets:
 * while they hold their connections the server keeps answering everyone else, and each of them is cut off once
 * the request read timeout has passed (408 when its body was being read, a closed connection when its request line
 * or headers were not complete). Timeouts leave no interrupt behind on the worker threads, and nothing of this
 * changes a system property.
 */
class SlowClientTest {
    private static final String TOKEN = "/api/livekit/token";
    private static final String HEALTH = "/api/livekit/health";
    private static final Duration SHORT = Duration.ofSeconds(1);

    private final TestEngine engine = TestEngine.create();
    private final List<SlowClient> clients = new ArrayList<>();
    private AgentLifecycleHttpServer server;

    @AfterEach
    void stop() {
        clients.forEach(SlowClient::close);
        if (server != null) {
            server.close();
        }
        engine.close();
    }

    /** Server settings a test changes; null keeps the default. */
    private record Settings(Integer workers, Integer queue, Duration readTimeout) {}

    private void start(Settings settings) throws IOException {
        AgentLifecycleHttpServer.Builder builder = AgentLifecycleHttpServer.builder(engine.api,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        if (settings.workers() != null) {
            builder.workerThreads(settings.workers());
        }
        if (settings.queue() != null) {
            builder.queueCapacity(settings.queue());
        }
        if (settings.readTimeout() != null) {
            builder.requestReadTimeout(settings.readTimeout());
        }
        server = builder.start();
    }

    private SlowClient connect() {
        SlowClient client = SlowClient.connect(server.address());
        clients.add(client);
        return client;
    }

    private URI uri(String path) {
        return URI.create("http://" + server.address().getHostString() + ":" + server.address().getPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpCalls.client().send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> token(String room, String identity) throws Exception {
        return HttpCalls.client().send(HttpRequest.newBuilder(uri(TOKEN)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        HttpCalls.json(ApiContract.tokenBody(room, identity, "client"))))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fortySlowClientsDoNotKeepOthersFromBeingServed() throws Exception {
        start(new Settings(null, null, Duration.ofSeconds(60)));
        for (int i = 0; i < 40; i++) {
            SlowClient client = connect().send(SlowClient.postHead(TOKEN, 100));
            if (i % 2 == 0) {
                client.trickle(Duration.ofSeconds(1));
            }
        }
        Await.until("the server reads the 40 slow requests at once",
                () -> SlowClient.threadsReadingRequests() >= 40);

        assertThat(get(HEALTH).statusCode()).isEqualTo(200);
        HttpResponse<String> token = token("room-a", "alice");
        assertThat(token.statusCode()).isEqualTo(200);
        assertThat(HttpCalls.JSON.readTree(token.body()).path("data").path("roomName").asText()).isEqualTo("room-a");

        for (SlowClient client : clients) {
            assertThat(client.state(Duration.ofMillis(1))).isEqualTo(SlowClient.State.OPEN);
        }
    }

    @Test
    void aBodyNotReceivedInTimeIsAnswered408AndTheConnectionClosed() throws Exception {
        start(new Settings(null, null, SHORT));
        SlowClient client = connect().send(SlowClient.postHead(TOKEN, 100) + "{").trickle(Duration.ofSeconds(1));

        SlowClient.Response response = client.readResponse(Duration.ofSeconds(10));

        assertThat(response.status()).isEqualTo(408);
        assertThat(response.headers()).containsEntry("connection", "close");
        assertThat(response.headers().get("content-type")).startsWith("application/json");
        assertThat(response.json().path("success").asBoolean(true)).isFalse();
        assertThat(response.json().path("error").path("code").asText()).isEqualTo("request_timeout");
        assertThat(response.json().path("error").path("message").asText()).isNotBlank();
        assertThat(client.awaitClosed(Duration.ofSeconds(10))).isZero();
        assertThat(engine.manager.rooms()).isEmpty();
    }

    @Test
    void aClientStallingInItsHeadersIsDisconnectedWithoutHoldingUpOthers() throws Exception {
        start(new Settings(null, null, SHORT));
        SlowClient stalled = connect().send("POST " + TOKEN + " HTTP/1.1\r\nHost: localhost\r\nContent-Ty");
        SlowClient silent = connect().send("G");
        Await.until("the server reads both stalled requests", () -> SlowClient.threadsReadingRequests() >= 2);

        assertThat(get(HEALTH).statusCode()).isEqualTo(200);
        assertThat(token("room-a", "alice").statusCode()).isEqualTo(200);
        assertThat(stalled.state(Duration.ofMillis(1))).isEqualTo(SlowClient.State.OPEN);

        assertThat(stalled.awaitClosed(Duration.ofSeconds(10))).as("bytes answered to the stalled client").isZero();
        assertThat(silent.awaitClosed(Duration.ofSeconds(10))).as("bytes answered to the silent client").isZero();
        Await.until("no thread reads a request any more", () -> SlowClient.threadsReadingRequests() == 0);
    }

    @Test
    void timeoutsLeaveNoInterruptBehindOnTheWorkers() throws Exception {
        start(new Settings(2, null, SHORT));
        List<SlowClient> slow = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            slow.add(connect().send(SlowClient.postHead(TOKEN, 100) + "{").trickle(Duration.ofMillis(700)));
            slow.add(connect().send("GET " + HEALTH + " HTTP/1.1\r\nHost: loc"));
        }
        for (SlowClient client : slow) {
            client.awaitClosed(Duration.ofSeconds(15));
        }

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            HttpRequest request = i % 2 == 0
                    ? HttpRequest.newBuilder(uri(HEALTH)).build()
                    : HttpRequest.newBuilder(uri(TOKEN)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(HttpCalls.json(
                                    ApiContract.tokenBody("room-" + (i % 5), "p-" + i, "client"))))
                            .build();
            answers.add(HttpCalls.client().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            assertThat(answer.get().statusCode()).isEqualTo(200);
        }
        assertThat(engine.manager.rooms()).hasSize(5);
    }

    @Test
    void whenEveryWorkerIsBusyAndTheQueueFullFurtherConnectionsAreClosedAtOnce() throws Exception {
        start(new Settings(1, 1, Duration.ofSeconds(60)));
        SlowClient busy = connect().send(SlowClient.postHead(TOKEN, 100));
        Await.until("the only worker reads the slow request", () -> SlowClient.threadsReadingRequests() == 1);
        SlowClient queued = connect().send(SlowClient.postHead(TOKEN, 100));

        Await.until("a further request is turned away by closing its connection", () -> {
            SlowClient further = connect().send("GET " + HEALTH + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            return further.state(Duration.ofMillis(200)) == SlowClient.State.CLOSED;
        });
        assertThat(busy.state(Duration.ofMillis(1))).isEqualTo(SlowClient.State.OPEN);

        busy.close();
        queued.close();
        Await.until("the server answers again", () -> {
            try {
                return get(HEALTH).statusCode() == 200;
            } catch (Exception closedWhileStillFull) {
                return false;
            }
        });
    }

    @Test
    void theBindingSetsNoSystemProperty() throws Exception {
        Map<Object, Object> before = new HashMap<>(System.getProperties());
        start(new Settings(null, null, SHORT));
        assertThat(get(HEALTH).statusCode()).isEqualTo(200);
        SlowClient slow = connect().send(SlowClient.postHead(TOKEN, 100) + "{");
        assertThat(slow.readResponse(Duration.ofSeconds(10)).status()).isEqualTo(408);
        server.close();
        server = null;

        assertThat(new HashMap<>(System.getProperties())).isEqualTo(before);
    }
}
