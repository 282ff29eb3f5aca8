package io.github.agentlifecycle.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.ReplicaConfig;
import io.github.agentlifecycle.core.RestartPolicy;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Replicas of a backend in one JVM: each an {@link AgentManager} with its own {@link RecordingLauncher} and its own
 * {@link PostgresRoomStore}, all on one real PostgreSQL database and one {@link ManualClock}, run on the callers'
 * threads. A replica can be cut off from the database ({@link CutOffStore}) and its agents made to vanish, which is
 * what a killed replica looks like to the others. Closes everything it started.
 */
final class Cluster implements AutoCloseable {
    static final Duration GRACE = Duration.ofSeconds(60);
    static final Duration LEASE = Duration.ofSeconds(5);
    static final Duration POLL = Duration.ofSeconds(1);

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"), 0);
    final AgentManagerConfig config;
    private final DataSource database;
    /** One pool per replica, as each backend process has its own. */
    private final List<HikariDataSource> pools = new ArrayList<>();
    final List<Replica> replicas = new CopyOnWriteArrayList<>();
    private final boolean hostBound;
    private int started;

    /**
     * One replica: its manager, its launcher, the switch that cuts it off from the database, and (remote agents
     * only) the launches that attached to an agent already running in the room instead of starting one.
     */
    record Replica(String id, AgentManager manager, RecordingLauncher launcher, CutOffStore store,
            List<AgentSpec> attached) {}

    Cluster(int replicas, int maxTotalAgents) {
        this(replicas, AgentManagerConfig.builder()
                .gracePeriod(GRACE)
                .maxTotalAgents(maxTotalAgents)
                .restartPolicy(RestartPolicy.builder().initialDelay(Duration.ofSeconds(1)).build())
                .build());
    }

    Cluster(int replicas, AgentManagerConfig config) {
        this(replicas, config, true);
    }

    /** @param hostBound whether agents are local processes (true) or remote ones, such as LiveKit dispatches */
    Cluster(int replicas, AgentManagerConfig config, boolean hostBound) {
        this.config = config;
        this.hostBound = hostBound;
        this.database = PostgresServer.shared().newDatabase().dataSource();
        for (int i = 0; i < replicas; i++) {
            startReplica();
        }
    }

    /** Starts one more replica. */
    Replica startReplica() {
        String id = "replica-" + (++started);
        RecordingLauncher launcher = new RecordingLauncher(clock, Integer.MAX_VALUE);
        HikariDataSource pool = Pools.of(database);
        pools.add(pool);
        CutOffStore store = new CutOffStore(PostgresRoomStore.builder(pool).build());
        List<AgentSpec> attached = new CopyOnWriteArrayList<>();
        AgentManager manager = AgentManager.builder(hostBound ? launcher : new RemoteAgents(launcher, attached))
                .config(config)
                .clock(clock)
                .executor(Runnable::run)
                .sharedStore(store, ReplicaConfig.builder().replicaId(id).lease(LEASE).pollInterval(POLL).build())
                .build();
        manager.start();
        Replica replica = new Replica(id, manager, launcher, store, attached);
        replicas.add(replica);
        return replica;
    }

    Replica replica(int index) {
        return replicas.get(index);
    }

    /** The agents live on any replica in {@code room}. */
    List<RecordingLauncher.Agent> liveIn(String room) {
        List<RecordingLauncher.Agent> live = new ArrayList<>();
        for (Replica replica : replicas) {
            live.addAll(replica.launcher().liveIn(room));
        }
        return live;
    }

    /** Every live agent on any replica. */
    List<RecordingLauncher.Agent> live() {
        List<RecordingLauncher.Agent> live = new ArrayList<>();
        for (Replica replica : replicas) {
            live.addAll(replica.launcher().live());
        }
        return live;
    }

    /** What a {@code kill -9} of the replica looks like to the others: silence, and its agents gone with it. */
    void kill(Replica replica) {
        replica.store().cutOff(true);
        for (RecordingLauncher.Agent agent : replica.launcher().live()) {
            agent.vanish();
        }
    }

    /**
     * A launcher whose agents run elsewhere, as LiveKit dispatches do: they outlive the replica that started them, and
     * a launch for a room where one of them runs (started through any replica) attaches to it instead of starting
     * another, as {@link AgentLauncher#hostBound()} asks; such launches are recorded in {@code attached}.
     */
    private final class RemoteAgents implements AgentLauncher {
        private final RecordingLauncher launcher;
        private final List<AgentSpec> attached;

        RemoteAgents(RecordingLauncher launcher, List<AgentSpec> attached) {
            this.launcher = launcher;
            this.attached = attached;
        }

        @Override
        public CompletionStage<AgentHandle> launch(AgentSpec spec) {
            List<RecordingLauncher.Agent> running = liveIn(spec.roomName());
            if (!running.isEmpty()) {
                attached.add(spec);
                return CompletableFuture.completedFuture(running.get(0));
            }
            return launcher.launch(spec);
        }

        @Override
        public boolean hostBound() {
            return false;
        }
    }

    /** Moves the clock in steps of a tenth of a second, so that timers fire at their time. */
    void advance(Duration duration) {
        long step = Duration.ofMillis(100).toNanos();
        for (long left = duration.toNanos(); left > 0; left -= step) {
            clock.advanceNanos(Math.min(step, left));
        }
    }

    /** Polls {@code condition} for up to ten seconds of real time (notifications travel through PostgreSQL). */
    static void await(String what, BooleanSupplier condition) {
        Awaits.until(what, Duration.ofSeconds(10), condition);
    }

    @Override
    public void close() {
        for (Replica replica : replicas) {
            replica.store().cutOff(false);
            try {
                replica.manager().closeAsync();
                clock.advance(config.agentStopTimeout().plusSeconds(2));
            } catch (RuntimeException e) {
                // closing the rest matters more
            }
        }
        for (HikariDataSource pool : pools) {
            pool.close();
        }
    }
}
