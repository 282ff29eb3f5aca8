package io.github.agentlifecycle.benchmarks.load;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /token} latency through one or several example-server replicas ({@link ExampleCluster}: on one
 * PostgreSQL database, or one replica in memory for reference), as {@link TokenLatency} and {@code
 * benchmarks/token-load.sh} measure it on one server: one request at a time, {@code per second} requests per
 * second, the first fifth (at most 500) not counted; request {@code i} goes to replica {@code i mod replicas}.
 * With {@code spawn} every request names a new room, so each launches an agent process ({@code sh -c 'while read
 * -r l; do :; done'}), and the room is closed again 20 requests later (through the next replica in turn, sent by
 * another thread without waiting), so agents keep starting and stopping; with {@code one} every request names the
 * same room (no agent starts or stops). Requests are sent with {@link BlockingHttp} on this thread, one kept-alive
 * connection per replica.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.ReplicaTokenLatency \
 *     examples/target/agent-lifecycle-example.jar shared 3 spawn [requests 3000] [per second 100]</pre>
 */
public final class ReplicaTokenLatency {
    private static final int OPEN = 20;

    private ReplicaTokenLatency() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4 || args.length > 6 || !Arrays.asList("shared", "memory").contains(args[1])
                || !Arrays.asList("spawn", "one").contains(args[3])) {
            System.err.println("usage: ReplicaTokenLatency <example jar> <shared|memory> <replicas> <spawn|one>"
                    + " [requests 3000] [per second 100]");
            System.exit(2);
        }
        boolean shared = args[1].equals("shared");
        int replicas = Integer.parseInt(args[2]);
        boolean spawn = args[3].equals("spawn");
        int requests = args.length > 4 ? Integer.parseInt(args[4]) : 3000;
        int perSecond = args.length > 5 ? Integer.parseInt(args[5]) : 100;
        if (replicas < 1 || (!shared && replicas != 1)) {
            System.err.println("replicas >= 1 (exactly 1 in memory)");
            System.exit(2);
        }
        System.setProperty("http.maxConnections", Integer.toString(Math.max(5, 2 * replicas)));
        BlockingHttp.noRetries();
        try (ExampleCluster cluster = ExampleCluster.start(Path.of(args[0]), replicas, shared,
                Map.of("MAX_TOTAL_AGENTS", "100"), "token-" + args[1] + "-" + replicas + "-" + args[3])) {
            System.out.println("--- " + cluster.describe() + "; load average before: " + ProcFs.loadAverage());
            run(cluster, spawn, requests, perSecond);
        }
    }

    private static void run(ExampleCluster cluster, boolean spawn, int requests, int perSecond)
            throws InterruptedException {
        int replicas = cluster.size();
        String admin = "Bearer " + ExampleCluster.ADMIN_TOKEN;
        String run = Long.toString(System.currentTimeMillis(), 36);
        int warmUp = Math.min(requests / 5, 500);
        long interval = 1_000_000_000L / perSecond;
        long[] latencies = new long[requests];
        int recorded = 0;
        int launched = 0;
        AtomicLong closeFailures = new AtomicLong();
        ExecutorService closer = Executors.newSingleThreadExecutor();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < requests; i++) {
                ReplicaWebhookThroughput.park(start + i * interval);
                String room = "token-" + run + "-" + (spawn ? Integer.toString(i) : "one");
                byte[] body = ("{\"roomName\":\"" + room + "\",\"participantName\":\"User\",\"participantIdentity\":"
                        + "\"user-" + i + "\",\"role\":\"client\"}").getBytes(StandardCharsets.UTF_8);
                long sent = System.nanoTime();
                String answer = BlockingHttp.postOk(cluster.api(i % replicas) + "/token", "application/json", body,
                        null);
                long latency = System.nanoTime() - sent;
                if (i >= warmUp) {
                    latencies[recorded++] = latency;
                    if (answer.contains("\"status\":\"launched\"")) {
                        launched++;
                    }
                }
                if (spawn && i >= OPEN) {
                    String old = URLEncoder.encode("token-" + run + "-" + (i - OPEN), StandardCharsets.UTF_8);
                    String url = cluster.api((i + 1) % replicas) + "/rooms/" + old + "/close";
                    closer.execute(() -> {
                        try {
                            if (!BlockingHttp.post(url, "application/json", new byte[0], admin).ok()) {
                                closeFailures.incrementAndGet();
                            }
                        } catch (IOException e) {
                            closeFailures.incrementAndGet();
                        }
                    });
                }
            }
        } finally {
            closer.shutdown();
            closer.awaitTermination(60, TimeUnit.SECONDS);
        }
        LatencyStats stats = new LatencyStats(latencies, recorded);
        System.out.println("POST /token round-robin over " + replicas + (replicas == 1 ? " replica" : " replicas")
                + (spawn ? " while spawning (a new room per request, closed " + OPEN + " requests later): "
                        : ", one room (no agent starting or stopping): ") + stats.summary() + "; " + launched + " of "
                + recorded + " launched an agent" + (spawn ? "; closes that failed: " + closeFailures.get() : ""));
    }
}
