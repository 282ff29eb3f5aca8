package io.github.agentlifecycle.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.agentlifecycle.examples.WebhookEvents;
import io.github.agentlifecycle.examples.WebhookSigner;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Grace precision across replicas: how late after a room's grace deadline the replica hosting its agent process
 * stops it, when the room's last person left through another replica. Three example-server replicas share one
 * PostgreSQL database ({@link ExampleCluster}, defaults but the grace period); {@code rooms} rooms are opened by
 * token requests on the replicas in turn (room {@code i}'s agent runs on replica {@code i mod 3}); a person joins
 * each through the next replica and the agent through the one after (signed webhooks), so every room is active
 * with a ready agent. Then the people leave, one room after another, spread evenly over {@code leave spread ms},
 * each leave sent to a replica that does not host the room's agent (alternately the next and the one after).
 *
 * <p><b>Deadline</b>: the time the leave's request was sent plus the grace period, which is never later than the
 * deadline the receiving replica sets (it reads its clock after the request arrived), so the lateness below is
 * never less than the true one. The later bound, also printed for the stop request, is the earlier of the leave's
 * answer arriving and the receiving replica's {@code all humans left} log line (written after its transaction
 * committed), plus the grace period. All times are wall-clock readings of this machine; the servers' logs have
 * whole milliseconds, cut, not rounded.
 *
 * <p><b>Lateness</b> (a) of the expiry: the {@code grace period expired} line of whichever replica applied it
 * (its log has millisecond times). (b) of the stop request on the host: the host's first line saying it stops the
 * agent ({@code stopped, as its room's record no longer wants it}, after a notification from the replica that
 * closed the room, or {@code stopping agent} when it closed the room itself); the host logs it just before it
 * closes the agent's stdin and sends SIGTERM. (c) of the agent's own reading of the stop: the agent is {@code sh -c
 * 'trap "date +%s%N >> $STOP_DIR/$ROOM_NAME; exit 0" TERM; while read -r l; do :; done; date +%s%N >> ...'}, which
 * writes the time when it gets SIGTERM or its stdin ends (a fork and exec of {@code date} after the signal). (d)
 * of the exit, the host's {@code exited} line.
 *
 * <p>Afterwards it checks that every room is gone on every replica and that each agent wrote its stop time, and
 * stops the servers and the database (also when the run fails).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.CrossReplicaGrace \
 *     examples/target/agent-lifecycle-example.jar [rooms 60] [grace ms 3000] [leave spread ms 3000]</pre>
 */
public final class CrossReplicaGrace {
    private static final int REPLICAS = 3;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private CrossReplicaGrace() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 4) {
            System.err.println("usage: CrossReplicaGrace <example jar> [rooms 60] [grace ms 3000]"
                    + " [leave spread ms 3000]");
            System.exit(2);
        }
        int rooms = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        long graceMillis = args.length > 2 ? Long.parseLong(args[2]) : 3000;
        long spreadMillis = args.length > 3 ? Long.parseLong(args[3]) : 3000;
        System.setProperty("http.maxConnections", "10");
        BlockingHttp.noRetries();
        Path stops = Files.createTempDirectory("cross-replica-grace-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Map<String, String> env = new HashMap<>();
        env.put("GRACE_PERIOD_MS", Long.toString(graceMillis));
        env.put("MAX_TOTAL_AGENTS", Integer.toString(rooms + 10));
        env.put("STOP_DIR", stops.toString());
        env.put("AGENT_COMMAND", "sh -c 'trap \"date +%s%N >> $STOP_DIR/$ROOM_NAME; exit 0\" TERM;"
                + " while read -r l; do :; done; date +%s%N >> $STOP_DIR/$ROOM_NAME'");
        try (ExampleCluster cluster = ExampleCluster.start(Path.of(args[0]), REPLICAS, true, env,
                "cross-replica-grace")) {
            System.out.printf("cross-replica grace: %d rooms, grace %d ms, leaves spread over %d ms, %s;"
                    + " load average %s%n", rooms, graceMillis, spreadMillis, cluster.describe(),
                    ProcFs.loadAverage());
            run(cluster, rooms, Duration.ofMillis(graceMillis), spreadMillis, stops);
        } finally {
            try (var files = Files.list(stops)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(stops);
        }
        System.out.println("load average after: " + ProcFs.loadAverage());
    }

    private static void run(ExampleCluster cluster, int count, Duration grace, long spreadMillis, Path stops)
            throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        WebhookSigner signer = new WebhookSigner(new LiveKitCredentials(ExampleCluster.API_KEY,
                ExampleCluster.API_SECRET), Clock.systemUTC());
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String room = "grace-" + run + "-" + i;
            rooms.add(room);
            String answer = BlockingHttp.postOk(cluster.api(i % REPLICAS) + "/token", "application/json",
                    ("{\"roomName\":\"" + room + "\",\"participantName\":\"P\",\"participantIdentity\":\"person-" + i
                            + "\",\"role\":\"client\"}").getBytes(StandardCharsets.UTF_8), null);
            if (!answer.contains("\"status\":\"launched\"")) {
                throw new IllegalStateException(room + ": no agent launched: " + answer);
            }
        }
        await(() -> cluster.rooms(0).values().stream().filter(r -> r.path("agentPid").isNumber()).count() == count,
                "agent processes running in every room");
        Map<String, JsonNode> opened = cluster.rooms(0);
        WebhookEvents[] events = new WebhookEvents[count];
        String[] person = new String[count];
        for (int i = 0; i < count; i++) {
            String room = rooms.get(i);
            events[i] = new WebhookEvents(room, Clock.systemUTC());
            person[i] = events[i].newSessionId();
            webhook(cluster, (i + 1) % REPLICAS, signer, events[i].participantJoined(person[i], "person-" + i,
                    "STANDARD"));
            webhook(cluster, (i + 2) % REPLICAS, signer, events[i].participantJoined(events[i].newSessionId(),
                    opened.get(room).path("agentIdentity").asText(), "AGENT"));
        }
        for (JsonNode room : cluster.rooms(1).values()) {
            if (!room.path("state").asText().equals("active") || !room.path("agentState").asText().equals("ready")) {
                throw new IllegalStateException("not active with a ready agent: " + room);
            }
        }
        Thread.sleep(1000);

        Instant[] leaveSent = new Instant[count];
        Instant[] leaveReturned = new Instant[count];
        int[] leaveVia = new int[count];
        long first = System.nanoTime();
        for (int i = 0; i < count; i++) {
            leaveVia[i] = (i + 1 + i % 2) % REPLICAS;
            byte[] body = events[i].participantLeft(person[i], "person-" + i, "STANDARD");
            ReplicaWebhookThroughput.park(first + TimeUnit.MILLISECONDS.toNanos(spreadMillis) * i / count);
            leaveSent[i] = Instant.now();
            webhook(cluster, leaveVia[i], signer, body);
            leaveReturned[i] = Instant.now();
        }
        await(() -> cluster.rooms(0).isEmpty() && cluster.rooms(1).isEmpty() && cluster.rooms(2).isEmpty(),
                "every room closed");
        await(() -> rooms.stream().allMatch(room -> Files.exists(stops.resolve(room))), "every agent stopped");
        await(() -> rooms.stream().allMatch(room -> ProcFs.withLastArgument(room).isEmpty()), "every agent process gone");

        List<List<ExampleCluster.LogLine>> logs = new ArrayList<>();
        for (int r = 0; r < REPLICAS; r++) {
            logs.add(cluster.log(r));
        }
        long[] expired = new long[count];
        long[] stopped = new long[count];
        long[] signalled = new long[count];
        long[] exited = new long[count];
        long[] stoppedVsLater = new long[count];
        long[] window = new long[count];
        Map<String, Integer> expiredWhere = new TreeMap<>();
        Map<String, Integer> stopKind = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String room = rooms.get(i);
            String prefix = "Room " + room + ": ";
            int host = i % REPLICAS;
            Instant deadline = leaveSent[i].plus(grace);
            int expiredOn = -1;
            Instant expiry = null;
            for (int r = 0; r < REPLICAS; r++) {
                ExampleCluster.LogLine line = first(logs.get(r), text -> text.contains(prefix + "grace period expired"));
                if (line != null && (expiry == null || line.time().isBefore(expiry))) {
                    expiry = line.time();
                    expiredOn = r;
                }
            }
            if (expiry == null) {
                throw new IllegalStateException(room + ": no replica logged its grace expiry");
            }
            expiredWhere.merge(expiredOn == leaveVia[i] ? "on the replica the leave went to"
                    : expiredOn == host ? "on the host" : "on the third replica", 1, Integer::sum);
            ExampleCluster.LogLine stop = first(logs.get(host), text -> text.contains(prefix)
                    && (text.contains("stopped, as its room's record no longer wants it")
                    || text.contains("stopping agent")));
            ExampleCluster.LogLine exit = first(logs.get(host), text -> text.contains(prefix)
                    && text.contains(" exited"));
            if (stop == null || exit == null) {
                throw new IllegalStateException(room + ": its host, replica " + host + ", did not log the stop and"
                        + " the exit");
            }
            stopKind.merge(stop.text().contains("no longer wants it") ? "after a notification" : "itself", 1,
                    Integer::sum);
            long agentNanos = Files.readAllLines(stops.resolve(room)).stream().mapToLong(Long::parseLong).min()
                    .orElseThrow();
            long deadlineNanos = deadline.getEpochSecond() * 1_000_000_000L + deadline.getNano();
            ExampleCluster.LogLine started = first(logs.get(leaveVia[i]), text -> text.contains(prefix
                    + "all humans left"));
            if (started == null) {
                throw new IllegalStateException(room + ": replica " + leaveVia[i] + " did not log its grace start");
            }
            Instant later = (started.time().isBefore(leaveReturned[i]) ? started.time() : leaveReturned[i]).plus(grace);
            stoppedVsLater[i] = nanosBetween(later, stop.time());
            window[i] = nanosBetween(deadline, later);
            expired[i] = nanosBetween(deadline, expiry);
            stopped[i] = nanosBetween(deadline, stop.time());
            signalled[i] = agentNanos - deadlineNanos;
            exited[i] = nanosBetween(deadline, exit.time());
        }
        System.out.println("(a) grace expiry (any replica) after the deadline: " + summary(expired, count));
        System.out.println("(b) stop request on the host after the deadline:   " + summary(stopped, count));
        System.out.println("(c) agent got SIGTERM or EOF after the deadline:   " + summary(signalled, count));
        System.out.println("(d) agent exit on the host after the deadline:     " + summary(exited, count));
        System.out.println("    (b) against the later bound:                    " + summary(stoppedVsLater, count));
        System.out.println("    deadline window (width between the bounds):     " + summary(window, count));
        System.out.println("expiry applied " + expiredWhere + "; host stopped the agent " + stopKind);
    }

    private static String summary(long[] nanos, int count) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            min = Math.min(min, nanos[i]);
        }
        return new LatencyStats(nanos, count).summary() + String.format(" min=%.2f ms", min / 1e6);
    }

    private static long nanosBetween(Instant from, Instant to) {
        return Duration.between(from, to).toNanos();
    }

    private static ExampleCluster.LogLine first(List<ExampleCluster.LogLine> lines, Predicate<String> match) {
        return lines.stream().filter(line -> match.test(line.text())).findFirst().orElse(null);
    }

    private static void webhook(ExampleCluster cluster, int replica, WebhookSigner signer, byte[] body) {
        String answer = BlockingHttp.postOk(cluster.api(replica) + "/webhook", "application/webhook+json", body,
                signer.authorization(body));
        if (!answer.contains("\"outcome\":\"applied\"")) {
            throw new IllegalStateException("webhook not applied: " + answer);
        }
    }


    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
