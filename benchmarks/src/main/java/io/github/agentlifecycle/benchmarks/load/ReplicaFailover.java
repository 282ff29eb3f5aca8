package io.github.agentlifecycle.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.agentlifecycle.examples.WebhookEvents;
import io.github.agentlifecycle.examples.WebhookSigner;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Failover: how long after a replica is killed with SIGKILL each of its occupied rooms has a new agent, started by
 * a live replica. Three example-server replicas share one PostgreSQL database ({@link ExampleCluster}) with the
 * example's defaults: lease 10 s, the sample agent (a JVM that exits when its stdin ends and reports a heartbeat to
 * its host at start and every 5 s), restart backoff from 1 s. With the argument {@code light} the agent is a shell
 * script instead that reports one heartbeat with {@code curl} and then waits for the end of its stdin, so that the
 * agents' own start-up (a JVM each for the sample agent) weighs less. Replica 0 hosts {@code rooms} rooms (their token
 * requests go to it), replicas 1 and 2 two rooms each; a person joins every room through replica 1 or 2. Once every
 * agent is ready (its first heartbeat), replica 0 is killed.
 *
 * <p>Measured from the kill, per room of the killed replica, from the survivors' logs (millisecond times): (a) the
 * takeover ({@code replica ... stopped renewing its lease; replica ... takes the room over}); (b) the new agent
 * process started ({@code spawned (PID ...)}); (c) the new agent ready ({@code ready (heartbeat)}). Also: when
 * the killed replica's agents had all exited (they read the end of their stdin), and a check at the end that each
 * of the rooms has exactly one agent process, under a live replica. {@code runs} runs, each on a fresh cluster.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.ReplicaFailover \
 *     examples/target/agent-lifecycle-example.jar [rooms on the killed replica 12] [runs 1] [sample|light]</pre>
 */
public final class ReplicaFailover {
    private static final int REPLICAS = 3;
    private static final int ROOMS_ON_SURVIVORS = 2;
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Reports one heartbeat with curl, then runs until its stdin ends or it gets SIGTERM. */
    static final String LIGHT_AGENT = """
            curl -s -o /dev/null --max-time 10 -X POST -H "Authorization: Bearer $AGENT_CREDENTIAL" \\
                -H 'Content-Type: application/json' \\
                -d "{\\"roomName\\":\\"$ROOM_NAME\\",\\"agentIdentity\\":\\"$AGENT_IDENTITY\\"}" "$AGENT_HEARTBEAT_URL"
            while read -r l; do :; done
            """;

