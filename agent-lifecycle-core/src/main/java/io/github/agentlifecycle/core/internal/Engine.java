package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.MaintenanceReport;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent.IgnoreReason;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The engine behind {@link io.github.agentlifecycle.core.AgentManager}: one serial loop owns every room record,
 * every live agent, the capacity pool, the event-id memory and the room timers. Every public method enqueues a
 * command and returns a stage; a command applies its input through the {@link RoomStateMachine}, carries out
 * the effects, and only then calls the launcher and the listeners.
 */
public final class Engine {
    private static final System.Logger LOG = LoggingListener.LOG;
    /** A room whose deadline is already due is re-examined at once, at most this often within one command. */
    private static final int MAX_IMMEDIATE_TICKS = 4;
    /** Longest an event id is kept (about 73 years): keeps deadlines on the {@code nanoTime} scale comparable. */
    private static final long MAX_ID_RETENTION_NANOS = Long.MAX_VALUE / 4;

    private enum Phase { NEW, RUNNING, CLOSING, CLOSED }

    private final AgentManagerConfig config;
    private final Clock clock;
    private final RoomStateMachine machine;
    private final AgentLauncher launcher;
    private final SerialLoop loop;
    private final @Nullable Runnable onClosed;
    private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();

    private final Map<String, RoomRecord> rooms = new HashMap<>();
    /** The remains of closed rooms, oldest first, kept for the replay window and at most {@code maxRooms}. */
    private final Map<String, RoomRecord> closedRooms = new LinkedHashMap<>();
    private long closedRoomsForgottenEarly;
    private final Map<String, LiveAgent> agents = new HashMap<>();
    private final RoomWakes wakes;
    private final CapacityPool pool;
    private final EventIdMemory eventIds;
    private final Counters counters = new Counters();

    private final ArrayDeque<Delivery> work = new ArrayDeque<>();
    private final List<LifecycleEvent> published = new ArrayList<>();
    private final Map<String, Integer> immediateTicks = new HashMap<>();

    private volatile Phase phase = Phase.NEW;
    private Clock.@Nullable Timer gcTimer;
    private Clock.@Nullable Timer healthTimer;
    private Clock.@Nullable Timer shutdownTimer;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    /**
     * Creates an engine; nothing runs until {@link #start()}.
     *
     * @param onClosed run once on the engine's thread after it has closed (for example to stop an owned executor)
     */
    public Engine(AgentManagerConfig config, Clock clock, RoomStateMachine machine, AgentLauncher launcher,
            Executor executor, List<LifecycleListener> listeners, @Nullable Runnable onClosed) {
        this.config = config;
        this.clock = clock;
        this.machine = machine;
        this.launcher = launcher;
        this.loop = new SerialLoop(executor);
        this.onClosed = onClosed;
        this.pool = new CapacityPool(config.maxTotalAgents());
        this.eventIds = new EventIdMemory(config.eventIdMemory());
        this.wakes = new RoomWakes(clock, timer -> loop.submit(() -> wakeDueRooms(timer)));
        this.listeners.add(new LoggingListener());
        this.listeners.addAll(listeners);
    }

    // ---- lifecycle ------------------------------------------------------------------------------------------

    /** Starts the launcher (which may reap orphans) and the periodic maintenance. */
    public synchronized void start() {
        if (phase != Phase.NEW) {
            throw new IllegalStateException("AgentManager was already started");
        }
        LOG.log(Level.INFO, "Starting agent manager: grace period " + seconds(config.gracePeriod())
                + ", GC interval " + seconds(config.gcInterval()) + ", health check interval "
                + seconds(config.healthCheckInterval()) + ", max agents " + config.maxTotalAgents());
        launcher.start(new LauncherContext() {
            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public Duration agentStopTimeout() {
                return config.agentStopTimeout();
            }

            @Override
            public void agentReady(String roomName, String agentIdentity) {
                heartbeat(roomName, agentIdentity);
            }

            @Override
            public void publish(LifecycleEvent event) {
                loop.submit(() -> {
                    published.add(event);
                    flush();
                });
            }
        });
        CompletableFuture<Void> started = new CompletableFuture<>();
        loop.submit(() -> {
            phase = Phase.RUNNING;
            scheduleGc();
            scheduleHealthCheck();
            started.complete(null);
        });
        await(started);
        LOG.log(Level.INFO, "Agent manager started");
    }

