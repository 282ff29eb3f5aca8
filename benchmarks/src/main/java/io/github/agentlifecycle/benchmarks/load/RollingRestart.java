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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A rolling restart of two example-server replicas A and B on one PostgreSQL database ({@link ExampleCluster}),
 * process agents, rooms in conversation. The agent is the light shell agent of {@link ReplicaFailover} (one heartbeat
 * with curl, then it waits for the end of its stdin), so that its start-up weighs little. {@code rooms} rooms are
 * opened by a token request, alternately on A and on B, and a person joins each through the other replica; once
 * every agent is ready: SIGTERM to A, which drains for {@code drainMs} ({@code DRAIN_TIMEOUT_MS}; in {@code ending}
 * of A's rooms the person leaves right after the SIGTERM, through B, and with a grace period of 1 s those rooms end
 * normally during the drain), then hands its remaining rooms over and exits; then A' starts (a new replica id on the
 * same database) and, once it answers {@code /health/ready} with 200 and every room has a ready agent again, SIGTERM
 * to B, whose rooms are handed to A'.
 *
 * <p>A sampler reads, every {@code sampleMs}, {@code /rooms} of a replica that is not being restarted and the agent
 * processes of every room ({@code /proc}: processes whose last argument is the room, with their parent, the replica
 * that runs them). From the samples: agents that exited while their replica was not being restarted and their room
 * was not ending (goal 0), rooms with more agent processes than their host changes explain (goal 0), the most agent
 * processes of one room in one sample (goal at most 1), and for each room handed over, the time from the first
 * sample without its old agent process to the first sample with a new agent process that {@code /rooms} reports
 * ready (each end is known to within one sample interval).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.RollingRestart \
 *     examples/target/agent-lifecycle-example.jar [rooms 50] [drainMs 5000] [ending 4] [sampleMs 100] [runs 1]</pre>
 */
public final class RollingRestart {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int A = 0;
    private static final int B = 1;

    private RollingRestart() {}

