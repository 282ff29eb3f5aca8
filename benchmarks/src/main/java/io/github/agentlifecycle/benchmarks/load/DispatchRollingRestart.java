package io.github.agentlifecycle.benchmarks.load;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.ReplicaConfig;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.livekit.AgentDispatchLauncher;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint;
import io.github.agentlifecycle.postgres.PostgresRoomStore;
import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import livekit.LivekitWebhook.WebhookEvent;

/**
 * A rolling restart of two replicas A and B whose agents are LiveKit dispatches: each replica an {@link AgentManager}
 * in this JVM with {@link AgentDispatchLauncher} and its own {@link PostgresRoomStore} (a Hikari pool) on one fresh
 * database of a private PostgreSQL ({@link PostgresServer}), against the LiveKit stand-in {@link FakeLiveKitServer},
 * in which a created dispatch makes its agent join the room at once. {@code rooms} rooms, alternately ensured on A
 * and on B, a person joining each through the other replica; the agent's join reaches both launchers as a webhook
 * would ({@link AgentDispatchLauncher#observe}). Once every agent is ready: A closes (its dispatches are left
 * running), A' starts (a new replica id, same database); once every room is ready again, B closes.
 *
 * <p>A sampler reads, every {@code sampleMs}, each room's dispatches and agent participants in the stand-in. Reported:
 * {@code CreateDispatch} calls beyond the first one per room (goal 0), {@code DeleteDispatch} calls (goal 0), rooms
 * that at some sample had no dispatch or more than one (goal 0), and, per restart, the time from the close to each
 * of the closed replica's rooms reported ready by a live replica (adopted), from the replicas' lifecycle events.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.DispatchRollingRestart \
 *     [rooms 50] [sampleMs 100] [runs 1]</pre>
 */
public final class DispatchRollingRestart {
    private static final String AGENT_NAME = "bench-agent";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private DispatchRollingRestart() {}

    /** One replica: its manager, launcher and pool, and when it saw each room's agent ready. */
    private static final class Replica implements AutoCloseable {
        final String id;
        final AgentManager manager;
        final AgentDispatchLauncher launcher;
        final HikariDataSource pool;
        final Map<String, Long> readyAt = new ConcurrentHashMap<>();
        final Map<String, Long> launchedAt = new ConcurrentHashMap<>();
        boolean closed;

        Replica(String id, PostgresServer.Database database, FakeLiveKitServer liveKit) {
            this.id = id;
            HikariConfig config = new HikariConfig();
            config.setDataSource(database.dataSource());
            config.setMaximumPoolSize(8);
            config.setPoolName(id);
            this.pool = new HikariDataSource(config);
            this.launcher = AgentDispatchLauncher.builder(liveKit.url(), liveKit.credentials(), AGENT_NAME)
                    .pollInterval(Duration.ofSeconds(1)).build();
            this.manager = AgentManager.builder(launcher)
                    .config(AgentManagerConfig.builder().maxTotalAgents(500).build())
                    .sharedStore(PostgresRoomStore.builder(pool).maxAgentsPerReplica(500).build(),
                            ReplicaConfig.builder().replicaId(id).build())
                    .listener(event -> {
                        if (event instanceof LifecycleEvent.AgentReady ready) {
                            readyAt.put(ready.roomName(), System.nanoTime());
                        } else if (event instanceof LifecycleEvent.AgentLaunched launched) {
                            launchedAt.put(launched.roomName(), System.nanoTime());
                        }
                    })
                    .build();
            manager.start();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                manager.close();
                launcher.close();
                pool.close();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int rooms = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        long sampleMs = args.length > 1 ? Long.parseLong(args[1]) : 100;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Logger.getLogger("").setLevel(Level.parse(System.getProperty("log.level", "WARNING")));
        int missed = 0;
        for (int run = 1; run <= runs; run++) {
            try (FakeLiveKitServer liveKit = FakeLiveKitServer.start()) {
                PostgresServer.Database database = PostgresServer.shared().newDatabase();
                System.out.printf("--- run %d: 2 in-JVM replicas on one PostgreSQL database (%s), dispatch agents"
                        + " (FakeLiveKitServer), %d rooms, sample every %d ms; load average %s%n", run,
                        database.jdbcUrl().replaceAll("\\?.*", ""), rooms, sampleMs, ProcFs.loadAverage());
                missed += run(liveKit, database, rooms, sampleMs);
            }
        }
        System.exit(missed == 0 ? 0 : 1);
    }

