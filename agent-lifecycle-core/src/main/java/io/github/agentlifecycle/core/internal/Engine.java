package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.MaintenanceReport;
import io.github.agentlifecycle.core.ManagerState;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.ReplicaConfig;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent.IgnoreReason;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import io.github.agentlifecycle.core.spi.SharedRoomStore;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The engine behind {@link io.github.agentlifecycle.core.AgentManager}: its start and its commands; draining and
 * closing are its {@link Lifecycle}'s. Every command runs on one serial loop, which owns all state: the {@link
 * RoomLoop} (room records, slots, wake-ups, and through its {@link AgentSupervisor} every live agent), the event-id
 * memory, the {@link Sweep} and the {@link Views}. Every public method enqueues a command and returns a stage.
 */
public final class Engine {
    private static final System.Logger LOG = LoggingListener.LOG;
    /** Longest an event id is kept (about 73 years): keeps deadlines on the {@code nanoTime} scale comparable. */
    private static final long MAX_ID_RETENTION_NANOS = Long.MAX_VALUE / 4;

    private final AgentManagerConfig config;
    private final Clock clock;
    private final AgentLauncher launcher;
    /** The most agents this manager runs on this host: see {@link LauncherContext#maxHostedAgents()}. */
    private final int maxHostedAgents;
    private final SerialLoop loop;
    private final Publisher publisher;
    private final Counters counters;
    private final RoomLoop rooms;
    private final AgentSupervisor agents;
    private final Sweep sweep;
    private final @Nullable ReplicaDuties replica;
    private final ReplicaConfig replicaConfig;
    private final Views views;

    private final PeriodicWork periodic;
    private final Lifecycle life;

    /**
     * Creates an engine; nothing runs until {@link #start()}.
     *
     * @param shared the store shared with other replicas, or null to keep rooms in this JVM's memory
     * @param replicaConfig how this replica takes part, when {@code shared} is given
     * @param onClosed run once on the engine's thread after it has closed (for example to stop an owned executor)
     */
    public Engine(AgentManagerConfig config, Clock clock, RoomStateMachine machine, AgentLauncher launcher,
            Executor executor, List<LifecycleListener> listeners, @Nullable SharedRoomStore shared,
            ReplicaConfig replicaConfig, @Nullable Runnable onClosed) {
        this.config = config;
        this.clock = clock;
        this.launcher = launcher;
        this.maxHostedAgents = shared == null ? config.maxTotalAgents()
                : Math.min(config.maxTotalAgents(), shared.maxAgentsPerReplica());
        this.loop = new SerialLoop(executor);
        this.publisher = new Publisher(listeners);
        this.counters = publisher.counters;
        long epochOffset = SharedRooms.toEpoch(clock);
        SharedRooms sharedRooms = shared == null ? null
                : new SharedRooms(new GuardedStore(shared, clock), replicaConfig.replicaId(), clock,
                        config.maxTotalAgents(), epochOffset);
        this.rooms = new RoomLoop(config, clock, machine, launcher, loop, publisher, sharedRooms,
                sharedRooms != null ? () -> true : this::serving, this::afterDrain);
        this.agents = rooms.agents;
        this.replicaConfig = replicaConfig;
        this.replica = sharedRooms == null ? null
                : new ReplicaDuties(sharedRooms, rooms, clock, counters, replicaConfig, launcher.hostBound());
        this.sweep = new Sweep(clock, rooms, publisher);
        this.views = new Views(config, clock, rooms, counters, epochOffset);
        this.periodic = new PeriodicWork(clock, loop, this::serving);
        this.life = new Lifecycle(config, clock, launcher, loop, rooms, replica, periodic, onClosed);
    }

    // ---- lifecycle ------------------------------------------------------------------------------------------

    /** Starts the launcher (which may reap orphans) and the periodic maintenance. */
    public synchronized void start() {
        if (life.state() != ManagerState.NEW) {
            throw new IllegalStateException("AgentManager was already started");
        }
        LOG.log(Level.INFO, "Starting agent manager: grace period " + seconds(config.gracePeriod())
                + ", GC interval " + seconds(config.gcInterval()) + ", health check interval "
                + seconds(config.healthCheckInterval()) + ", max agents " + config.maxTotalAgents()
                + (maxHostedAgents < config.maxTotalAgents() ? " (" + maxHostedAgents + " on this replica)" : ""));
        if (replica != null) {
            replica.open(room -> loop.submit(() -> {
                if (life.serving()) {
                    periodic.run(() -> replica.converge(room));
                }
            }));
        }
        launcher.start(new EngineLauncherContext(clock, config.agentStopTimeout(), maxHostedAgents, this::heartbeat,
                event -> loop.submit(() -> {
                    publisher.add(event);
                    publisher.flush();
                })));
        CompletableFuture<Void> started = new CompletableFuture<>();
        loop.submit(() -> {
            life.started();
            periodic.every(Require.nanos(config.gcInterval()), () -> sweep.run(0));
            periodic.every(Require.nanos(config.healthCheckInterval()), agents::healthCheck);
            if (replica != null) {
                periodic.every(replica.renewIntervalNanos(), replica::renew);
                periodic.every(Require.nanos(replicaConfig.pollInterval()), () -> {
                    replica.fireDueDeadlines();
                    replica.grantQueuedRooms();
                });
            }
            started.complete(null);
        });
        await(started);
        LOG.log(Level.INFO, "Agent manager started");
    }