    private ReplicaFailover() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 4 || (args.length == 4 && !List.of("sample", "light").contains(args[3]))) {
            System.err.println("usage: ReplicaFailover <example jar> [rooms on the killed replica 12] [runs 1]"
                    + " [agent: sample (default) | light]");
            System.exit(2);
        }
        int rooms = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        boolean light = args.length > 3 && args[3].equals("light");
        System.setProperty("http.maxConnections", "10");
        BlockingHttp.noRetries();
        List<Long> takeover = new ArrayList<>();
        List<Long> spawned = new ArrayList<>();
        List<Long> ready = new ArrayList<>();
        Path lightAgent = null;
        if (light) {
            lightAgent = Files.createTempFile("light-agent-", ".sh");
            Files.writeString(lightAgent, LIGHT_AGENT);
            lightAgent.toFile().deleteOnExit();
        }
        for (int run = 1; run <= runs; run++) {
            Map<String, String> env = new HashMap<>();
            env.put("AGENT_COMMAND", light ? "sh " + lightAgent : null); // null: the example's sample agent
            try (ExampleCluster cluster = ExampleCluster.start(Path.of(args[0]), REPLICAS, true, env,
                    "failover-" + run)) {
                System.out.printf("--- run %d: %s, %d rooms on replica 0, %d on each other; load average %s%n", run,
                        cluster.describe(), rooms, ROOMS_ON_SURVIVORS, ProcFs.loadAverage());
                run(cluster, rooms, takeover, spawned, ready);
            }
        }
        if (runs > 1) {
            System.out.println("--- all runs, " + ready.size() + " rooms, ms after the kill:");
            System.out.println("(a) taken over:         " + millis(takeover));
            System.out.println("(b) new agent spawned:  " + millis(spawned));
            System.out.println("(c) new agent ready:    " + millis(ready));
        }
    }

    private static void run(ExampleCluster cluster, int victimRooms, List<Long> takeoverAll, List<Long> spawnedAll,
            List<Long> readyAll) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        WebhookSigner signer = new WebhookSigner(new LiveKitCredentials(ExampleCluster.API_KEY,
                ExampleCluster.API_SECRET), Clock.systemUTC());
        List<String> victims = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < victimRooms + 2 * ROOMS_ON_SURVIVORS; i++) {
            int host = i < victimRooms ? 0 : 1 + (i - victimRooms) % 2;
            String room = "failover-" + run + "-" + i;
            all.add(room);
            if (host == 0) {
                victims.add(room);
            }
            String answer = BlockingHttp.postOk(cluster.api(host) + "/token", "application/json",
                    ("{\"roomName\":\"" + room + "\",\"participantName\":\"P\",\"participantIdentity\":\"person-" + i
                            + "\",\"role\":\"client\"}").getBytes(StandardCharsets.UTF_8), null);
            if (!answer.contains("\"status\":\"launched\"")) {
                throw new IllegalStateException(room + ": no agent launched: " + answer);
            }
            WebhookEvents events = new WebhookEvents(room, Clock.systemUTC());
            byte[] join = events.participantJoined(events.newSessionId(), "person-" + i, "STANDARD");
            BlockingHttp.postOk(cluster.api(1 + i % 2) + "/webhook", "application/webhook+json", join,
                    signer.authorization(join));
        }
        long opened = System.nanoTime();
        await(() -> cluster.rooms(1).values().stream()
                .filter(room -> room.path("agentState").asText().equals("ready")).count() == all.size(),
                "every agent ready");
        System.out.printf("%d agents ready %d ms after the last token request%n", all.size(),
                (System.nanoTime() - opened) / 1_000_000);
        Map<String, String> oldAgent = new HashMap<>();
        cluster.rooms(1).forEach((room, view) -> oldAgent.put(room, view.path("agentIdentity").asText()));
        Set<Long> orphans = new HashSet<>();
        cluster.process(0).descendants().forEach(process -> orphans.add(process.pid()));

        Instant killedAt = Instant.now();
        long killed = System.nanoTime();
        cluster.kill(0);
        await(() -> orphans.stream().noneMatch(ProcFs::running), "the killed replica's agents gone");
        long orphansGone = System.nanoTime() - killed;
        await(() -> {
            Map<String, JsonNode> view = cluster.rooms(1);
            return victims.stream().allMatch(room -> view.containsKey(room)
                    && view.get(room).path("agentState").asText().equals("ready")
                    && !view.get(room).path("agentIdentity").asText().equals(oldAgent.get(room)));
        }, "every room of the killed replica with a ready agent");
        long allReady = System.nanoTime() - killed;

        Map<String, long[]> byRoom = new TreeMap<>();
        List<List<ExampleCluster.LogLine>> logs = List.of(cluster.log(1), cluster.log(2));
        Map<Integer, Integer> takenBy = new TreeMap<>();
        Map<Integer, Integer> startedBy = new TreeMap<>();
        for (String room : victims) {
            String prefix = "Room " + room + ": ";
            long[] times = new long[3];
            String[] steps = {"takes the room over", "spawned (PID", "ready (heartbeat)"};
            for (int step = 0; step < steps.length; step++) {
                ExampleCluster.LogLine earliest = null;
                int where = 0;
                for (int s = 0; s < logs.size(); s++) {
                    ExampleCluster.LogLine line = first(logs.get(s), prefix, steps[step], killedAt);
                    if (line != null && (earliest == null || line.time().isBefore(earliest.time()))) {
                        earliest = line;
                        where = s + 1;
                    }
                }
                if (earliest == null) {
                    throw new IllegalStateException(room + ": no live replica logged '" + steps[step] + "'");
                }
                times[step] = Duration.between(killedAt, earliest.time()).toMillis();
                if (step == 0) {
                    takenBy.merge(where, 1, Integer::sum);
                } else if (step == 1) {
                    startedBy.merge(where, 1, Integer::sum);
                }
            }
            byRoom.put(room, times);
            takeoverAll.add(times[0]);
            spawnedAll.add(times[1]);
            readyAll.add(times[2]);
        }
        List<Long> takeover = byRoom.values().stream().map(t -> t[0]).toList();
        List<Long> spawned = byRoom.values().stream().map(t -> t[1]).toList();
        List<Long> ready = byRoom.values().stream().map(t -> t[2]).toList();
        System.out.printf("killed replica 0 (SIGKILL); its %d agent processes had exited %d ms later; all %d rooms"
                + " had a ready agent again %d ms after the kill (polled)%n", orphans.size(), orphansGone / 1_000_000,
                victims.size(), allReady / 1_000_000);
        System.out.println("(a) taken over:         " + millis(takeover) + "  by replica: " + takenBy);
        System.out.println("(b) new agent spawned:  " + millis(spawned) + "  by replica: " + startedBy);
        System.out.println("(c) new agent ready:    " + millis(ready));
        for (String room : all) {
            List<Long> agents = ProcFs.withLastArgument(room);
            boolean underSurvivor = agents.size() == 1 && (cluster.process(1).descendants()
                    .anyMatch(p -> p.pid() == agents.get(0)) || cluster.process(2).descendants()
                    .anyMatch(p -> p.pid() == agents.get(0)));
            if (!underSurvivor) {
                throw new IllegalStateException(room + ": expected one agent process under a live replica, found "
                        + agents);
            }
        }
        System.out.println("every room has exactly one agent process, under replica 1 or 2");
    }

    private static String millis(List<Long> values) {
        long[] nanos = values.stream().mapToLong(ms -> ms * 1_000_000).toArray();
        LatencyStats stats = new LatencyStats(nanos, nanos.length);
        return String.format("n=%d min=%.0f p50=%.0f p90=%.0f max=%.0f ms", nanos.length, stats.millis(0),
                stats.millis(50), stats.millis(90), stats.millis(100));
    }

    private static ExampleCluster.LogLine first(List<ExampleCluster.LogLine> lines, String prefix, String text,
            Instant after) {
        return lines.stream().filter(line -> line.text().contains(prefix) && line.text().contains(text)
                && !line.time().isBefore(after.minusSeconds(1))).findFirst().orElse(null);
    }


    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        ExampleCluster.await(WAIT, condition, what);
    }
}