    private static int run(FakeLiveKitServer liveKit, PostgresServer.Database database, int roomCount, long sampleMs)
            throws Exception {
        liveKit.agentsJoinOnDispatch(true);
        String tag = Long.toString(System.currentTimeMillis(), 36);
        List<Replica> replicas = new ArrayList<>();
        try {
            Replica a = new Replica("replica-a", database, liveKit);
            replicas.add(a);
            Replica b = new Replica("replica-b", database, liveKit);
            replicas.add(b);
            List<String> rooms = new ArrayList<>();
            Map<String, Replica> firstHost = new HashMap<>();
            for (int i = 0; i < roomCount; i++) {
                String room = "dispatch-" + tag + "-" + i;
                Replica host = i % 2 == 0 ? a : b;
                Replica other = host == a ? b : a;
                rooms.add(room);
                firstHost.put(room, host);
                EnsureResult ensured = host.manager.ensureAgent(room);
                if (ensured.status() != EnsureResult.Status.LAUNCHED) {
                    throw new IllegalStateException(room + ": " + ensured);
                }
                other.manager.apply(new RoomEvent.ParticipantJoined(room, new RoomEvent.Participant("PA_person" + i,
                        "person-" + i, ParticipantRole.HUMAN), null, "EV_join_" + tag + "_" + i, Instant.now()));
            }
            // The launcher learns of its dispatch when CreateDispatch answers: the agent's join is sent after that.
            await(() -> rooms.stream().allMatch(room -> liveKit.dispatches(room).size() == 1)
                    && states(b, rooms).values().stream().allMatch(state -> state == AgentState.RUNNING),
                    () -> "a dispatch per room, every agent running: " + states(b, rooms));
            for (String room : rooms) {
                for (ParticipantInfo participant : liveKit.participants(room)) {
                    WebhookEvent joined = WebhookEvent.newBuilder().setEvent("participant_joined")
                            .setRoom(Room.newBuilder().setName(room).setSid("RM_" + room)).setParticipant(participant)
                            .setId("EV_agent_" + participant.getSid()).build();
                    a.launcher.observe(joined);
                    b.launcher.observe(joined);
                }
            }
            await(() -> readyCount(b, rooms) == rooms.size(), () -> "every agent ready: " + states(b, rooms));
            int createsBefore = liveKit.count(Endpoint.CREATE_DISPATCH);

            Map<String, Integer> noDispatch = new ConcurrentHashMap<>();
            Map<String, Integer> twoDispatches = new ConcurrentHashMap<>();
            Map<String, Integer> agentsNotOne = new ConcurrentHashMap<>();
            int[] samples = {0};
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    long started = System.nanoTime();
                    for (String room : rooms) {
                        int dispatches = liveKit.dispatches(room).size();
                        long agents = liveKit.participants(room).stream()
                                .filter(p -> p.getKind() == ParticipantInfo.Kind.AGENT).count();
                        if (dispatches == 0) {
                            noDispatch.merge(room, 1, Integer::sum);
                        } else if (dispatches > 1) {
                            twoDispatches.merge(room, 1, Integer::sum);
                        }
                        if (agents != 1) {
                            agentsNotOne.merge(room, 1, Integer::sum);
                        }
                    }
                    samples[0]++;
                    long left = sampleMs - (System.nanoTime() - started) / 1_000_000;
                    try {
                        Thread.sleep(Math.max(1, left));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "dispatch-sampler");
            sampler.start();
            Thread.sleep(Math.max(500, 3 * sampleMs));

            List<String> ofA = rooms.stream().filter(room -> firstHost.get(room) == a).toList();
            long closeA = System.nanoTime();
            a.close();
            long closedA = System.nanoTime();
            await(() -> ofA.stream().allMatch(room -> b.launchedAt.getOrDefault(room, 0L) - closeA > 0)
                    && readyCount(b, ofA) == ofA.size(),
                    () -> "A's rooms adopted by B: " + states(b, ofA) + "; calls: " + counts(liveKit));
            long adoptedA = System.nanoTime();
            List<Long> afterA = ofA.stream().map(room -> b.launchedAt.get(room) - closeA).toList();
            long readyEventsA = ofA.stream().filter(room -> b.readyAt.getOrDefault(room, 0L) - closeA > 0).count();
            Replica aPrime = new Replica("replica-a2", database, liveKit);
            replicas.add(aPrime);
            long aPrimeStarted = System.nanoTime();
            await(() -> readyCount(aPrime, rooms) == rooms.size(), "every room ready, seen by A'");

            long closeB = System.nanoTime();
            b.close();
            long closedB = System.nanoTime();
            await(() -> rooms.stream().allMatch(room -> aPrime.launchedAt.getOrDefault(room, 0L) - closeB > 0)
                    && readyCount(aPrime, rooms) == rooms.size(),
                    () -> "every room adopted by A': " + states(aPrime, rooms) + "; calls: " + counts(liveKit));
            long adoptedB = System.nanoTime();
            List<Long> afterB = rooms.stream().map(room -> aPrime.launchedAt.get(room) - closeB).toList();
            long readyEventsB = rooms.stream().filter(room -> aPrime.readyAt.getOrDefault(room, 0L) - closeB > 0)
                    .count();
            Thread.sleep(Math.max(2000, 5 * sampleMs));
            sampling.set(false);
            sampler.join();

            int extraCreates = liveKit.count(Endpoint.CREATE_DISPATCH) - createsBefore;
            int deletes = liveKit.count(Endpoint.DELETE_DISPATCH);
            System.out.printf("close A took %d ms; its %d rooms adopted by B and ready in its view %d ms after the close"
                    + " began; A' started %d ms after; close B took %d ms; all %d rooms adopted by A' and ready %d ms"
                    + " after B's close began%n",
                    ms(closedA - closeA), ofA.size(), ms(adoptedA - closeA), ms(aPrimeStarted - closeA),
                    ms(closedB - closeB), rooms.size(), ms(adoptedB - closeB));
            System.out.printf("%d samples; CreateDispatch calls: %d for the first dispatches, %d beyond (goal 0);"
                    + " DeleteDispatch calls: %d (goal 0); ListDispatch %d, ListParticipants %d%n", samples[0],
                    createsBefore, extraCreates, deletes, liveKit.count(Endpoint.LIST_DISPATCH),
                    liveKit.count(Endpoint.LIST_PARTICIPANTS));
            System.out.printf("rooms that at some sample had no dispatch: %d, more than one: %d, not exactly one"
                    + " agent participant: %d (goal 0 each)%n", noDispatch.size(), twoDispatches.size(),
                    agentsNotOne.size());
            System.out.println("restart of A, close -> dispatch adopted by B (launch through the launcher): "
                    + LatencyStats.of(afterA).wholeMillis() + "; agent-ready events on B after the close: "
                    + readyEventsA);
            System.out.println("restart of B, close -> dispatch adopted by A':                             "
                    + LatencyStats.of(afterB).wholeMillis() + "; agent-ready events on A' after the close: "
                    + readyEventsB);
            int missed = extraCreates + deletes + noDispatch.size() + twoDispatches.size() + agentsNotOne.size();
            System.out.println(missed == 0 ? "every goal met" : "goals missed: " + missed);
            return missed;
        } finally {
            replicas.forEach(Replica::close);
        }
    }

    private static Map<Endpoint, Integer> counts(FakeLiveKitServer liveKit) {
        Map<Endpoint, Integer> counts = new java.util.EnumMap<>(Endpoint.class);
        for (Endpoint endpoint : Endpoint.values()) {
            counts.put(endpoint, liveKit.count(endpoint));
        }
        return counts;
    }

    private static long readyCount(Replica replica, List<String> rooms) {
        return states(replica, rooms).values().stream().filter(state -> state == AgentState.READY).count();
    }

    private static Map<String, AgentState> states(Replica replica, List<String> rooms) {
        Map<String, AgentState> states = new HashMap<>();
        for (RoomSnapshot room : replica.manager.rooms()) {
            if (rooms.contains(room.roomName())) {
                states.put(room.roomName(), room.agentState());
            }
        }
        return states;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }


    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, () -> what);
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not within " + WAIT + ": " + what.get());
            }
            Thread.sleep(20);
        }
    }
}