    /** Where the engine is in its life; {@code DRAINING} from the moment {@link #drain} was called while running. */
    public ManagerState state() {
        return life.state();
    }

    /** See {@link Lifecycle#drain}. */
    public CompletionStage<Void> drain(Duration timeout) {
        return life.drain(timeout);
    }

    /** See {@link Lifecycle#close}. */
    public CompletionStage<Void> closeAsync() {
        return life.close();
    }

    private boolean serving() {
        return life.serving();
    }

    private void afterDrain() {
        life.afterDrain();
    }

    /** Whether the calling thread is the engine's own (a listener or callback running on it). */
    public boolean inEngineThread() {
        return loop.inLoop();
    }

    /** Adds a listener; returns a handle that removes it. */
    public Runnable addListener(LifecycleListener listener) {
        return publisher.addListener(Require.nonNull(listener, "listener"));
    }

    // ---- commands -------------------------------------------------------------------------------------------

    /**
     * The token path: make sure the room has (or will get) an agent.
     *
     * @param adopted whether the room was found in progress at start rather than asked for by a token request
     */
    public CompletionStage<EnsureResult> ensureAgent(String roomName, boolean adopted) {
        Require.name(roomName, "roomName");
        return call(() -> {
            if (!life.serving()) {
                return new EnsureResult(EnsureResult.Status.REJECTED, null, "the agent manager is not running");
            }
            if (life.state() == ManagerState.DRAINING && replica == null
                    && !servedWhileDraining(rooms.store.openRoom(roomName))) {
                return new EnsureResult(EnsureResult.Status.DRAINING, null,
                        "this instance is draining and takes no new rooms");
            }
            if (replica != null && replica.fenced()) {
                throw new SharedStoreUnavailableException("this replica lost its lease on the shared store");
            }
            boolean launched;
            rooms.watch(roomName);
            try {
                RoomLoop.Step step = rooms.step(roomName, tx -> {
                    RoomRecord current = tx.record();
                    boolean open = current != null && !current.closed();
                    return open || rooms.store.openRoomCount() < config.maxRooms()
                            ? new RoomInput.AgentRequested(adopted) : null;
                }, null, false);
                if (step == null || step.transition() == null) {
                    return new EnsureResult(EnsureResult.Status.REJECTED, null,
                            "too many rooms (maxRooms = " + config.maxRooms() + ")");
                }
                rooms.drain();
                launched = rooms.launchedWatched();
            } finally {
                rooms.watch(null);
            }
            RoomRecord after = rooms.store.openRoom(roomName);
            if (after == null) {
                return new EnsureResult(EnsureResult.Status.REJECTED, null, "the room was closed");
            }
            return new EnsureResult(agentStatus(after, launched), views.snapshot(after), null);
        });
    }

    /**
     * Whether a draining engine (without shared state) takes a token request for {@code room}: only for an open room
     * whose agent it already looks after. A room it knows only from webhooks, created during the drain for example,
     * is a new room like any other.
     */
    private static boolean servedWhileDraining(@Nullable RoomRecord room) {
        return room != null && (room.agentWanted() || room.agent().state() != AgentState.NONE);
    }

    /** Where a token request leaves the room's agent: waiting for a slot, just launched, or there already. */
    private static EnsureResult.Status agentStatus(RoomRecord room, boolean launched) {
        AgentState state = room.agent().state();
        if (room.closing() || state == AgentState.NONE || state == AgentState.QUEUED) {
            return EnsureResult.Status.QUEUED;
        }
        return launched && state == AgentState.LAUNCHING ? EnsureResult.Status.LAUNCHED : EnsureResult.Status.RUNNING;
    }

    /**
     * Applies a webhook or reconciliation event, once per event id while the id is remembered: for {@code
     * repeatableFor}, or the replay window when null.
     */
    public CompletionStage<EventOutcome> apply(RoomEvent event, @Nullable Duration repeatableFor) {
        Require.nonNull(event, "event");
        long keepFor = Math.min(Require.nanos(repeatableFor != null ? repeatableFor : config.replayWindow()),
                MAX_ID_RETENTION_NANOS);
        return call(() -> applyNow(event, keepFor));
    }

