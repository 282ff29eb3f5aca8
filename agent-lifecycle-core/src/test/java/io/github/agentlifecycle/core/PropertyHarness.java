package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Runs one generated scenario against a fresh {@link AgentManager} on a {@link ManualClock} and a direct executor,
 * so that every call has run to completion when it returns and nothing ever sleeps. Keeps the {@link
 * LifecycleModel} in step with what it delivers and lets a {@link Checker} look at the manager after every step
 * and at the instants a checker asks for while the clock advances.
 */
final class PropertyHarness {
    static final Duration GRACE = Duration.ofSeconds(60);
    static final Duration JOIN_TIMEOUT = Duration.ofMinutes(5);
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(20);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(8);
    static final int PERIODIC_TIMERS = 2;
    /** How long after its delivery an event may be delivered again, as long as a LiveKit webhook signature lasts. */
    static final Duration REPEATABLE = Duration.ofMinutes(5);

    private static final String[] IDENTITIES = {"alice", "bob", "carol"};
    private static final String[] ROOMS = {"room-a", "room-b", "room-c", "room-d"};
    private static final Logger ENGINE_LOG = Logger.getLogger("io.github.agentlifecycle");
    private static final List<LogRecord> ERRORS = new ArrayList<>();
    private static final Handler ERROR_CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                synchronized (ERRORS) {
                    ERRORS.add(record);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private static Level savedLevel;
    private static boolean savedUseParentHandlers;

    final Settings settings;
    final AgentManagerConfig config;
    final ManualClock clock;
    final RecordingLauncher launcher;
    final AgentManager manager;
    final LifecycleModel model;
    final List<String> roomNames;
    private final Checker checker;
    private final List<Delivery> delivered = new ArrayList<>();
    /** Every lifecycle event the manager published, with the clock reading at the time. */
    private final List<Published> published = new ArrayList<>();
    /** When the engine last closed each room, and in which order: the order it keeps their remains in. */
    private final Map<String, long[]> closedAt = new HashMap<>();
    private long closings;
    private final List<LateJoin> lateJoins = new ArrayList<>();
    private final Map<String, Integer> instances = new HashMap<>();
    private final Map<String, String> sessionInstances = new HashMap<>();
    private final Set<String> wanted = new HashSet<>();
    private final List<String> trace = new ArrayList<>();
    /** When each agent last sent an accepted heartbeat. */
    private final Map<RecordingLauncher.Agent, Long> lastHeartbeat = new HashMap<>();
    /** The agents that fell silent for the heartbeat timeout at some point and then sent one again. */
    private final Set<RecordingLauncher.Agent> heartbeatLapsed = new HashSet<>();
    private Map<String, RoomSnapshot> rooms = Map.of();
    private int nextSession;
    private int nextEvent;
    private int steps;
    private CompletableFuture<Void> closed;
    private CompletableFuture<Void> drained;
    /** The rooms the engine is closing because it is closing itself (drain timeout, close). */
    private final Set<String> closingForShutdown = new HashSet<>();
    /** The rooms whose agent the engine stopped because it was closing itself, in order. */
    private final List<String> stoppedForShutdown = new ArrayList<>();
    private boolean shuttingDown;

    /**
     * The parts of the setup that vary between tries.
     *
     * @param maxTotalAgents the agent cap
     * @param roomCount how many room names the steps use
     * @param heartbeats whether a heartbeat timeout is configured
     * @param maxRestarts the restart budget per window
     * @param clockOrigin the clock's first nano reading (near {@link Long#MAX_VALUE} to cross the overflow)
     * @param startPendingAfterShutdown whether launches still waiting at shutdown complete only after it
     * @param restartOnCleanExit whether an unrequested exit with code 0 counts as a crash
     * @param maxRooms rooms tracked before token requests for new rooms are rejected
     */
    record Settings(int maxTotalAgents, int roomCount, boolean heartbeats, int maxRestarts, long clockOrigin,
            boolean startPendingAfterShutdown, boolean restartOnCleanExit, int maxRooms) {

        static Arbitrary<Settings> any() {
            return Combinators.combine(
                    Arbitraries.integers().between(2, 3),
                    Arbitraries.integers().between(3, 4),
                    Arbitraries.of(false, true),
                    Arbitraries.integers().between(1, 3),
                    Arbitraries.of(0L, Long.MAX_VALUE - Duration.ofMinutes(20).toNanos()),
                    Arbitraries.of(false, true),
                    Arbitraries.of(false, false, true),
                    Arbitraries.of(10_000, 10_000, 10_000, 2))
                    .as(Settings::new);
        }
    }

    /**
     * What a step did, for checkers.
     *
     * @param action the step
     * @param room the room it concerned, or null
     * @param token the answer to its token request or adoption, or null
     * @param event the event it delivered, or null
     * @param eventOutcome what the manager did with the event, or null
     * @param joined the session the model counts as joined by this step, or null
     * @param left the session the model counts as gone because of this step, or null
     * @param result what the manager call returned, or null
     */
    record Outcome(Action action, String room, EnsureResult token, RoomEvent event, EventOutcome eventOutcome,
            Participant joined, Participant left, Object result) {

        Outcome withToken(EnsureResult value) {
            return new Outcome(action, room, value, event, eventOutcome, joined, left, result);
        }

        /** Whether the step requested a token (or adopted the room) and the manager took the request. */
        boolean tokenTaken() {
            return token != null && taken(token);
        }

        /** Whether the step adopted the room ({@link Action.Adopt}) and the manager took it. */
        boolean adoptionTaken() {
            return action instanceof Action.Adopt && tokenTaken();
        }
    }

    /** An event and when it was delivered. */
    private record Delivery(RoomEvent event, long at) {}

    /** A lifecycle event the manager published, and when. */
    record Published(io.github.agentlifecycle.core.spi.LifecycleEvent event, long at) {}

    /** A join held back because its leave was delivered first. */
    private record LateJoin(String room, Participant participant) {}

    /** Looks at the manager during a scenario; every method throws {@link AssertionError} on a violation. */
    interface Checker {
        /** Before a step is carried out. */
        default void before(PropertyHarness h, Action action) {}

        /** After a step, with what it did; by default runs {@link #check}. */
        default void after(PropertyHarness h, Outcome outcome) {
            check(h);
        }

        /** The state invariants: run after every step and at every checkpoint. */
        default void check(PropertyHarness h) {}

        /** Absolute clock readings at which the clock must stop while it advances, to run {@link #check}. */
        default List<Long> checkpoints() {
            return List.of();
        }

        /** Before the manager is closed at the end of the scenario. */
        default void beforeShutdown(PropertyHarness h) {}

        /** After the manager has closed and the clock has passed the stop timeout. */
        default void afterShutdown(PropertyHarness h) {}
    }

    PropertyHarness(Settings settings, Checker checker) {
        this.settings = settings;
        this.checker = checker;
        RestartPolicy restarts = RestartPolicy.builder()
                .initialDelay(Duration.ofSeconds(1))
                .factor(2.0)
                .maxDelay(MAX_BACKOFF)
                .resetAfter(Duration.ofSeconds(60))
                .maxRestarts(settings.maxRestarts())
                .window(Duration.ofMinutes(2))
                .build();
        this.config = AgentManagerConfig.builder()
                .gracePeriod(GRACE)
                .joinTimeout(JOIN_TIMEOUT)
                .agentStartupTimeout(STARTUP_TIMEOUT)
                .agentStopTimeout(STOP_TIMEOUT)
                .heartbeatTimeout(settings.heartbeats() ? HEARTBEAT_TIMEOUT : Duration.ZERO)
                .maxTotalAgents(settings.maxTotalAgents())
                .restartPolicy(restarts)
                .restartOnCleanExit(settings.restartOnCleanExit())
                .maxRooms(settings.maxRooms())
                .build();
        this.clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"), settings.clockOrigin());
        this.launcher = new RecordingLauncher(clock, settings.maxTotalAgents());
        this.manager = AgentManager.builder(launcher)
                .config(config)
                .clock(clock)
                .executor(Runnable::run)
                .listener(event -> {
                    published.add(new Published(event, clock.nanoTime()));
                    if (event instanceof io.github.agentlifecycle.core.spi.LifecycleEvent.RoomClosed) {
                        closedAt.put(event.roomName(), new long[] {clock.nanoTime(), ++closings});
                    }
                    if (event instanceof io.github.agentlifecycle.core.spi.LifecycleEvent.RoomClosing closing
                            && closing.reason() == CloseReason.SHUTDOWN) {
                        closingForShutdown.add(closing.roomName());
                    } else if (event instanceof io.github.agentlifecycle.core.spi.LifecycleEvent.RoomClosed) {
                        closingForShutdown.remove(event.roomName());
                    } else if (event instanceof io.github.agentlifecycle.core.spi.LifecycleEvent.AgentStopping
                            stopping && stopping.reason() == StopReason.ROOM_CLOSING
                            && closingForShutdown.contains(stopping.roomName())) {
                        stoppedForShutdown.add(stopping.roomName());
                    }
                })
                .build();
        this.model = new LifecycleModel(config.replayWindow().toNanos(), settings.maxRooms());
        List<String> names = new ArrayList<>();
        for (int i = 0; i < settings.roomCount(); i++) {
            names.add(ROOMS[i]);
        }
        this.roomNames = List.copyOf(names);
    }

    /** Sends the engine's log to a capture that keeps only errors, instead of the console. */
    static void captureEngineLog() {
        savedLevel = ENGINE_LOG.getLevel();
        savedUseParentHandlers = ENGINE_LOG.getUseParentHandlers();
        ENGINE_LOG.setLevel(Level.SEVERE);
        ENGINE_LOG.setUseParentHandlers(false);
        ENGINE_LOG.addHandler(ERROR_CAPTURE);
    }

    /** Undoes {@link #captureEngineLog()}. */
    static void releaseEngineLog() {
        ENGINE_LOG.removeHandler(ERROR_CAPTURE);
        ENGINE_LOG.setLevel(savedLevel);
        ENGINE_LOG.setUseParentHandlers(savedUseParentHandlers);
    }

    /**
     * Starts the manager, carries out every step, then closes the manager; checks throughout. A scenario whose drain
     * has closed the manager (or begun to) ends there: what is left of it could only be rejected.
     */
    void run(List<Action> actions) {
        start();
        for (Action action : actions) {
            if (stopping()) {
                note("(the drain closed the manager; the scenario ends)");
                break;
            }
            perform(action);
        }
        shutdown();
    }

    /** Whether the manager is closing or closed. */
    boolean stopping() {
        ManagerState state = manager.state();
        return state == ManagerState.CLOSING || state == ManagerState.CLOSED;
    }

    /** Whether the scenario has ended and the harness closes the manager. */
    boolean shuttingDown() {
        return shuttingDown;
    }

    /** The rooms whose agent the engine stopped because it was closing itself (drain timeout, close), in order. */
    List<String> stoppedForShutdown() {
        return stoppedForShutdown;
    }

    /** The stage of the first drain, or null before any. */
    CompletableFuture<Void> drained() {
        return drained;
    }

    /**
     * The timers the engine itself keeps besides those of rooms: the periodic ones while it serves, plus the drain's
     * deadline while it drains, and the wait for its agents' exits while it closes.
     */
    int engineTimers() {
        switch (manager.state()) {
            case RUNNING:
                return PERIODIC_TIMERS;
            case DRAINING:
                return PERIODIC_TIMERS + 1;
            case CLOSING:
                return 1;
            default:
                return 0;
        }
    }

    void start() {
        synchronized (ERRORS) {
            ERRORS.clear();
        }
        manager.start();
        sync();
        checker.check(this);
    }

    /** Carries out one step, brings the model in line and runs the checker. */
    Outcome perform(Action action) {
        steps++;
        checker.before(this, action);
        Outcome outcome;
        try {
            outcome = carryOut(action);
        } catch (RuntimeException e) {
            throw failure("step threw " + e, e);
        }
        sync();
        checker.after(this, outcome);
        return outcome;
    }

    /** Closes the manager and lets the clock pass the stop timeout, then runs the shutdown checks. */
    void shutdown() {
        shuttingDown = true;
        checker.beforeShutdown(this);
        launcher.cooperate();
        if (!settings.startPendingAfterShutdown()) {
            startPendingLaunches();
        }
        note("closeAsync()");
        closed = manager.closeAsync().toCompletableFuture();
        sync();
        advance(STOP_TIMEOUT.plusSeconds(1).toNanos() + 1);
        if (settings.startPendingAfterShutdown()) {
            startPendingLaunches();
            advance(STOP_TIMEOUT.plusSeconds(1).toNanos() + 1);
        }
        sync();
        checkNoEngineErrors();
        checker.afterShutdown(this);
    }

    boolean closeCompleted() {
        return closed != null && closed.isDone() && !closed.isCompletedExceptionally();
    }

    private void startPendingLaunches() {
        for (RecordingLauncher.Agent agent : launcher.pending()) {
            note("start pending launch of " + agent);
            agent.start();
        }
    }

    // ---- steps ------------------------------------------------------------------------------------------------

    private Outcome carryOut(Action action) {
        if (action instanceof Action.Token token) {
            String room = room(token.room());
            return outcome(action, room, null).withToken(requestToken(room));
        }
        if (action instanceof Action.Adopt adopt) {
            String room = room(adopt.room());
            EnsureResult result = manager.adoptRoom(room);
            if (taken(result)) {
                wanted.add(room);
            }
            note("adopt " + room + " -> " + result.status());
            return outcome(action, room, null).withToken(result);
        }
        if (action instanceof Action.Arrive arrive) {
            String room = room(arrive.room());
            EnsureResult result = requestToken(room);
            sync();
            return join(action, room, newParticipant(IDENTITIES[Math.floorMod(arrive.identity(), 3)],
                    ParticipantRole.HUMAN)).withToken(result);
        }
        if (action instanceof Action.HumanJoin join) {
            String room = room(join.room());
            return join(action, room, newParticipant(IDENTITIES[Math.floorMod(join.identity(), 3)],
                    ParticipantRole.HUMAN));
        }
        if (action instanceof Action.HumanLeave leave) {
            String room = room(leave.room());
            Participant present = pick(humans(room), leave.pick());
            return present == null ? skip(action, room) : leave(action, room, present, leave.aborted());
        }
        if (action instanceof Action.Rejoin rejoin) {
            String room = room(rejoin.room());
            Participant present = pick(humans(room), rejoin.pick());
            return present == null ? skip(action, room)
                    : join(action, room, newParticipant(present.identity(), ParticipantRole.HUMAN));
        }
        if (action instanceof Action.StaleLeave stale) {
            String room = room(stale.room());
            Participant oldest = pick(superseded(room), stale.pick());
            return oldest == null ? skip(action, room) : leave(action, room, oldest, false);
        }
        if (action instanceof Action.LeaveFirst first) {
            String room = room(first.room());
            Participant participant = newParticipant(IDENTITIES[Math.floorMod(first.identity(), 3)],
                    ParticipantRole.HUMAN);
            lateJoins.add(new LateJoin(room, participant));
            return leave(action, room, participant, first.aborted());
        }
        if (action instanceof Action.StaleInstanceJoin stale) {
            String room = room(stale.room());
            String sid = model.anEndedInstance(room, stale.pick());
            if (sid == null) {
                return skip(action, room);
            }
            Participant participant = newParticipant(IDENTITIES[Math.floorMod(stale.identity(), 3)],
                    ParticipantRole.HUMAN);
            sessionInstances.put(participant.sessionId(), sid);
            return join(action, room, participant);
        }
        if (action instanceof Action.LateJoin late) {
            LateJoin held = pick(lateJoins, late.pick());
            if (held == null) {
                return skip(action, null);
            }
            lateJoins.remove(held);
            return join(action, held.room(), held.participant());
        }
        if (action instanceof Action.AgentJoin agentJoin) {
            RecordingLauncher.Agent agent = agentJoin.stranger() ? null : pick(launcher.live(), agentJoin.pick());
            if (agent == null) {
                return join(action, room(agentJoin.pick()), newParticipant("ai-agent-stranger",
                        ParticipantRole.AGENT));
            }
            return join(action, agent.spec.roomName(), newParticipant(agent.spec.agentIdentity(),
                    ParticipantRole.AGENT));
        }
        if (action instanceof Action.NonHumanLeave leave) {
            String room = room(leave.room());
            List<Participant> others = new ArrayList<>();
            for (Participant participant : model.present(room)) {
                if (participant.role() != ParticipantRole.HUMAN) {
                    others.add(participant);
                }
            }
            Participant present = pick(others, leave.pick());
            return present == null ? skip(action, room) : leave(action, room, present, false);
        }
        if (action instanceof Action.OtherJoin other) {
            String room = room(other.room());
            return join(action, room, newParticipant("recorder", ParticipantRole.OTHER));
        }
        if (action instanceof Action.Heartbeat heartbeat) {
            RecordingLauncher.Agent agent = pick(launcher.live(), heartbeat.pick());
            if (agent != null && heartbeat.stale()) {
                agent = previousAgent(agent.spec.roomName());
            }
            if (agent == null) {
                return skip(action, null);
            }
            return heartbeat(action, agent);
        }
        if (action instanceof Action.Duplicate duplicate) {
            List<RoomEvent> repeatable = new ArrayList<>();
            for (Delivery delivery : delivered) {
                if (clock.nanoTime() - delivery.at() < REPEATABLE.toNanos()) {
                    repeatable.add(delivery.event());
                }
            }
            RoomEvent event = pick(repeatable, duplicate.pick());
            if (event == null) {
                return skip(action, null);
            }
            EventOutcome result = manager.apply(event, REPEATABLE);
            note("redeliver " + event + " -> " + result);
            return new Outcome(action, event.roomName(), null, event, result, null, null, result);
        }
        if (action instanceof Action.RoomStarted started) {
            String room = room(started.room());
            int instance = instances.merge(room, 1, Integer::sum);
            return deliver(action, new RoomEvent.RoomStarted(room, "RM_" + room + "_" + instance, eventId(), null),
                    null, null);
        }
        if (action instanceof Action.RoomFinished finished) {
            String room = room(finished.room());
            int instance = instances.getOrDefault(room, 0);
            String sid = switch (finished.instance()) {
                case CURRENT -> "RM_" + room + "_" + instance;
                case OLDER -> "RM_" + room + "_" + (instance - 1);
                case NONE -> null;
            };
            if (finished.instance() != Action.Instance.OLDER) {
                instances.put(room, instance + 1);
            }
            return deliver(action, new RoomEvent.RoomFinished(room, sid, eventId(), null), null, null);
        }
        if (action instanceof Action.Advance advance) {
            long nanos = nanosOf(advance);
            note("advance " + Duration.ofNanos(nanos));
            advance(nanos);
            return outcome(action, null, nanos);
        }
        if (action instanceof Action.Exit exit) {
            RecordingLauncher.Agent agent = pick(launcher.running(), exit.pick());
            if (agent == null) {
                return skip(action, null);
            }
            String room = agent.spec.roomName();
            if (exit.code() == 0 && agent.stopRequests() == 0 && !settings.restartOnCleanExit()) {
                wanted.remove(room);
            }
            note("agent " + agent + " exits with " + exit.code());
            agent.exitWith(exit.code());
            return outcome(action, room, agent);
        }
        if (action instanceof Action.Vanish vanish) {
            RecordingLauncher.Agent agent = pick(launcher.running(), vanish.pick());
            if (agent == null) {
                return skip(action, null);
            }
            note("agent " + agent + " vanishes");
            agent.vanish();
            return outcome(action, agent.spec.roomName(), agent);
        }
        if (action instanceof Action.HangNext) {
            launcher.hangNext();
            note("next agent hangs");
            return outcome(action, null, null);
        }
        if (action instanceof Action.FailNext) {
            launcher.failNext("simulated launch failure");
            note("next launch fails");
            return outcome(action, null, null);
        }
        if (action instanceof Action.DelayNext) {
            launcher.delayNext();
            note("next launch waits");
            return outcome(action, null, null);
        }
        if (action instanceof Action.StartPending start) {
            RecordingLauncher.Agent agent = pick(launcher.pending(), start.pick());
            if (agent == null) {
                return skip(action, null);
            }
            note("start pending launch of " + agent);
            agent.start();
            return outcome(action, agent.spec.roomName(), agent);
        }
        if (action instanceof Action.FailPending fail) {
            RecordingLauncher.Agent agent = pick(launcher.pending(), fail.pick());
            if (agent == null) {
                return skip(action, null);
            }
            note("fail pending launch of " + agent);
            agent.failLaunch("simulated late launch failure");
            return outcome(action, agent.spec.roomName(), agent);
        }
        if (action instanceof Action.AdminClose close) {
            String room = room(close.room());
            boolean result = manager.closeRoom(room);
            note("closeRoom " + room + " -> " + result);
            return outcome(action, room, result);
        }
        if (action instanceof Action.Drain drain) {
            Duration timeout = Duration.ofSeconds(drain.timeoutSeconds());
            CompletableFuture<Void> stage = manager.drainAsync(timeout).toCompletableFuture();
            if (drained == null) {
                drained = stage;
            }
            note("drainAsync(" + timeout + ") -> " + manager.state());
            return outcome(action, null, stage);
        }
        if (action instanceof Action.Maintenance) {
            MaintenanceReport report = manager.runMaintenance();
            note("runMaintenance -> " + report);
            return outcome(action, null, report);
        }
        throw new IllegalArgumentException("unknown action " + action);
    }

    /** Whether the manager took a token request (a draining one does not take one for a room it does not serve). */
    static boolean taken(EnsureResult result) {
        return result.status() != EnsureResult.Status.REJECTED && result.status() != EnsureResult.Status.DRAINING;
    }

    private EnsureResult requestToken(String room) {
        EnsureResult result = manager.ensureAgent(room);
        if (taken(result)) {
            wanted.add(room);
        }
        note("token " + room + " -> " + result.status());
        return result;
    }

    private Outcome heartbeat(Action action, RecordingLauncher.Agent agent) {
        String room = agent.spec.roomName();
        boolean accepted = manager.heartbeat(room, agent.spec.agentIdentity());
        if (accepted) {
            long now = clock.nanoTime();
            Long last = lastHeartbeat.put(agent, now);
            if (last != null && now - (last + HEARTBEAT_TIMEOUT.toNanos()) >= 0) {
                heartbeatLapsed.add(agent);
            }
        }
        note("heartbeat " + agent + " -> " + accepted);
        return outcome(action, room, accepted);
    }

    private Outcome join(Action action, String room, Participant participant) {
        RoomEvent.ParticipantJoined event = new RoomEvent.ParticipantJoined(room, participant,
                instanceOf(room, participant), eventId(), null);
        return deliver(action, event, participant, null);
    }

    private Outcome leave(Action action, String room, Participant participant, boolean aborted) {
        RoomEvent.ParticipantLeft event = new RoomEvent.ParticipantLeft(room, participant, aborted,
                instanceOf(room, participant), eventId(), null);
        return deliver(action, event, null, participant);
    }

    private Outcome deliver(Action action, RoomEvent event, Participant joining, Participant leaving) {
        String room = event.roomName();
        boolean closing = isClosing(room);
        boolean tracked = rooms.containsKey(room);
        long now = clock.nanoTime();
        delivered.add(new Delivery(event, now));
        EventOutcome result = manager.apply(event, REPEATABLE);
        Participant joined = null;
        Participant left = null;
        String sid = event.roomInstanceId();
        if (joining != null && model.join(room, joining, sid, now, closing)) {
            joined = joining;
        }
        if (leaving != null && model.leave(room, leaving, now, closing)) {
            left = leaving;
        }
        if (event instanceof RoomEvent.RoomStarted) {
            model.roomStarted(room, sid, now, closing);
        } else if (event instanceof RoomEvent.RoomFinished) {
            model.roomFinished(room, sid, now, tracked);
        }
        note("deliver " + event + " -> " + result);
        return new Outcome(action, event.roomName(), null, event, result, joined, left, result);
    }

    private Outcome outcome(Action action, String room, Object result) {
        return new Outcome(action, room, null, null, null, null, null, result);
    }

    private Outcome skip(Action action, String room) {
        note("(nothing to do for " + action + ")");
        return new Outcome(action, room, null, null, null, null, null, null);
    }

    private long nanosOf(Action.Advance advance) {
        switch (advance.step()) {
            case NANO:
                return 1;
            case TO_NEXT_TIMER:
            case BEFORE_NEXT_TIMER:
                for (Duration delay : clock.pendingDelays()) {
                    long nanos = delay.toNanos();
                    if (nanos > 0) {
                        return advance.step() == Action.Step.TO_NEXT_TIMER ? nanos : nanos - 1;
                    }
                }
                return 1;
            case SECONDS:
                return Duration.ofSeconds(advance.amount()).toNanos();
            case MINUTES:
                return Duration.ofMinutes(advance.amount()).toNanos();
            default:
                throw new IllegalArgumentException(advance.toString());
        }
    }

    /** Moves the clock forward by {@code nanos}, stopping at each checkpoint on the way to run the checks. */
    void advance(long nanos) {
        long target = clock.nanoTime() + nanos;
        while (true) {
            long now = clock.nanoTime();
            Long next = null;
            for (long checkpoint : checker.checkpoints()) {
                if (checkpoint - now > 0 && checkpoint - target <= 0 && (next == null || checkpoint - next < 0)) {
                    next = checkpoint;
                }
            }
            if (next == null) {
                break;
            }
            clock.advanceNanos(next - now);
            sync();
            note("  checkpoint at " + time(next));
            checker.check(this);
        }
        clock.advanceNanos(target - clock.nanoTime());
    }

    /**
     * Plays a cooperative environment for {@code duration}: waiting launches complete, every live agent sends a
     * heartbeat each second, and nothing fails.
     */
    void cooperate(Duration duration) {
        launcher.cooperate();
        long seconds = duration.toSeconds();
        for (long i = 0; i <= seconds; i++) {
            for (int p = launcher.pending().size() - 1; p >= 0; p--) {
                perform(new Action.StartPending(p));
            }
            for (int a = launcher.live().size() - 1; a >= 0; a--) {
                perform(new Action.Heartbeat(a, false));
            }
            if (i < seconds) {
                perform(new Action.Advance(Action.Step.SECONDS, 1));
            }
        }
    }

    // ---- the model, kept in step with the engine ----------------------------------------------------------------

    private void sync() {
        Map<String, RoomSnapshot> now = new LinkedHashMap<>();
        for (RoomSnapshot snapshot : manager.rooms()) {
            now.put(snapshot.roomName(), snapshot);
        }
        List<String> closed = new ArrayList<>();
        for (String name : model.openRooms()) {
            if (!now.containsKey(name)) {
                closed.add(name);
            }
        }
        closed.sort((a, b) -> Long.compare(closedAt.get(a)[1], closedAt.get(b)[1]));
        for (String name : closed) {
            model.close(name, closedAt.get(name)[0]);
        }
        for (String name : now.keySet()) {
            model.open(name, clock.nanoTime());
        }
        for (String name : new ArrayList<>(wanted)) {
            if (!now.containsKey(name)) {
                wanted.remove(name);
            }
        }
        for (RoomSnapshot snapshot : now.values()) {
            RoomSnapshot before = rooms.get(snapshot.roomName());
            boolean reopened = before != null && (before.state() == RoomState.CLOSING
                    && snapshot.state() != RoomState.CLOSING || !before.createdAt().equals(snapshot.createdAt()));
            if (reopened) {
                model.reopen(snapshot.roomName());
                wanted.add(snapshot.roomName());
            }
        }
        rooms = now;
        checkNoEngineErrors();
    }

    private void checkNoEngineErrors() {
        synchronized (ERRORS) {
            if (!ERRORS.isEmpty()) {
                LogRecord first = ERRORS.get(0);
                ERRORS.clear();
                throw failure("engine logged an error: " + first.getMessage(), first.getThrown());
            }
        }
    }

    // ---- views for checkers -------------------------------------------------------------------------------------

    /** The rooms as the manager reported them after the last step or checkpoint, by name. */
    Map<String, RoomSnapshot> rooms() {
        return rooms;
    }

    RoomSnapshot snapshot(String room) {
        return rooms.get(room);
    }

    boolean isClosing(String room) {
        RoomSnapshot snapshot = rooms.get(room);
        return snapshot != null && snapshot.state() == RoomState.CLOSING;
    }

    /**
     * Whether a token request or an adoption asked for the room's agent since it was created and no clean exit
     * withdrew it.
     */
    boolean wanted(String room) {
        return wanted.contains(room);
    }

    long now() {
        return clock.nanoTime();
    }

    /** The lifecycle events published so far, oldest first. */
    List<Published> published() {
        return published;
    }

    String room(int index) {
        return roomNames.get(Math.floorMod(index, roomNames.size()));
    }

    /** Whether {@code agent} sent heartbeats and fell silent for the heartbeat timeout at some point. */
    boolean mayCountAsHung(RecordingLauncher.Agent agent) {
        Long last = lastHeartbeat.get(agent);
        if (!settings.heartbeats() || last == null) {
            return false;
        }
        return heartbeatLapsed.contains(agent) || now() - (last + HEARTBEAT_TIMEOUT.toNanos()) >= 0;
    }

    AssertionError failure(String message) {
        return failure(message, null);
    }

    AssertionError failure(String message, Throwable cause) {
        StringBuilder text = new StringBuilder(message).append("\nat ").append(time(now())).append(", step ")
                .append(steps).append(", ").append(settings).append("\nrooms: ").append(rooms.values())
                .append("\nlive agents: ").append(launcher.live()).append("\nlast steps:");
        for (int i = Math.max(0, trace.size() - 60); i < trace.size(); i++) {
            text.append("\n  ").append(trace.get(i));
        }
        AssertionError error = new AssertionError(text.toString());
        if (cause != null) {
            error.initCause(cause);
        }
        return error;
    }

    String time(long nanos) {
        return "t+" + Duration.ofNanos(nanos - settings.clockOrigin());
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private void note(String line) {
        trace.add(time(now()) + " #" + steps + " " + line);
    }

    private Participant newParticipant(String identity, ParticipantRole role) {
        return new Participant("PA_" + (++nextSession), identity, role);
    }

    private String eventId() {
        return "EV_" + (++nextEvent);
    }

    /** The room instance a session belongs to: the one current when the session first appeared. */
    private String instanceOf(String room, Participant participant) {
        return sessionInstances.computeIfAbsent(participant.sessionId(),
                sid -> "RM_" + room + "_" + instances.getOrDefault(room, 0));
    }

    private List<Participant> humans(String room) {
        List<Participant> humans = new ArrayList<>();
        for (Participant participant : model.present(room)) {
            if (participant.role() == ParticipantRole.HUMAN) {
                humans.add(participant);
            }
        }
        return humans;
    }

    /** The oldest present session of each identity that also has a newer session present. */
    private List<Participant> superseded(String room) {
        Map<String, Participant> oldest = new LinkedHashMap<>();
        List<Participant> result = new ArrayList<>();
        for (Participant participant : humans(room)) {
            Participant first = oldest.putIfAbsent(participant.identity(), participant);
            if (first != null && !result.contains(first)) {
                result.add(first);
            }
        }
        return result;
    }

    private RecordingLauncher.Agent previousAgent(String room) {
        List<RecordingLauncher.Agent> here = new ArrayList<>();
        for (RecordingLauncher.Agent agent : launcher.launches()) {
            if (agent.spec.roomName().equals(room)) {
                here.add(agent);
            }
        }
        return here.size() < 2 ? null : here.get(here.size() - 2);
    }

    private static <T> T pick(List<T> candidates, int index) {
        return candidates.isEmpty() ? null : candidates.get(Math.floorMod(index, candidates.size()));
    }
}
