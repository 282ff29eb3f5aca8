package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.examples.WebhookEvents;
import io.github.agentlifecycle.examples.WebhookSigner;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Webhook throughput through one or several example-server replicas: starts them ({@link ExampleCluster}: on one
 * PostgreSQL database, or one replica in memory for reference), then drives them as {@link WebhookThroughput}
 * drives one server: {@code connections} threads, each sending {@code POST /webhook} back to back on its own
 * connection (closed loop), every request a new event signed just before it is sent (a human joining or leaving
 * one of 500 rooms, each room owned by one connection so that its events arrive in order), tokens that expire 8 s
 * before they are made so that the servers remember each event id for only 2 to 3 s. The one difference: each
 * connection sends its requests to the replicas in turn (request {@code i} of a connection to replica {@code i mod
 * replicas}), as a load balancer in front of the replicas would spread LiveKit's webhooks, so a room's events land
 * on every replica.
 *
 * <p>Output: requests answered in the measured window and their rate, latency p50/p90/p99/max, answers other than
 * 200 and requests without an answer within 10 s (must be none; the exit status is 1 otherwise), the {@code outcome} of the 200 answers, and CPU per request over the measured window of the
 * replicas together, of the PostgreSQL server (postmaster and backends) and of this client.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.ReplicaWebhookThroughput \
 *     examples/target/agent-lifecycle-example.jar shared 3 [connections 16] [warm-up s 10] [measured s 30]</pre>
 */
public final class ReplicaWebhookThroughput {
    private static final int ROOMS = 500;
    private static final Duration EXPIRES_IN = Duration.ofSeconds(-8);
    private static volatile boolean running = true;

