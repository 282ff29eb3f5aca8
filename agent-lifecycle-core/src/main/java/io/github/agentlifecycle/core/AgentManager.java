package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.internal.Engine;
import io.github.agentlifecycle.core.internal.RoomStateMachine;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import io.github.agentlifecycle.core.spi.SharedRoomStore;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Keeps exactly one agent alive per room while people are in it.
 *
 * <p>A token request calls {@link #ensureAgent(String)}, which launches the room's agent unless one already
 * runs. Webhooks feed {@link #apply(RoomEvent)}. When the last human leaves, the agent is stopped when the grace
 * period ends unless a human returns first; the room is then forgotten. Crashed agents are restarted with
 * backoff, agents that never become ready are replaced, the number of agents is capped (further rooms wait in
 * FIFO order), and a periodic sweep repairs anything a lost event or timer left behind.
 *
 * <p><b>Threading.</b> All state belongs to one serial loop. Every operation enqueues a command and has two
 * forms: {@code ...Async} returns a {@link CompletionStage} at once; the plain form waits for it. The plain forms
 * must not be called from the engine's own thread (from a listener or a launcher callback): they throw {@link
 * IllegalStateException} there. Instances are thread-safe.
 *
 * <p><b>Lifecycle.</b> {@link #start()} once, then use, then {@link #drain(Duration)} or {@link #close()} (see {@link
 * #state()}). Before start and after close, token requests answer {@link EnsureResult.Status#REJECTED} and events
 * {@link EventOutcome#REJECTED}.
 *
 * <p><b>Errors.</b> Arguments are validated before anything is enqueued: a blank, over-long or control-character
 * room name or identity throws {@link IllegalArgumentException}, a null one {@link NullPointerException}, each
 * naming the argument. Nothing else a caller passes can fail a command.
 */
public final class AgentManager implements AutoCloseable {
    private final AgentManagerConfig config;
    private final Engine engine;

    private AgentManager(Builder builder, Executor executor, @Nullable Runnable onClosed) {
        this.config = builder.config;
        RoomStateMachine machine = builder.stateMachine != null ? builder.stateMachine
                : RoomStateMachine.standard(builder.config);
        this.engine = new Engine(builder.config, builder.clock, machine, builder.launcher, executor,
                builder.listeners, builder.sharedStore, builder.replica, onClosed);
    }

    /**
     * A builder for a manager that launches agents with {@code launcher}.
     *
     * @throws NullPointerException if {@code launcher} is null
     */
    public static Builder builder(AgentLauncher launcher) {
        return new Builder(Require.nonNull(launcher, "launcher"));
    }

    /** The configuration this manager runs with. */
    public AgentManagerConfig config() {
        return config;
    }

    /**
     * Starts the manager: lets the launcher prepare (it may reap agents an earlier host left behind, which can
     * take up to the stop timeout) and starts periodic maintenance.
     *
     * @throws IllegalStateException if it was started before
     */
    public void start() {
        engine.start();
    }

    /**
     * Makes sure the room has an agent: launches one unless the room already has one (idempotent), queues the
     * room if {@code maxTotalAgents} agents exist, and clears a {@link AgentState#FAILED} state. The room is
     * kept for the join timeout while nobody has joined. Never waits for a process to start.
     */
    public CompletionStage<EnsureResult> ensureAgentAsync(String roomName) {
        return engine.ensureAgent(roomName, false);
    }

    /** Blocking form of {@link #ensureAgentAsync(String)}. */
    public EnsureResult ensureAgent(String roomName) {
        return engine.await(ensureAgentAsync(roomName));
    }

    /**
     * Takes charge of a room found in progress when this manager started, for example by {@code RoomReconciler}
     * after a restart: the room wants an agent, like after {@link #ensureAgentAsync(String) a token request}, which
     * the launcher starts, or adopts when one of its agents already runs there (as LiveKit agent dispatch does); if
     * nobody is in the room, its grace period starts now, so the agent found there stops when it ends unless someone
     * returns.
     */
    public CompletionStage<EnsureResult> adoptRoomAsync(String roomName) {
        return engine.ensureAgent(roomName, true);
    }

    /** Blocking form of {@link #adoptRoomAsync(String)}. */
    public EnsureResult adoptRoom(String roomName) {
        return engine.await(adoptRoomAsync(roomName));
    }

    /**
     * Applies a webhook or reconciliation event; an event id is applied at most once while it is remembered: for
     * the configuration's {@link AgentManagerConfig#replayWindow() replayWindow}.
     */
    public CompletionStage<EventOutcome> applyAsync(RoomEvent event) {
        return engine.apply(event, null);
    }

    /** Blocking form of {@link #applyAsync(RoomEvent)}. */
    public EventOutcome apply(RoomEvent event) {
        return engine.await(applyAsync(event));
    }

    /**
     * Applies an event that could be delivered again for up to {@code repeatableFor} from now (for a webhook: until
     * its signature expires, plus the verifier's clock leeway); its id is applied at most once in that time.
     *
     * @throws IllegalArgumentException if {@code repeatableFor} is negative
     */
    public CompletionStage<EventOutcome> applyAsync(RoomEvent event, Duration repeatableFor) {
        return engine.apply(event, Require.nonNegative(repeatableFor, "repeatableFor"));
    }

    /** Blocking form of {@link #applyAsync(RoomEvent, Duration)}. */
    public EventOutcome apply(RoomEvent event, Duration repeatableFor) {
        return engine.await(applyAsync(event, repeatableFor));
    }

    /**
     * Records a heartbeat of the room's agent: marks a starting agent ready and, when a heartbeat timeout is
     * configured, keeps it from counting as hung. Completes with false if no agent with that identity runs in
     * the room.
     */
    public CompletionStage<Boolean> heartbeatAsync(String roomName, String agentIdentity) {
        return engine.heartbeat(roomName, agentIdentity);
    }

    /** Blocking form of {@link #heartbeatAsync(String, String)}. */
    public boolean heartbeat(String roomName, String agentIdentity) {
        return engine.await(heartbeatAsync(roomName, agentIdentity));
    }

    /**
     * Checks, in constant time, the credential an agent presents against the one it was given at launch (see
     * {@link io.github.agentlifecycle.core.spi.AgentSpec#credential()}).
     */
    public CompletionStage<Boolean> verifyAgentCredentialAsync(String roomName, String agentIdentity,
            String credential) {
        return engine.verifyAgentCredential(roomName, agentIdentity, credential);
    }

    /** Blocking form of {@link #verifyAgentCredentialAsync(String, String, String)}. */
    public boolean verifyAgentCredential(String roomName, String agentIdentity, String credential) {
        return engine.await(verifyAgentCredentialAsync(roomName, agentIdentity, credential));
    }

    /** Closes a room now, stopping its agent; completes with false if the room is not tracked. */
    public CompletionStage<Boolean> closeRoomAsync(String roomName) {
        return engine.closeRoom(roomName, CloseReason.ADMIN);
    }

    /** Blocking form of {@link #closeRoomAsync(String)}. */
    public boolean closeRoom(String roomName) {
        return engine.await(closeRoomAsync(roomName));
    }

    /** Runs garbage collection and the health check now instead of waiting for their intervals. */
    public CompletionStage<MaintenanceReport> runMaintenanceAsync() {
        return engine.runMaintenance();
    }

    /** Blocking form of {@link #runMaintenanceAsync()}. */
    public MaintenanceReport runMaintenance() {
        return engine.await(runMaintenanceAsync());
    }

    /** A snapshot of one room, or empty if it is not tracked. */
    public CompletionStage<Optional<RoomSnapshot>> roomAsync(String roomName) {
        return engine.room(roomName);
    }

    /** Blocking form of {@link #roomAsync(String)}. */
    public Optional<RoomSnapshot> room(String roomName) {
        return engine.await(roomAsync(roomName));
    }

    /** Snapshots of all rooms, ordered by name. */
    public CompletionStage<List<RoomSnapshot>> roomsAsync() {
        return engine.rooms();
    }

    /** Blocking form of {@link #roomsAsync()}. */
    public List<RoomSnapshot> rooms() {
        return engine.await(roomsAsync());
    }

    /** Totals over all rooms and counters since the manager was built. */
    public CompletionStage<ManagerStats> statsAsync() {
        return engine.stats();
    }

    /** Blocking form of {@link #statsAsync()}. */
    public ManagerStats stats() {
        return engine.await(statsAsync());
    }

    /**
     * Adds a listener at run time (listeners given to the builder are there from the start).
     *
     * @return a registration whose {@code close()} removes the listener
     */
    public Registration addListener(LifecycleListener listener) {
        Runnable remove = engine.addListener(listener);
        return remove::run;
    }

    /** Where the manager is in its life; read without waiting for the engine. Only {@code RUNNING} takes new rooms. */
    public ManagerState state() {
        return engine.state();
    }

    /**
     * Lets the conversations under way end before closing, for a deploy that should cut none. From the call on, the
     * manager is {@link ManagerState#DRAINING}: it takes no new room (a token request for a room it does not serve,
     * one whose agent it does not already look after, answers {@link EnsureResult.Status#DRAINING}; with a shared
     * store the room is queued and another replica starts its agent), while the rooms it serves go on as before (webhooks, heartbeats, token requests, restarts) until they
     * end normally, grace period and all. It closes as {@link #closeAsync()} does once it runs no agent and no room
     * waits for one (with a shared store: once it hosts no agent; remote agents are left for the other replicas to
     * adopt at once), or when {@code timeout} has passed, whichever comes first. Progress is logged; {@link #stats()}
     * shows it. Calling it again, or after close, changes nothing; {@link #close()} during a drain closes at once.
     *
     * @return a stage completed once the manager has closed
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public CompletionStage<Void> drainAsync(Duration timeout) {
        return engine.drain(timeout);
    }

    /** Blocking form of {@link #drainAsync(Duration)}: returns once the manager has closed. */
    public void drain(Duration timeout) {
        engine.await(drainAsync(timeout));
    }

    /**
     * Closes the manager and completes once its agents are gone. Host-bound agents (local processes) are stopped:
     * without a shared store every room is closed, which stops its agent; with one, the other replicas keep the
     * rooms and start new agents. Agents that are not {@linkplain AgentLauncher#hostBound() host-bound} (LiveKit
     * agent dispatches) keep running in their rooms: the next start (through {@code RoomReconciler}) or another
     * replica adopts them, and LiveKit ends them with their rooms otherwise. Completes once every stopped agent has
     * exited or the stop timeout (plus one second for the kill to take effect) has passed; then closes the launcher.
     * Idempotent.
     */
    public CompletionStage<Void> closeAsync() {
        return engine.closeAsync();
    }

    /** Blocking form of {@link #closeAsync()}. */
    @Override
    public void close() {
        engine.await(closeAsync());
    }

    /** Removes what it registered. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        /** Removes the registration; does nothing the second time. */
        @Override
        void close();
    }

    /** Builds an {@link AgentManager}. Not thread-safe. Each setter rejects null with a message naming it. */
    public static final class Builder {
        private final AgentLauncher launcher;
        private AgentManagerConfig config = AgentManagerConfig.defaults();
        private Clock clock = Clock.system();
        private @Nullable RoomStateMachine stateMachine;
        private @Nullable Executor executor;
        private final List<LifecycleListener> listeners = new ArrayList<>();
        private @Nullable SharedRoomStore sharedStore;
        private ReplicaConfig replica = ReplicaConfig.builder().build();

        private Builder(AgentLauncher launcher) {
            this.launcher = launcher;
        }

        /** The configuration (default: {@link AgentManagerConfig#defaults()}). */
        public Builder config(AgentManagerConfig config) {
            this.config = Require.nonNull(config, "config");
            return this;
        }

        /** The clock (default: {@link Clock#system()}); tests pass one they move by hand. */
        public Builder clock(Clock clock) {
            this.clock = Require.nonNull(clock, "clock");
            return this;
        }

        /** Replaces the state machine, for tests of the engine's own safety nets (default: the standard one). */
        Builder stateMachine(RoomStateMachine stateMachine) {
            this.stateMachine = Require.nonNull(stateMachine, "stateMachine");
            return this;
        }

        /** Shares room state with the other replicas of a backend through {@code store}, with default settings. */
        public Builder sharedStore(SharedRoomStore store) {
            return sharedStore(store, ReplicaConfig.builder().build());
        }

        /**
         * Shares room state with the other replicas of a backend through {@code store} (default: none, rooms are
         * kept in this JVM's memory). Any replica may then serve any room: token requests, webhooks, admin calls.
         * Agents launched by this manager run on this replica; a stop decided on another replica reaches it through
         * the store. {@link AgentManager#close()} then stops only this replica's agents and leaves the rooms to the
         * other replicas. Calls that need the store throw {@link SharedStoreUnavailableException} when it cannot
         * answer.
         */
        public Builder sharedStore(SharedRoomStore store, ReplicaConfig replica) {
            this.sharedStore = Require.nonNull(store, "store");
            this.replica = Require.nonNull(replica, "replica");
            return this;
        }

        /** Adds a listener; listeners are called in the order they were added. */
        public Builder listener(LifecycleListener listener) {
            listeners.add(Require.nonNull(listener, "listener"));
            return this;
        }

        /**
         * Where the engine's serial loop runs (default: a dedicated daemon thread, stopped on close). Tasks given
         * to the executor may run on any of its threads; the engine runs them one at a time, in order.
         *
         * <p>{@code Runnable::run} runs the loop on whichever thread submits a command while the loop is idle (a
         * command submitted while it runs is queued and run by the thread already running it). Tests use it to be
         * deterministic; servers whose callers wait for each answer anyway (webhook and token handlers) save two
         * thread hand-offs per call with it. The price: listeners, timer firings and exit reports then run on
         * those callers' threads (HTTP workers, the clock's timer thread, the launcher's threads), so a slow
         * listener slows whichever caller happens to run the loop. Keep the default with a {@linkplain
         * #sharedStore shared store}: every command then waits for the database, and under steady load the caller
         * that runs the loop would keep running other callers' commands before it can answer its own.
         */
        public Builder executor(Executor executor) {
            this.executor = Require.nonNull(executor, "executor");
            return this;
        }

        /** Builds the manager; call {@link AgentManager#start()} next. */
        public AgentManager build() {
            if (executor != null) {
                return new AgentManager(this, executor, null);
            }
            ExecutorService owned = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "agent-lifecycle-loop");
                thread.setDaemon(true);
                return thread;
            });
            return new AgentManager(this, owned, owned::shutdown);
        }
    }
}