    /** Closes every room (stopping its agent) and completes once all agents exited or the stop timeout passed. */
    public CompletionStage<Void> closeAsync() {
        loop.submit(() -> {
            if (phase == Phase.NEW) {
                phase = Phase.CLOSING;
                finishClose();
                return;
            }
            if (phase != Phase.RUNNING) {
                return;
            }
            LOG.log(Level.INFO, "Stopping agent manager: closing " + rooms.size() + " rooms");
            phase = Phase.CLOSING;
            cancel(gcTimer);
            cancel(healthTimer);
            for (String room : new ArrayList<>(rooms.keySet())) {
                deliver(room, new RoomInput.CloseRequested(CloseReason.SHUTDOWN));
            }
            drain();
            if (agents.isEmpty()) {
                finishClose();
            } else {
                long wait = Require.nanos(config.agentStopTimeout()) + Duration.ofSeconds(1).toNanos();
                shutdownTimer = clock.schedule(wait, () -> loop.submit(this::finishClose));
            }
        });
        return closed.thenApply(ignored -> null);
    }

    private void finishClose() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        cancel(shutdownTimer);
        cancel(gcTimer);
        cancel(healthTimer);
        for (LiveAgent agent : agents.values()) {
            LOG.log(Level.WARNING, "Room " + agent.room + ": agent " + agent.identity
                    + (agent.pid() == null ? "" : " (PID: " + agent.pid() + ")")
                    + " did not exit within the stop timeout; leaving it to the launcher");
        }
        wakes.clearAll();
        try {
            launcher.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "launcher failed to close", e);
        }
        LOG.log(Level.INFO, "Agent manager stopped");
        closed.complete(null);
        if (onClosed != null) {
            onClosed.run();
        }
    }

    /** Whether the calling thread is the engine's own (a listener or callback running on it). */
    public boolean inEngineThread() {
        return loop.inLoop();
    }

    /** Adds a listener; returns a handle that removes it. */
    public Runnable addListener(LifecycleListener listener) {
        listeners.add(Require.nonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    // ---- commands -------------------------------------------------------------------------------------------

    /** The token path: make sure the room has (or will get) an agent. */
    public CompletionStage<EnsureResult> ensureAgent(String roomName) {
        Require.name(roomName, "roomName");
        return call(() -> {
            if (phase != Phase.RUNNING) {
                return new EnsureResult(EnsureResult.Status.REJECTED, null, "the agent manager is not running");
            }
            RoomRecord before = rooms.get(roomName);
            if (before == null && rooms.size() >= config.maxRooms()) {
                return new EnsureResult(EnsureResult.Status.REJECTED, null,
                        "too many rooms (maxRooms = " + config.maxRooms() + ")");
            }
            int generationBefore = before == null ? 0 : before.agent().generation();
            deliver(roomName, new RoomInput.AgentRequested());
            drain();
            RoomRecord after = rooms.get(roomName);
            if (after == null) {
                return new EnsureResult(EnsureResult.Status.REJECTED, null, "the room was closed");
            }
            return new EnsureResult(statusOf(after, generationBefore), snapshot(after), null);
        });
    }

    private static EnsureResult.Status statusOf(RoomRecord room, int generationBefore) {
        if (room.closing()) {
            return EnsureResult.Status.QUEUED;
        }
        AgentState state = room.agent().state();
        if (state == AgentState.QUEUED || state == AgentState.NONE) {
            return EnsureResult.Status.QUEUED;
        }
        if (room.agent().generation() != generationBefore && state == AgentState.LAUNCHING) {
            return EnsureResult.Status.LAUNCHED;
        }
        return EnsureResult.Status.RUNNING;
    }

    /**
     * Applies a webhook or reconciliation event, once per event id while the id is remembered: for {@code
     * repeatableFor}, or the replay window when null.
     */
    public CompletionStage<EventOutcome> apply(RoomEvent event, @Nullable Duration repeatableFor) {
        Require.nonNull(event, "event");
        long keepFor = Math.min(Require.nanos(repeatableFor != null ? repeatableFor : config.replayWindow()),
                MAX_ID_RETENTION_NANOS);
        return submit(new Command<>() {
            @Override
            EventOutcome execute() {
                return applyNow(event, keepFor);
            }
        });
    }

    private EventOutcome applyNow(RoomEvent event, long keepFor) {
        if (phase != Phase.RUNNING) {
            return EventOutcome.REJECTED;
        }
        String id = event.eventId();
        if (id != null) {
            long now = clock.nanoTime();
            switch (eventIds.sight(id, now, now + keepFor)) {
                case REPEAT -> {
                    counters.eventsDuplicate++;
                    published.add(new LifecycleEvent.EventIgnored(event.roomName(), id, IgnoreReason.DUPLICATE_EVENT));
                    flush();
                    return EventOutcome.DUPLICATE;
                }
                case FULL -> {
                    counters.eventsRefused++;
                    if (Long.bitCount(counters.eventsRefused) == 1) {
                        LOG.log(Level.WARNING, "Room " + event.roomName() + ": event " + id + " refused: "
                                + config.eventIdMemory() + " event ids that could still be delivered again are"
                                + " remembered (eventIdMemory); " + counters.eventsRefused + " refused so far");
                    }
                    return EventOutcome.REFUSED;
                }
                case FIRST -> { }
            }
        }
        Transition transition = step(event.roomName(), new RoomInput.External(event));
        drain();
        if (StandardRoomStateMachine.isIgnored(transition)) {
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
            if (phase != Phase.RUNNING || agent == null || !agent.identity.equals(agentIdentity)) {
                return false;
            }
            deliver(roomName, new RoomInput.Heartbeat(agent.generation));
            drain();
            return true;
        });
    }

    /**
     * Checks a credential presented by an agent in constant time; true only if it belongs to the room's current
     * agent with that identity.
     */
    public CompletionStage<Boolean> verifyAgentCredential(String roomName, String agentIdentity, String credential) {
        Require.nonNull(credential, "credential");
        return call(() -> {
            LiveAgent agent = agents.get(roomName);
            return agent != null && agent.identity.equals(agentIdentity)
                    && MessageDigest.isEqual(agent.credential, credential.getBytes(StandardCharsets.UTF_8));
        });
    }

    /** Closes a room at once (stopping its agent); false if the room is not tracked. */
    public CompletionStage<Boolean> closeRoom(String roomName, CloseReason reason) {
        Require.name(roomName, "roomName");
        return call(() -> {
            if (phase != Phase.RUNNING || !rooms.containsKey(roomName)) {
                return false;
            }
            deliver(roomName, new RoomInput.CloseRequested(reason));
            drain();
            return true;
        });
    }

    /** Runs garbage collection and the health check now. */
    public CompletionStage<MaintenanceReport> runMaintenance() {
        return call(() -> {
            if (phase != Phase.RUNNING) {
                return new MaintenanceReport(0, 0, 0, 0, 0);
            }
            int dead = healthCheck();
            return collectGarbage(dead);
        });
    }

    /** A snapshot of one room, if tracked. */
    public CompletionStage<Optional<RoomSnapshot>> room(String roomName) {
        Require.nonNull(roomName, "roomName");
        return call(() -> {
            RoomRecord record = rooms.get(roomName);
            return record == null ? Optional.empty() : Optional.of(snapshot(record));
        });
    }

    /** Snapshots of every room, ordered by name. */
    public CompletionStage<List<RoomSnapshot>> rooms() {
        return call(() -> {
            List<RoomSnapshot> all = new ArrayList<>(rooms.size());
            for (RoomRecord record : rooms.values()) {
                all.add(snapshot(record));
            }
            all.sort((a, b) -> a.roomName().compareTo(b.roomName()));
            return all;
        });
    }

    /** Totals and counters. */
    public CompletionStage<ManagerStats> stats() {
        return call(this::computeStats);
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

    private <T> CompletionStage<T> call(Supplier<T> command) {
        return submit(new Command<>() {
            @Override
            T execute() {
                return command.get();
            }
        });
    }

    private <T> CompletionStage<T> submit(Command<T> command) {
        loop.submit(command);
        return command;
    }

    // ---- the loop: transitions and effects ----------------------------------------------------------------

    private record Delivery(String room, RoomInput input) {}

    private void deliver(String room, RoomInput input) {
        work.add(new Delivery(room, input));
    }

    /** Applies queued deliveries until none is left, then tells the listeners. */
    private void drain() {
        Delivery next;
        while ((next = work.poll()) != null) {
            step(next.room(), next.input());
        }
        immediateTicks.clear();
        flush();
        if (phase == Phase.CLOSING && agents.isEmpty()) {
            finishClose();
        }
    }

    private Transition step(String room, RoomInput input) {
        RoomRecord live = rooms.get(room);
        RoomRecord current = live != null ? live : closedRooms.get(room);
        Transition transition;
        try {
            transition = machine.apply(room, current, input, clock.nanoTime());
        } catch (RuntimeException bug) {
            LOG.log(Level.ERROR, "Room " + room + ": state machine failed on " + input + "; room left unchanged", bug);
            return new Transition(current, List.of());
        }
        RoomRecord next = transition.next();
        if (next != null && next.closed() && phase != Phase.RUNNING) {
            next = null;
        }
        if (next == null) {
            rooms.remove(room);
            closedRooms.remove(room);
        } else if (next.closed()) {
            rooms.remove(room);
            rememberClosed(room, next);
        } else {
            rooms.put(room, next);
            closedRooms.remove(room);
        }
        List<RoomEffect> effects = transition.effects();
        for (int i = 0; i < effects.size(); i++) {
            carryOut(room, effects.get(i));
        }
        if (live != null && (next == null || next.closed())) {
            forget(room);
        }
        rearm(room, next);
        return transition;
    }

    /** Keeps a closed room's remains; past {@code maxRooms} of them, the oldest is forgotten before its time. */
    private void rememberClosed(String room, RoomRecord remains) {
        closedRooms.put(room, remains);
        if (closedRooms.size() <= config.maxRooms()) {
            return;
        }
        Iterator<String> oldest = closedRooms.keySet().iterator();
        String forgotten = oldest.next();
        oldest.remove();
        wakes.clear(forgotten);
        closedRoomsForgottenEarly++;
        if (Long.bitCount(closedRoomsForgottenEarly) == 1) {
            LOG.log(Level.WARNING, "Room " + forgotten + ": forgotten before its replay window ended, since more"
                    + " than maxRooms (" + config.maxRooms() + ") rooms closed within it; "
                    + closedRoomsForgottenEarly + " so far");
        }
    }

    private void carryOut(String room, RoomEffect effect) {
        if (effect instanceof RoomEffect.Publish publish) {
            published.add(publish.event());
        } else if (effect instanceof RoomEffect.RequestSlot) {
            int position = pool.request(room);
            if (position == 0) {
                deliver(room, new RoomInput.SlotGranted());
            } else {
                published.add(new LifecycleEvent.CapacityQueued(room, position));
            }
        } else if (effect instanceof RoomEffect.ReleaseSlot) {
            for (String granted : pool.release(room)) {
                deliver(granted, new RoomInput.SlotGranted());
            }
        } else if (effect instanceof RoomEffect.LaunchAgent launch) {
            launch(room, launch.generation());
        } else if (effect instanceof RoomEffect.StopAgent stop) {
            LiveAgent agent = agents.get(room);
            if (agent != null && agent.generation == stop.generation()) {
                requestStop(agent);
            }
        }
    }

    /** A removed room must hold nothing: no slot, no queue place, no timer. */
    private void forget(String room) {
        if (pool.holds(room) || pool.isWaiting(room)) {
            LOG.log(Level.WARNING, "Room " + room + ": removed while still holding an agent slot; releasing it");
            for (String granted : pool.release(room)) {
                deliver(granted, new RoomInput.SlotGranted());
            }
        }
    }

    private void rearm(String room, @Nullable RoomRecord record) {
        Long next = record == null ? null : record.nextDeadline();
        if (next == null) {
            wakes.clear(room);
            return;
        }
        long due = next;
        if (wakes.isSetTo(room, due)) {
            return;
        }
        if (!wakes.timerCovers(due) && due - clock.nanoTime() <= 0
                && immediateTicks.merge(room, 1, Integer::sum) <= MAX_IMMEDIATE_TICKS) {
            wakes.clear(room);
            deliver(room, new RoomInput.Tick());
            return;
        }
        wakes.set(room, due);
    }

    /** The clock timer of {@link #wakes} fired: wakes each room whose deadline has come, one at a time. */
    private void wakeDueRooms(long timer) {
        if (!wakes.timerFired(timer)) {
            return;
        }
        for (String room : wakes.takeDue(clock.nanoTime())) {
            deliver(room, new RoomInput.Tick());
            drain();
        }
        wakes.rescheduleTimer();
    }

    private void flush() {
        if (published.isEmpty()) {
            return;
        }
        try {
            for (int i = 0; i < published.size(); i++) {
                LifecycleEvent event = published.get(i);
                counters.count(event);
                for (LifecycleListener listener : listeners) {
                    try {
                        listener.onEvent(event);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "Room " + event.roomName() + ": listener "
                                + listener.getClass().getName() + " failed on " + event.getClass().getSimpleName(), e);
                    }
                }
            }
        } finally {
            published.clear();
        }
    }

    // ---- launcher ---------------------------------------------------------------------------------------------

    private void launch(String room, int generation) {
        LiveAgent previous = agents.get(room);
        if (previous != null) {
            LOG.log(Level.ERROR, "Room " + room + ": launch requested while agent " + previous.identity
                    + " has not exited; launch skipped");
            deliver(room, new RoomInput.AgentLaunchFailed(generation, previous.identity,
                    "previous agent has not exited"));
            return;
        }
        String identity = config.agentIdentityPrefix() + token(6);
        String credential = token(24);
        LiveAgent agent = new LiveAgent(room, generation, identity, credential.getBytes(StandardCharsets.UTF_8));
        agents.put(room, agent);
        deliver(room, new RoomInput.AgentAssigned(generation, identity));
        published.add(new LifecycleEvent.AgentLaunching(room, identity, generation));
        CompletionStage<AgentHandle> stage;
        try {
            stage = launcher.launch(new AgentSpec(room, identity, credential, generation));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((handle, error) -> loop.submit(() -> launched(agent, handle, error)));
    }

    private void launched(LiveAgent agent, @Nullable AgentHandle handle, @Nullable Throwable error) {
        if (error != null || handle == null) {
            if (agents.get(agent.room) == agent) {
                agents.remove(agent.room);
            }
            deliver(agent.room, new RoomInput.AgentLaunchFailed(agent.generation, agent.identity, describe(error)));
            drain();
            return;
        }
        agent.handle = handle;
        if (agent.stopRequested || phase == Phase.CLOSED) {
            stopHandle(agent);
        }
        CompletionStage<AgentExit> exit;
        try {
            exit = handle.onExit();
        } catch (RuntimeException e) {
            exit = CompletableFuture.completedFuture(AgentExit.lost(agent.stopRequested, "handle failed: " + e));
        }
        exit.whenComplete((status, failure) -> loop.submit(() -> exited(agent,
                status != null ? status : AgentExit.lost(agent.stopRequested, describe(failure)))));
        deliver(agent.room, new RoomInput.AgentStarted(agent.generation, identityOf(agent, handle), agent.pid()));
        drain();
    }

    private static String identityOf(LiveAgent agent, AgentHandle handle) {
        try {
            String identity = handle.agentIdentity();
            return identity == null || identity.isBlank() ? agent.identity : identity;
        } catch (RuntimeException launcherBug) {
            return agent.identity;
        }
    }

    private void exited(LiveAgent agent, AgentExit exit) {
        if (agent.exitReported) {
            return;
        }
        agent.exitReported = true;
        if (agents.get(agent.room) == agent) {
            agents.remove(agent.room);
        }
        deliver(agent.room, new RoomInput.AgentExited(agent.generation, exit));
        drain();
    }

    private void requestStop(LiveAgent agent) {
        agent.stopRequested = true;
        if (agent.handle != null) {
            stopHandle(agent);
        }
    }

    private void stopHandle(LiveAgent agent) {
        AgentHandle handle = agent.handle;
        if (handle == null) {
            return;
        }
        try {
            handle.stop(config.agentStopTimeout());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Room " + agent.room + ": stopping agent " + agent.identity + " failed", e);
        }
    }

    // ---- maintenance ------------------------------------------------------------------------------------------

    private void scheduleGc() {
        gcTimer = clock.schedule(Require.nanos(config.gcInterval()), () -> loop.submit(() -> {
            if (phase == Phase.RUNNING) {
                collectGarbage(0);
                scheduleGc();
            }
        }));
    }

    private void scheduleHealthCheck() {
        healthTimer = clock.schedule(Require.nanos(config.healthCheckInterval()), () -> loop.submit(() -> {
            if (phase == Phase.RUNNING) {
                healthCheck();
                scheduleHealthCheck();
            }
        }));
    }

    /**
     * The safety net: re-examines every room (re-arming a timer that is missing or overdue, which means it was
     * lost), stops agents that belong to no room, and drops capacity entries that no room backs.
     */
    private MaintenanceReport collectGarbage(int deadAgents) {
        int roomsBefore = rooms.size();
        long closingBefore = counters.roomsClosing;
        int repaired = 0;
        long now = clock.nanoTime();
        wakes.replaceLostTimer(now);
        for (Map.Entry<String, RoomRecord> entry : new ArrayList<>(rooms.entrySet())) {
            String room = entry.getKey();
            if (entry.getValue().nextDeadline() != null && (!wakes.has(room) || wakes.isOverdue(room, now))) {
                repaired++;
                wakes.clear(room);
            }
            deliver(room, new RoomInput.Tick());
        }
        for (String room : new ArrayList<>(closedRooms.keySet())) {
            deliver(room, new RoomInput.Tick());
        }
        drain();
        int orphans = 0;
        for (LiveAgent agent : new ArrayList<>(agents.values())) {
            RoomRecord record = rooms.get(agent.room);
            boolean owned = record != null && record.agent().generation() == agent.generation
                    && record.agent().state().holdsProcess();
            if (!owned && !agent.stopRequested) {
                orphans++;
                published.add(new LifecycleEvent.OrphanReaped(agent.room, agent.identity, agent.pid()));
                requestStop(agent);
            }
        }
        Set<String> backed = new HashSet<>();
        for (RoomRecord record : rooms.values()) {
            if (record.agent().holdsSlot() || record.agent().state() == AgentState.QUEUED) {
                backed.add(record.name());
            }
        }
        List<String> stale = new ArrayList<>(pool.holders());
        stale.addAll(pool.waiters());
        for (String room : stale) {
            if (!backed.contains(room)) {
                LOG.log(Level.WARNING, "Room " + room + ": agent slot held by no room record; released");
                for (String granted : pool.release(room)) {
                    deliver(granted, new RoomInput.SlotGranted());
                }
            }
        }
        drain();
        int closing = (int) (counters.roomsClosing - closingBefore);
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "GC complete: " + rooms.size() + " rooms, " + pool.held() + " agents, "
                    + closing + " rooms closing");
        }
        return new MaintenanceReport(roomsBefore, repaired, orphans, deadAgents, closing);
    }

    /**
     * Finds agents whose handle says they are gone although no exit was reported. An agent whose exit stage has
     * completed did report its exit (the report waits in the loop's queue behind this command): it is handled now
     * with the status it reported, not as lost.
     */
    private int healthCheck() {
        int dead = 0;
        for (LiveAgent agent : new ArrayList<>(agents.values())) {
            AgentHandle handle = agent.handle;
            if (handle == null || agent.exitReported) {
                continue;
            }
            boolean alive;
            try {
                alive = handle.isAlive();
            } catch (RuntimeException e) {
                alive = true;
            }
            if (!alive) {
                AgentExit reported = reportedExit(handle);
                if (reported != null) {
                    exited(agent, reported);
                    continue;
                }
                dead++;
                LOG.log(Level.WARNING, "Room " + agent.room + ": health check found agent " + agent.identity
                        + " dead without an exit report");
                exited(agent, AgentExit.lost(agent.stopRequested, "found dead by the health check"));
            }
        }
        return dead;
    }

    /** The exit {@code handle} has already reported, or null if its exit stage has not completed normally. */
    private static @Nullable AgentExit reportedExit(AgentHandle handle) {
        try {
            CompletableFuture<AgentExit> exit = handle.onExit().toCompletableFuture();
            return exit.isDone() && !exit.isCompletedExceptionally() ? exit.getNow(null) : null;
        } catch (RuntimeException launcherBug) {
            return null;
        }
    }

    // ---- views ------------------------------------------------------------------------------------------------

    private RoomSnapshot snapshot(RoomRecord record) {
        long now = clock.nanoTime();
        Instant wallNow = clock.instant();
        Long grace = record.graceDeadline();
        AgentState agentState = record.agent().state();
        LiveAgent live = agents.get(record.name());
        Long pid = record.agent().pid();
        if (pid == null && live != null && live.generation == record.agent().generation()) {
            pid = live.pid();
        }
        return new RoomSnapshot(
                record.name(),
                record.state(),
                record.instanceId(),
                record.humanCount(),
                record.participantCount(),
                new ArrayList<>(record.sessions().values()),
                agentState.holdsProcess(),
                agentState,
                record.agent().identity() != null ? record.agent().identity()
                        : live != null && agentState.holdsProcess() ? live.identity : null,
                agentState.holdsProcess() ? pid : null,
                record.agent().totalRestarts(),
                wallNow.minusNanos(now - record.createdAt()),
                wallNow.minusNanos(now - record.lastActivity()),
                record.state() == RoomState.GRACE_PERIOD && grace != null
                        ? Duration.ofNanos(Math.max(0, grace - now)) : null);
    }

    private ManagerStats computeStats() {
        int active = 0, grace = 0, starting = 0, empty = 0, closing = 0, agentsHeld = 0, ready = 0, failed = 0;
        int participants = 0, humans = 0;
        for (RoomRecord record : rooms.values()) {
            switch (record.state()) {
                case ACTIVE -> active++;
                case GRACE_PERIOD -> grace++;
                case STARTING -> starting++;
                case EMPTY -> empty++;
                case CLOSING -> closing++;
            }
            AgentState state = record.agent().state();
            if (state.holdsProcess()) {
                agentsHeld++;
            }
            if (state == AgentState.READY) {
                ready++;
            }
            if (state == AgentState.FAILED) {
                failed++;
            }
            participants += record.participantCount();
            humans += record.humanCount();
        }
        return new ManagerStats(rooms.size(), active, grace, starting, empty, closing, agentsHeld, ready,
                pool.waitingCount(), failed, participants, humans, config.maxTotalAgents(),
                counters.eventsApplied, counters.eventsDuplicate, counters.eventsIgnored, counters.eventsRefused,
                counters.agentLaunches,
                counters.agentLaunchFailures, counters.agentCrashes, counters.agentRestarts, counters.roomsClosed,
                counters.orphansReaped);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private String token(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    private static String describe(@Nullable Throwable error) {
        if (error == null) {
            return "launcher returned no handle";
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getName() : message;
    }

    private static void cancel(Clock.@Nullable Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