    private ReplicaWebhookThroughput() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 6 || !Arrays.asList("shared", "memory").contains(args[1])) {
            System.err.println("usage: ReplicaWebhookThroughput <example jar> <shared|memory> <replicas>"
                    + " [connections 16] [warm-up s 10] [measured s 30]");
            System.exit(2);
        }
        boolean shared = args[1].equals("shared");
        int replicas = Integer.parseInt(args[2]);
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        long warmUp = args.length > 4 ? Long.parseLong(args[4]) : 10;
        long measured = args.length > 5 ? Long.parseLong(args[5]) : 30;
        if (replicas < 1 || (!shared && replicas != 1) || connections < 1 || connections > ROOMS || measured < 1) {
            System.err.println("replicas >= 1 (exactly 1 in memory), connections 1 to " + ROOMS + ", measured >= 1 s");
            System.exit(2);
        }
        System.setProperty("http.maxConnections", Integer.toString(Math.max(5, connections * replicas)));
        BlockingHttp.noRetries();
        try (ExampleCluster cluster = ExampleCluster.start(Path.of(args[0]), replicas, shared, Map.of(),
                "webhooks-" + args[1] + "-" + replicas)) {
            System.out.println("--- " + cluster.describe() + "; load average before: " + ProcFs.loadAverage());
            boolean ok = run(cluster, connections, warmUp, measured);
            for (int r = 0; r < cluster.size(); r++) {
                System.out.println("replica " + r + " /stats: " + BlockingHttp.getOk(cluster.api(r) + "/stats",
                        "Bearer " + ExampleCluster.ADMIN_TOKEN));
            }
            if (!ok) {
                cluster.close();
                System.exit(1);
            }
        }
    }

    /** Runs the load and prints what it measured; false if any request was not answered 200. */
    private static boolean run(ExampleCluster cluster, int connections, long warmUpSeconds, long measuredSeconds)
            throws InterruptedException {
        String[] webhooks = new String[cluster.size()];
        for (int r = 0; r < webhooks.length; r++) {
            webhooks[r] = cluster.api(r) + "/webhook";
        }
        WebhookSigner signer = new WebhookSigner(new LiveKitCredentials(ExampleCluster.API_KEY,
                ExampleCluster.API_SECRET), Clock.systemUTC(), EXPIRES_IN);
        String run = Long.toString(System.currentTimeMillis(), 36);
        long started = System.nanoTime();
        long measureFrom = started + TimeUnit.SECONDS.toNanos(warmUpSeconds);
        long measureUntil = measureFrom + TimeUnit.SECONDS.toNanos(measuredSeconds);
        Sender[] senders = new Sender[connections];
        for (int c = 0; c < connections; c++) {
            senders[c] = new Sender(c, connections, run, webhooks, signer, measureFrom, measureUntil);
            senders[c].thread.start();
        }
        park(measureFrom);
        long serverBefore = cluster.serverTicks();
        long databaseBefore = cluster.databaseTicks();
        long clientBefore = ProcFs.ticks(ProcessHandle.current().pid());
        park(measureUntil);
        long serverAfter = cluster.serverTicks();
        long databaseAfter = cluster.databaseTicks();
        long clientAfter = ProcFs.ticks(ProcessHandle.current().pid());
        running = false;
        long[] all = new long[0];
        int count = 0;
        long sent = 0;
        Map<String, Long> failed = new TreeMap<>();
        Map<String, Long> outcomes = new TreeMap<>();
        for (Sender sender : senders) {
            sender.thread.join();
            all = Arrays.copyOf(all, count + sender.recorded);
            System.arraycopy(sender.latencies, 0, all, count, sender.recorded);
            count += sender.recorded;
            sent += sender.sent;
            sender.failed.forEach((k, v) -> failed.merge(k, v, Long::sum));
            sender.outcomes.forEach((k, v) -> outcomes.merge(k, v, Long::sum));
        }
        LatencyStats latency = new LatencyStats(all, count);
        System.out.printf("POST /webhook round-robin over %d replicas: %d connections, closed loop, %d rooms,"
                + " warm-up %d s, measured %d s%n", webhooks.length, connections, ROOMS, warmUpSeconds,
                measuredSeconds);
        System.out.printf("requests: %d in %d s = %.0f req/s%n", count, measuredSeconds,
                count / (double) measuredSeconds);
        System.out.printf("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", latency.millis(50),
                latency.millis(90), latency.millis(99), latency.millis(100));
        System.out.println("answers other than 200 (whole run): " + (failed.isEmpty() ? "none" : failed));
        System.out.println("outcomes of the 200 answers (measured window): " + outcomes);
        System.out.println("CPU per request over the measured window: replicas " + perRequest(serverBefore,
                serverAfter, count) + ", PostgreSQL " + perRequest(databaseBefore, databaseAfter, count)
                + ", this client " + perRequest(clientBefore, clientAfter, count));
        System.out.println("sent in all, warm-up included: " + sent);
        if (!failed.isEmpty()) {
            System.out.println("FAILED: answers other than 200 or no answer within 10 s: " + failed);
        }
        return failed.isEmpty();
    }

    private static String perRequest(long before, long after, int requests) {
        if (before < 0 || after < 0) {
            return "n/a";
        }
        return String.format("%.0f us", (after - before) * 1e6 / ProcFs.ticksPerSecond() / requests);
    }

    static void park(long deadline) {
        for (long wait; (wait = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
    }

    /** One connection per replica, used in turn: a thread sending the events of its rooms one after the other. */
    private static final class Sender implements Runnable {
        final Thread thread;
        private final String[] webhooks;
        private final WebhookSigner signer;
        private final long measureFrom;
        private final long measureUntil;
        private final WebhookEvents[] events;
        private final String[] identity;
        private final String[] session;
        final Map<String, Long> failed = new TreeMap<>();
        final Map<String, Long> outcomes = new TreeMap<>();
        long[] latencies = new long[1 << 16];
        int recorded;
        long sent;

        Sender(int index, int connections, String run, String[] webhooks, WebhookSigner signer, long measureFrom,
                long measureUntil) {
            this.thread = new Thread(this, "webhook-connection-" + index);
            this.webhooks = webhooks;
            this.signer = signer;
            this.measureFrom = measureFrom;
            this.measureUntil = measureUntil;
            int rooms = (ROOMS - index + connections - 1) / connections;
            this.events = new WebhookEvents[rooms];
            this.identity = new String[rooms];
            this.session = new String[rooms];
            for (int i = 0; i < rooms; i++) {
                int room = index + i * connections;
                events[i] = new WebhookEvents("throughput-" + run + "-" + room, Clock.systemUTC());
                identity[i] = "user-" + room;
            }
        }

        @Override
        public void run() {
            for (long i = 0; running; i++) {
                int room = (int) (i % events.length);
                byte[] body;
                if (session[room] == null) {
                    session[room] = events[room].newSessionId();
                    body = events[room].participantJoined(session[room], identity[room], "STANDARD");
                } else {
                    body = events[room].participantLeft(session[room], identity[room], "STANDARD");
                    session[room] = null;
                }
                String authorization = signer.authorization(body);
                long began = System.nanoTime();
                String failure = null;
                String outcome = null;
                try {
                    BlockingHttp.Answer answer = BlockingHttp.post(webhooks[(int) (i % webhooks.length)],
                            "application/webhook+json", body, authorization);
                    if (answer.ok()) {
                        outcome = field(answer.body(), "outcome");
                    } else {
                        failure = Integer.toString(answer.status());
                    }
                } catch (IOException e) {
                    failure = e.getClass().getSimpleName();
                    LockSupport.parkNanos(10_000_000);
                }
                long ended = System.nanoTime();
                sent++;
                if (failure != null) {
                    failed.merge(failure, 1L, Long::sum);
                    continue;
                }
                if (ended - measureFrom >= 0 && ended - measureUntil < 0) {
                    outcomes.merge(outcome, 1L, Long::sum);
                    if (recorded == latencies.length) {
                        latencies = Arrays.copyOf(latencies, recorded * 2);
                    }
                    latencies[recorded++] = ended - began;
                }
            }
        }
    }

    /** The string value of {@code "name":"..."} in a JSON text, or {@code (none)}. */
    static String field(String json, String name) {
        String key = "\"" + name + "\":\"";
        int at = json.indexOf(key);
        if (at < 0) {
            return "(none)";
        }
        int from = at + key.length();
        int to = json.indexOf('"', from);
        return to < 0 ? "(none)" : json.substring(from, to);
    }
}
