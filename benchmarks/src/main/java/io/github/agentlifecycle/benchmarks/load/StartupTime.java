package io.github.agentlifecycle.benchmarks.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures how long the example server takes from {@code java -jar} to its first answer on {@code GET /health}:
 * starts it {@code runs} times, polling every millisecond.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.StartupTime \
 *     examples/target/agent-lifecycle-example.jar 20</pre>
 */
public final class StartupTime {
    private StartupTime() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path jar = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        long[] times = new long[runs];
        for (int run = 0; run < runs; run++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", jar.toString()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("PORT", Integer.toString(port));
            builder.environment().put("ADMIN_TOKEN", "startup-admin-token-0123456789");
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/livekit/health"))
                    .timeout(Duration.ofSeconds(2)).build();
            long started = System.nanoTime();
            Process server = builder.start();
            try {
                while (!answers(http, health)) {
                    if (!server.isAlive() || System.nanoTime() - started > TimeUnit.SECONDS.toNanos(30)) {
                        throw new IllegalStateException("the server did not start");
                    }
                    Thread.sleep(1);
                }
                times[run] = System.nanoTime() - started;
            } finally {
                server.toHandle().destroy();
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        }
        System.out.println("start to first /health answer: " + new LatencyStats(times, runs).summary());
    }

    private static boolean answers(HttpClient http, HttpRequest health) throws InterruptedException {
        try {
            return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }
}