    /** What one sample saw: when, each room's agent processes (pid to parent pid), each room's view. */
    private record Sample(long nanos, Map<String, Map<Long, Long>> processes, Map<String, JsonNode> rooms) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 6) {
            System.err.println("usage: RollingRestart <example jar> [rooms 50] [drainMs 5000] [ending 4]"
                    + " [sampleMs 100] [runs 1]");
            System.exit(2);
        }
        int rooms = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        long drainMs = args.length > 2 ? Long.parseLong(args[2]) : 5000;
        int ending = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        long sampleMs = args.length > 4 ? Long.parseLong(args[4]) : 100;
        int runs = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        if (ending > rooms / 2) {
            throw new IllegalArgumentException("at most half the rooms can end (they are A's rooms)");
        }
        System.setProperty("http.maxConnections", "10");
        BlockingHttp.noRetries();
        Path agent = Files.createTempFile("light-agent-", ".sh");
        Files.writeString(agent, ReplicaFailover.LIGHT_AGENT);
        agent.toFile().deleteOnExit();
        Map<String, String> env = new HashMap<>();
        env.put("AGENT_COMMAND", "sh " + agent);
        env.put("DRAIN_TIMEOUT_MS", Long.toString(drainMs));
        env.put("GRACE_PERIOD_MS", "1000");
        env.put("MAX_TOTAL_AGENTS", Integer.toString(2 * rooms + 10));
        int failed = 0;
        for (int run = 1; run <= runs; run++) {
            try (ExampleCluster cluster = ExampleCluster.start(Path.of(args[0]), 2, true, env, "rolling-" + run)) {
                System.out.printf("--- run %d: %s, %d rooms, drain %d ms, %d rooms ending during A's drain, sample"
                        + " every %d ms; light agent; load average %s%n", run, cluster.describe(), rooms, drainMs,
                        ending, sampleMs, ProcFs.loadAverage());
                failed += run(cluster, rooms, drainMs, ending, sampleMs);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** One run; returns the number of goals missed. */
    private static int run(ExampleCluster cluster, int roomCount, long drainMs, int endingCount, long sampleMs)
            throws Exception {
        String tag = Long.toString(System.currentTimeMillis(), 36);
        WebhookSigner signer = new WebhookSigner(new LiveKitCredentials(ExampleCluster.API_KEY,
                ExampleCluster.API_SECRET), Clock.systemUTC());
        List<String> rooms = new ArrayList<>();
        Map<String, Integer> firstHost = new HashMap<>();
        Map<String, WebhookEvents> events = new HashMap<>();
        Map<String, String> sessions = new HashMap<>();
        for (int i = 0; i < roomCount; i++) {
            String room = "rolling-" + tag + "-" + i;
            int host = i % 2 == 0 ? A : B;
            rooms.add(room);
            firstHost.put(room, host);
            String answer = BlockingHttp.postOk(cluster.api(host) + "/token", "application/json",
                    ("{\"roomName\":\"" + room + "\",\"participantName\":\"P\",\"participantIdentity\":\"person-" + i
                            + "\",\"role\":\"client\"}").getBytes(StandardCharsets.UTF_8), null);
            if (!answer.contains("\"status\":\"launched\"")) {
                throw new IllegalStateException(room + ": no agent launched: " + answer);
            }
            WebhookEvents roomEvents = new WebhookEvents(room, Clock.systemUTC());
            String session = roomEvents.newSessionId();
            events.put(room, roomEvents);
            sessions.put(room, session);
            byte[] join = roomEvents.participantJoined(session, "person-" + i, "STANDARD");
            BlockingHttp.postOk(cluster.api(host == A ? B : A) + "/webhook", "application/webhook+json", join,
                    signer.authorization(join));
        }
        await(() -> readyCount(cluster.rooms(B), rooms) == rooms.size(), "every agent ready");
        Set<String> ending = new LinkedHashSet<>();
        for (String room : rooms) {
            if (ending.size() < endingCount && firstHost.get(room) == A) {
                ending.add(room);
            }
        }
        Set<String> roomSet = new HashSet<>(rooms);
        Map<Integer, Long> replicaPids = new HashMap<>();
        replicaPids.put(A, cluster.pid(A));
        replicaPids.put(B, cluster.pid(B));

        List<Sample> samples = new ArrayList<>();
        AtomicInteger observer = new AtomicInteger(B);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                long started = System.nanoTime();
                Map<String, Map<Long, Long>> processes = ProcFs.byLastArgument(roomSet);
                Map<String, JsonNode> view;
                try {
                    view = cluster.rooms(observer.get());
                } catch (RuntimeException unavailable) {
                    view = null;
                }
                synchronized (samples) {
                    samples.add(new Sample(started, processes, view));
                }
                long left = sampleMs - (System.nanoTime() - started) / 1_000_000;
                if (left > 0) {
                    try {
                        Thread.sleep(left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "rolling-sampler");
        sampler.setDaemon(true);
        sampler.start();
        Thread.sleep(Math.max(500, 3 * sampleMs));

        long t0 = System.nanoTime();
        Map<Integer, Long> terminated = new HashMap<>();
        terminated.put(A, System.nanoTime());
        cluster.terminate(A);
        long leftAt = System.nanoTime();
        for (String room : ending) {
            WebhookEvents roomEvents = events.get(room);
            byte[] leave = roomEvents.participantLeft(sessions.get(room), "person-" + rooms.indexOf(room), "STANDARD");
            BlockingHttp.postOk(cluster.api(B) + "/webhook", "application/webhook+json", leave,
                    signer.authorization(leave));
        }
        if (!cluster.process(A).waitFor(drainMs + 60_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("A did not exit; see " + cluster.logFile(A));
        }
        long aExited = System.nanoTime();
        int aPrime = cluster.startReplica(Map.of());
        replicaPids.put(aPrime, cluster.pid(aPrime));
        await(() -> cluster.ready(aPrime), "A' ready");
        long aPrimeReady = System.nanoTime();
        List<String> staying = rooms.stream().filter(room -> !ending.contains(room)).toList();
        await(() -> {
            Map<String, JsonNode> view = cluster.rooms(B);
            return readyCount(view, staying) == staying.size() && ending.stream().noneMatch(view::containsKey);
        }, "every room of A with a ready agent on B, the ending rooms gone");
        long allOnB = System.nanoTime();

        observer.set(aPrime);
        terminated.put(B, System.nanoTime());
        cluster.terminate(B);
        if (!cluster.process(B).waitFor(drainMs + 60_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("B did not exit; see " + cluster.logFile(B));
        }
        long bExited = System.nanoTime();
        await(() -> {
            if (readyCount(cluster.rooms(aPrime), staying) != staying.size()) {
                return false;
            }
            Map<String, Map<Long, Long>> processes = ProcFs.byLastArgument(roomSet);
            return staying.stream().allMatch(room -> processes.getOrDefault(room, Map.of()).size() == 1
                    && processes.get(room).containsValue(cluster.pid(aPrime)));
        }, "every room with a ready agent under A'");
        long allOnAPrime = System.nanoTime();
        Thread.sleep(Math.max(1000, 5 * sampleMs));
        sampling.set(false);
        sampler.join();

        System.out.printf("SIGTERM A at 0 ms; A exited at %d ms; A' ready at %d ms; every room ready on B at %d ms;"
                + " SIGTERM B at %d ms; B exited at %d ms; every room ready under A' at %d ms%n", ms(aExited - t0),
                ms(aPrimeReady - t0), ms(allOnB - t0), ms(terminated.get(B) - t0), ms(bExited - t0),
                ms(allOnAPrime - t0));
        return analyse(samples, rooms, firstHost, ending, replicaPids, terminated, t0, leftAt, drainMs, aPrime);
    }

    private static int analyse(List<Sample> samples, List<String> rooms, Map<String, Integer> firstHost,
            Set<String> ending, Map<Integer, Long> replicaPids, Map<Integer, Long> terminated, long t0, long leftAt,
            long drainMs, int aPrime) {
        Map<Long, Integer> replicaOfPid = new HashMap<>();
        replicaPids.forEach((replica, pid) -> replicaOfPid.put(pid, replica));
        int maxInRoom = 0;
        String maxRoom = "";
        int unexpectedStops = 0;
        int earlyStops = 0;
        int strangeParents = 0;
        int extraAgents = 0;
        int normalEnds = 0;
        int handedOver = 0;
        List<Long> gaps = new ArrayList<>();
        List<Long> processGaps = new ArrayList<>();
        Map<String, Long> longest = new TreeMap<>();
        for (String room : rooms) {
            Map<Long, Long> previous = Map.of();
            Set<Long> seen = new HashSet<>();
            Long exitAt = null;
            Set<Long> knownAtExit = Set.of();
            Long newProcessAt = null;
            Sample last = samples.get(samples.size() - 1);
            for (Sample sample : samples) {
                Map<Long, Long> now = sample.processes().getOrDefault(room, Map.of());
                if (now.size() > maxInRoom) {
                    maxInRoom = now.size();
                    maxRoom = room;
                }
                for (Map.Entry<Long, Long> gone : previous.entrySet()) {
                    if (now.containsKey(gone.getKey())) {
                        continue;
                    }
                    Integer host = replicaOfPid.get(gone.getValue());
                    Long hostStopped = host == null ? null : terminated.get(host);
                    if (ending.contains(room) && sample.nanos() - leftAt >= 0) {
                        normalEnds++;
                    } else if (hostStopped != null && sample.nanos() - hostStopped >= 0) {
                        handedOver++;
                        exitAt = sample.nanos();
                        knownAtExit = new HashSet<>(seen);
                        if (sample.nanos() - hostStopped < (drainMs - 2 * 100) * 1_000_000) {
                            earlyStops++;
                            System.out.printf("%s: agent %d stopped %d ms after its replica's SIGTERM, before the"
                                    + " drain timeout%n", room, gone.getKey(), ms(sample.nanos() - hostStopped));
                        }
                    } else {
                        unexpectedStops++;
                        System.out.printf("%s: agent %d (replica %s) stopped at %d ms, its replica not restarting%n",
                                room, gone.getKey(), host, ms(sample.nanos() - t0));
                    }
                }
                for (Map.Entry<Long, Long> agent : now.entrySet()) {
                    if (seen.add(agent.getKey()) && !replicaOfPid.containsKey(agent.getValue())) {
                        strangeParents++;
                        System.out.println(room + ": agent " + agent.getKey() + " has parent " + agent.getValue()
                                + ", not a replica");
                    }
                }
                Set<Long> known = knownAtExit;
                boolean newAgent = exitAt != null && now.keySet().stream().anyMatch(pid -> !known.contains(pid));
                if (newAgent && newProcessAt == null) {
                    newProcessAt = sample.nanos();
                }
                if (exitAt != null && sample.rooms() != null) {
                    JsonNode view = sample.rooms().get(room);
                    if (view != null && view.path("agentState").asText().equals("ready") && !now.isEmpty()
                            && newAgent) {
                        long gap = sample.nanos() - exitAt;
                        gaps.add(gap);
                        processGaps.add(newProcessAt - exitAt);
                        newProcessAt = null;
                        longest.merge(room, gap, Math::max);
                        exitAt = null;
                    }
                }
                previous = now;
            }
            if (exitAt != null) {
                System.out.println(room + ": handed over, but no new ready agent seen by the last sample");
            }
            int expected = ending.contains(room) ? 1 : firstHost.get(room) == A ? 3 : 2;
            if (seen.size() != expected) {
                extraAgents += Math.max(0, seen.size() - expected);
                System.out.printf("%s: %d agent processes seen, %d expected%n", room, seen.size(), expected);
            }
            boolean stillThere = !last.processes().getOrDefault(room, Map.of()).isEmpty();
            if (ending.contains(room) == stillThere) {
                System.out.println(room + (stillThere ? ": ended, yet an agent runs" : ": no agent at the end"));
                extraAgents++;
            }
        }
        int stayingFromA = (int) rooms.stream().filter(r -> firstHost.get(r) == A && !ending.contains(r)).count();
        int fromB = (int) rooms.stream().filter(r -> firstHost.get(r) == B).count();
        System.out.printf("%d samples; agents stopped that should not have been: %d (goal 0); stopped before the"
                + " drain timeout: %d; agent processes beyond the expected %d per room of A, %d per room of B, 1 per"
                + " ending room, or left: %d (goal 0); not under a replica: %d%n", samples.size(), unexpectedStops,
                earlyStops, 3, 2, extraAgents, strangeParents);
        System.out.printf("most agent processes in one room in one sample: %d (%s) (goal <= 1)%n", maxInRoom, maxRoom);
        System.out.printf("rooms ended normally during the drain: %d of %d; hand-overs: %d (expected %d: %d rooms of A"
                + " twice, %d rooms of B once)%n", normalEnds, ending.size(), handedOver, 2 * stayingFromA + fromB,
                stayingFromA, fromB);
        System.out.println("time without an agent per hand-over, old agent gone -> new agent ready:  "
                + LatencyStats.of(gaps).wholeMillis());
        System.out.println("  of which until the new agent process ran (census):                    "
                + LatencyStats.of(processGaps).wholeMillis());
        System.out.println("hand-overs that waited at all: " + gaps.size() + " of " + handedOver
                + " (each stops its agent before the next starts)");
        longest.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                .forEach(e -> System.out.printf("  longest: %s %d ms%n", e.getKey(), ms(e.getValue())));
        int missed = unexpectedStops + extraAgents + strangeParents + earlyStops + (maxInRoom > 1 ? 1 : 0)
                + (handedOver == gaps.size() ? 0 : 1) + (normalEnds == ending.size() ? 0 : 1);
        System.out.println(missed == 0 ? "every goal met" : "goals missed: " + missed);
        return missed;
    }

    private static long readyCount(Map<String, JsonNode> view, List<String> rooms) {
        return rooms.stream().filter(room -> view.containsKey(room)
                && view.get(room).path("agentState").asText().equals("ready")).count();
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }


    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        ExampleCluster.await(WAIT, condition, what);
    }
}
