package io.github.agentlifecycle.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.locks.LockSupport;

/**
 * The baseline for {@link TokenLatency}: {@code POST /token} latency against a running example server when every
 * request names the same room, so only the first one launches an agent and no agent is started or stopped while
 * measuring. Requests are sent one at a time on one connection at a fixed rate; the first fifth (at most 500) are
 * not counted. The room is closed at the end.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.TokenLatencyOneRoom \
 *     http://127.0.0.1:3001/api/livekit $ADMIN_TOKEN 3000 100</pre>
 */
public final class TokenLatencyOneRoom {
    private TokenLatencyOneRoom() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: TokenLatencyOneRoom <api url> <admin token> <requests> <per second>");
            System.exit(2);
        }
        String api = args[0];
        String adminToken = args[1];
        int requests = Integer.parseInt(args[2]);
        long interval = 1_000_000_000L / Integer.parseInt(args[3]);
        int warmup = Math.min(requests / 5, 500);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String room = "token-one-" + Long.toString(System.currentTimeMillis(), 36);
        long[] latencies = new long[requests];
        int recorded = 0;
        long start = System.nanoTime();
        try {
            for (int i = 0; i < requests; i++) {
                long due = start + i * interval;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                String body = "{\"roomName\":\"" + room + "\",\"participantName\":\"User\","
                        + "\"participantIdentity\":\"user-" + i + "\",\"role\":\"client\"}";
                HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/token"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                long sent = System.nanoTime();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                long latency = System.nanoTime() - sent;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("token request " + i + " answered " + response.statusCode()
                            + ": " + response.body());
                }
                if (i >= warmup) {
                    latencies[recorded++] = latency;
                }
            }
        } finally {
            http.send(HttpRequest.newBuilder(URI.create(api + "/rooms/" + room + "/close"))
                    .header("Authorization", "Bearer " + adminToken).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.discarding());
        }
        System.out.println("POST /token, one room, no agent starting or stopping: "
                + new LatencyStats(latencies, recorded).summary());
    }
}
