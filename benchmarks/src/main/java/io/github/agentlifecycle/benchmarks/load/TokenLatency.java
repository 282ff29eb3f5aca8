package io.github.agentlifecycle.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures {@code POST /token} latency against a running example server while agent processes are being spawned:
 * every request names a new room, so each one launches an agent; rooms are closed again {@code open} requests
 * later, so agents keep starting and stopping without reaching the agent cap. With {@code rooms open} 0 it is the
 * baseline instead: every request names the same room, so no agent starts or stops while measuring. Requests are
 * sent one at a time on one connection at a fixed rate; the first fifth (at most 500) are not counted.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.TokenLatency \
 *     http://127.0.0.1:3001/api/livekit $ADMIN_TOKEN 3000 100 20</pre>
 */
public final class TokenLatency {
    /** How long one request may take before it counts as failed. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private TokenLatency() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: TokenLatency <api url> <admin token> <requests> <per second> <rooms open>"
                    + " (0: every request for one room)");
            System.exit(2);
        }
        String api = args[0];
        String adminToken = args[1];
        int requests = Integer.parseInt(args[2]);
        long interval = 1_000_000_000L / Integer.parseInt(args[3]);
        int open = Integer.parseInt(args[4]);
        int warmup = Math.min(requests / 5, 500);
        HttpClient tokens = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String run = Long.toString(System.currentTimeMillis(), 36);
        boolean oneRoom = open == 0;
        long[] latencies = new long[requests];
        int recorded = 0;
        int launched = 0;
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long due = start + i * interval;
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            String body = "{\"roomName\":\"" + room(run, oneRoom ? -1 : i) + "\",\"participantName\":\"User\","
                    + "\"participantIdentity\":\"user-" + i + "\",\"role\":\"client\"}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/token"))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long sent = System.nanoTime();
            HttpResponse<String> response = tokens.send(request, HttpResponse.BodyHandlers.ofString());
            long latency = System.nanoTime() - sent;
            if (response.statusCode() != 200) {
                throw new IllegalStateException("token request " + i + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            if (i >= warmup) {
                latencies[recorded++] = latency;
                if (response.body().contains("\"status\":\"launched\"")) {
                    launched++;
                }
            }
            if (!oneRoom && i >= open) {
                close(admin, api, adminToken, room(run, i - open));
            }
        }
        if (oneRoom) {
            close(admin, api, adminToken, room(run, -1)).join();
        }
        for (int i = Math.max(0, requests - open); i < requests && !oneRoom; i++) {
            close(admin, api, adminToken, room(run, i));
        }
        LatencyStats stats = new LatencyStats(latencies, recorded);
        System.out.println((oneRoom ? "POST /token, one room, no agent starting or stopping: "
                : "POST /token while spawning: ") + stats.summary() + "; " + launched + " of " + recorded
                + " launched an agent");
    }

    private static String room(String run, int request) {
        return "token-" + run + "-" + (request < 0 ? "one" : Integer.toString(request));
    }

    private static CompletableFuture<?> close(HttpClient admin, String api, String adminToken, String room) {
        return admin.sendAsync(HttpRequest.newBuilder(URI.create(api + "/rooms/" + room + "/close"))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + adminToken).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
