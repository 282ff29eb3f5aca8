package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AgentLifecycleHttpServer#handler} mounted in an application's own JDK {@code HttpServer}, on the
 * application's own threads: a body not received within the handler's read timeout is answered 408 and the
 * connection closed, and no task of the application's threads ends with an interrupt left by the handler.
 */
class SlowClientMountedHandlerTest {
    private static final String TOKEN = "/api/livekit/token";

    private final TestEngine engine = TestEngine.create();
    private final List<SlowClient> clients = new ArrayList<>();
    private final AtomicInteger tasksEndingInterrupted = new AtomicInteger();
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final List<Thread> applicationThreads = new ArrayList<>();
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < 2; i++) {
            Thread thread = new Thread(this::runTasks, "application-" + i);
            thread.setDaemon(true);
            thread.start();
            applicationThreads.add(thread);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(engine.api.basePath(),
                AgentLifecycleHttpServer.handler(engine.api, Duration.ofSeconds(1), Duration.ofSeconds(30)));
        server.setExecutor(tasks::add);
        server.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(SlowClient::close);
        server.stop(0);
        applicationThreads.forEach(Thread::interrupt);
        engine.close();
    }

    /**
     * An application's worker loop that, unlike {@code ThreadPoolExecutor}, does not clear a thread's interrupt
     * between tasks, and counts the tasks that ended with one.
     */
    private void runTasks() {
        while (true) {
            Runnable task;
            try {
                task = tasks.take();
            } catch (InterruptedException stopped) {
                return;
            }
            task.run();
            if (Thread.interrupted()) {
                tasksEndingInterrupted.incrementAndGet();
            }
        }
    }

    private SlowClient connect() {
        SlowClient client = SlowClient.connect(server.getAddress());
        clients.add(client);
        return client;
    }

    @Test
    void aBodyNotReceivedInTimeIsAnswered408AndTheApplicationsThreadsServeOnAfterwards() throws Exception {
        List<SlowClient> slow = List.of(
                connect().send(SlowClient.postHead(TOKEN, 100) + "{").trickle(Duration.ofSeconds(1)),
                connect().send(SlowClient.postHead(TOKEN, 100)));
        for (SlowClient client : slow) {
            SlowClient.Response response = client.readResponse(Duration.ofSeconds(10));
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(response.json().path("error").path("code").asText()).isEqualTo("request_timeout");
            assertThat(client.awaitClosed(Duration.ofSeconds(10))).isZero();
        }

        URI health = URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
                + "/api/livekit/health");
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> answer = HttpCalls.client().send(HttpRequest.newBuilder(health)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        assertThat(engine.manager.rooms()).isEmpty();
        assertThat(tasksEndingInterrupted).hasValue(0);
    }
}