    private EventOutcome applyNow(RoomEvent event, long keepFor) {
        if (!life.serving()) {
            return EventOutcome.REJECTED;
        }
        String id = event.eventId();
        RoomInput input = new RoomInput.External(event);
        RoomLoop.EventId sighted = id == null ? null : new RoomLoop.EventId(id, clock.nanoTime() + keepFor);
        RoomLoop.Step step = rooms.step(event.roomName(), tx -> input, sighted, false);
        rooms.drain();
        EventIdMemory.Sighting sighting = step == null ? null : step.sighting();
        if (sighting == EventIdMemory.Sighting.REPEAT) {
            counters.eventsDuplicate++;
            publisher.add(new LifecycleEvent.EventIgnored(event.roomName(), id, IgnoreReason.DUPLICATE_EVENT));
            publisher.flush();
            return EventOutcome.DUPLICATE;
        }
        if (sighting == EventIdMemory.Sighting.FULL) {
            counters.eventsRefused++;
            if (Long.bitCount(counters.eventsRefused) == 1) {
                LOG.log(Level.WARNING, "Room " + event.roomName() + ": event " + id + " refused: "
                        + config.eventIdMemory() + " event ids that could still be delivered again are"
                        + " remembered (eventIdMemory); " + counters.eventsRefused + " refused so far");
            }
            return EventOutcome.REFUSED;
        }
        if (step != null && step.transition() != null && step.transition().ignored()) {
            counters.eventsIgnored++;
            return EventOutcome.IGNORED;
        }
        counters.eventsApplied++;
        return EventOutcome.APPLIED;
    }

    /** Records a heartbeat from the room's current agent; false if no such agent runs there. */
    public CompletionStage<Boolean> heartbeat(String roomName, String agentIdentity) {
        Require.name(roomName, "roomName");
        Require.name(agentIdentity, "agentIdentity");
        return call(() -> {
            LiveAgent agent = agents.get(roomName);
            if (!life.serving() || agent == null || !agent.identity.equals(agentIdentity)) {
                return false;
            }
            rooms.deliver(roomName, new RoomInput.Heartbeat(agent.generation));
            rooms.drain();
            return true;
        });
    }

    /**
     * Checks a credential presented by an agent in constant time; true only if it belongs to the room's current
     * agent with that identity.
     */
    public CompletionStage<Boolean> verifyAgentCredential(String roomName, String agentIdentity, String credential) {
        Require.nonNull(credential, "credential");
        return call(() -> agents.verifyCredential(roomName, agentIdentity, credential));
    }

    /** Closes a room at once (stopping its agent); false if the room is not tracked. */
    public CompletionStage<Boolean> closeRoom(String roomName, CloseReason reason) {
        Require.name(roomName, "roomName");
        return call(() -> {
            if (!life.serving()) {
                return false;
            }
            RoomLoop.Step step = rooms.step(roomName, tx -> {
                RoomRecord current = tx.record();
                return current == null || current.closed() ? null : new RoomInput.CloseRequested(reason);
            }, null, false);
            rooms.drain();
            return step != null && step.transition() != null;
        });
    }

    /** Runs the health check and the sweep now. */
    public CompletionStage<MaintenanceReport> runMaintenance() {
        return call(() -> !life.serving() ? new MaintenanceReport(0, 0, 0, 0, 0)
                : sweep.run(agents.healthCheck()));
    }

    /** A snapshot of one room, if tracked. */
    public CompletionStage<Optional<RoomSnapshot>> room(String roomName) {
        Require.nonNull(roomName, "roomName");
        return call(() -> Optional.ofNullable(rooms.store.openRoom(roomName)).map(views::snapshot));
    }

    /** Snapshots of every room, ordered by name. */
    public CompletionStage<List<RoomSnapshot>> rooms() {
        return call(() -> {
            Collection<RoomRecord> open = rooms.store.openRooms();
            List<RoomSnapshot> all = new ArrayList<>(open.size());
            for (RoomRecord record : open) {
                all.add(views.snapshot(record));
            }
            all.sort((a, b) -> a.roomName().compareTo(b.roomName()));
            return all;
        });
    }

    /** Totals and counters. */
    public CompletionStage<ManagerStats> stats() {
        return call(() -> {
            Map<String, Long> cluster = replica == null ? null : replica.clusterCounters();
            return views.stats(cluster == null ? null : Counters.of(cluster), life.state());
        });
    }

    /** Waits for a stage outside the engine's thread, rethrowing its failure unwrapped. */
    public <T> T await(CompletionStage<T> stage) {
        if (loop.inLoop()) {
            throw new IllegalStateException(
                    "blocking AgentManager call from the engine's thread (a listener or launcher callback);"
                            + " use the ...Async method instead");
        }
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Runs {@code command} on the loop. With a shared store, whose answers may be slow, the stage fails with {@link
     * SharedStoreUnavailableException} after one lease if the command has not answered by then (it still runs).
     */
    private <T> CompletionStage<T> call(Supplier<T> command) {
        Command<T> work = new Command<>(command);
        if (replica != null) {
            Clock.Timer timer = clock.schedule(Require.nanos(replicaConfig.lease()), () -> work.completeExceptionally(
                    new SharedStoreUnavailableException("the agent manager did not answer within "
                            + seconds(replicaConfig.lease()) + "; the shared store may be slow or unreachable")));
            work.whenComplete((result, error) -> timer.cancel());
        }
        loop.submit(work);
        return work;
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
