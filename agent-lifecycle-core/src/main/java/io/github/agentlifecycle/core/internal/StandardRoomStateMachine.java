package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RestartPolicy;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.StopReason;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent.IgnoreReason;
import io.github.agentlifecycle.core.spi.LifecycleEvent.ReadySignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state chart of {@link RoomStateMachine#standard}. Each call works on a private {@link Step} that copies the
 * record, applies the input, acts on due deadlines, brings the agent in line with what the room needs, and
 * builds the next record. A room that closes leaves a {@linkplain RoomRecord#closed() closed} record behind for the
 * replay window: an event the room would have ignored leaves it closed, anything else starts it afresh with what it
 * remembers (departed sessions, ended instances). Stateless and thread-safe.
 */
public final class StandardRoomStateMachine implements RoomStateMachine {
    /** Left sessions remembered per room, to drop joins that arrive after their leave. */
    static final int MAX_TOMBSTONES = 1024;

    private final long gracePeriod;
    private final Duration gracePeriodDuration;
    private final long joinTimeout;
    private final long replayWindow;
    private final long startupTimeout;
    private final long stopOverdueAfter;
    private final long heartbeatTimeout;
    private final RestartPolicy restartPolicy;
    private final long restartWindow;
    private final long resetAfter;
    private final boolean restartOnCleanExit;

    static {
        // The JIT does not inline a method whose signature names a class that is not loaded yet. Loading these
        // now lets it inline the record builders' setters that take them, so the builder a step makes does not
        // escape (and is not allocated on every event) in a process where no room has closed yet.
        CloseReason.values();
        StopReason.values();
    }

    /** A machine configured by {@code config}. */
    public StandardRoomStateMachine(AgentManagerConfig config) {
        this.gracePeriod = Require.nanos(config.gracePeriod());
        this.gracePeriodDuration = Duration.ofNanos(gracePeriod);
        this.joinTimeout = Require.nanos(config.joinTimeout());
        this.replayWindow = Require.nanos(config.replayWindow());
        this.startupTimeout = Require.nanos(config.agentStartupTimeout());
        this.stopOverdueAfter = saturatedDouble(Require.nanos(config.agentStopTimeout()));
        this.heartbeatTimeout = Require.nanos(config.heartbeatTimeout());
        this.restartPolicy = config.restartPolicy();
        this.restartWindow = Require.nanos(restartPolicy.window());
        this.resetAfter = Require.nanos(restartPolicy.resetAfter());
        this.restartOnCleanExit = config.restartOnCleanExit();
    }

    private static long saturatedDouble(long nanos) {
        return nanos > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : nanos * 2;
    }

    @Override
    public Transition apply(String roomName, @Nullable RoomRecord current, RoomInput input, long now) {
        if (current != null && current.closed()) {
            return afterClose(current, input, now);
        }
        if (current == null) {
            if (!createsRoom(input)) {
                return untracked(roomName, input);
            }
            return create(RoomRecord.builder(roomName, now), input, now);
        }
        return new Step(current, now).run(input);
    }

    private Transition create(RoomRecord.Builder fresh, RoomInput input, long now) {
        Step step = new Step(fresh.joinDeadline(now + joinTimeout).build(), now);
        step.publish(new LifecycleEvent.RoomCreated(step.name));
        return step.run(input);
    }

    /**
     * An input for a closed room. An event the room, started afresh with what it remembers, would ignore leaves it
     * closed, remembering what the fresh room learnt (a departed session); anything else starts it afresh.
     */
    private Transition afterClose(RoomRecord closed, RoomInput input, long now) {
        String name = closed.name();
        if (input instanceof RoomInput.Tick) {
            Long until = closed.closedUntil();
            return new Transition(until != null && now - until >= 0 ? null : closed, List.of());
        }
        if (input instanceof RoomInput.External external && external.event() instanceof RoomEvent.RoomFinished) {
            String sid = external.event().roomInstanceId();
            RoomRecord next = sid == null ? closed
                    : closed.toBuilder().endedInstances(closed.endedInstances().plus(sid, now, replayWindow)).build();
            return new Transition(next, List.of(ignored(name, external.event(), IgnoreReason.UNKNOWN_ROOM)));
        }
        if (!createsRoom(input)) {
            return new Transition(closed, untracked(name, input).effects());
        }
        Transition reopened = create(RoomRecord.builder(name, now)
                .tombstones(closed.tombstones())
                .endedInstances(closed.endedInstances())
                .agent(new AgentRecord.Builder().generation(closed.agent().generation()).build()), input, now);
        RoomRecord trial = reopened.next();
        if (!(input instanceof RoomInput.External) || trial == null || !isIgnored(reopened)) {
            return reopened;
        }
        List<RoomEffect> kept = new ArrayList<>();
        for (RoomEffect effect : reopened.effects()) {
            if (effect instanceof RoomEffect.Publish publish && publish.event() instanceof LifecycleEvent.EventIgnored) {
                kept.add(effect);
            }
        }
        return new Transition(closed.toBuilder().tombstones(trial.tombstones()).build(), kept);
    }

    /** Whether {@code transition} ignored the event it was given. */
    public static boolean isIgnored(Transition transition) {
        List<RoomEffect> effects = transition.effects();
        for (int i = 0; i < effects.size(); i++) {
            if (effects.get(i) instanceof RoomEffect.Publish publish
                    && publish.event() instanceof LifecycleEvent.EventIgnored) {
                return true;
            }
        }
        return false;
    }

    private static RoomEffect ignored(String roomName, RoomEvent event, IgnoreReason reason) {
        return new RoomEffect.Publish(new LifecycleEvent.EventIgnored(roomName, event.eventId(), reason));
    }

    private static boolean createsRoom(RoomInput input) {
        if (input instanceof RoomInput.AgentRequested) {
            return true;
        }
        return input instanceof RoomInput.External external
                && !(external.event() instanceof RoomEvent.RoomFinished);
    }

    private static Transition untracked(String roomName, RoomInput input) {
        if (input instanceof RoomInput.SlotGranted) {
            return new Transition(null, List.of(new RoomEffect.ReleaseSlot()));
        } else if (input instanceof RoomInput.AgentStarted started) {
            return new Transition(null, List.of(new RoomEffect.StopAgent(started.generation(), StopReason.ORPHANED)));
        } else if (input instanceof RoomInput.External external) {
            return new Transition(null, List.of(ignored(roomName, external.event(), IgnoreReason.UNKNOWN_ROOM)));
        }
        return new Transition(null, List.of());
    }

    /**
     * One transition in progress: mutable copies of the record's fields. The agent's deadlines and restart history
     * are copied only when one of them changes, and an agent that did not change keeps its record.
     */
    private final class Step {
        private final RoomRecord current;
        private final long now;
        private final String name;
        private final EffectBuffer effects = new EffectBuffer();

        private @Nullable String instanceId;
        private EndedInstances endedInstances;
        private long createdAt;
        private long lastActivity;
        private SessionMap sessions;
        private RecentSessions tombstones;
        private boolean hadHumans;
        private boolean agentWanted;
        private boolean closing;
        private @Nullable CloseReason closeReason;
        private boolean reopenRequested;
        private @Nullable Long graceDeadline;
        private @Nullable Long joinDeadline;
        private final AgentRecord agentBefore;
        /** Changes to the agent's other fields, made on first use. */
        private AgentRecord.@Nullable Builder agentChanges;
        private AgentState agentState;
        private int generation;
        private @Nullable String agentIdentity;
        private boolean holdsSlot;
        private @Nullable StopReason stopReason;
        private @Nullable Long readySince;

        Step(RoomRecord record, long now) {
            this.current = record;
            this.now = now;
            this.name = record.name();
            this.instanceId = record.instanceId();
            this.endedInstances = record.endedInstances();
            this.createdAt = record.createdAt();
            this.lastActivity = record.lastActivity();
            this.sessions = SessionMap.of(record.sessions());
            this.tombstones = RecentSessions.of(record.tombstones());
            this.hadHumans = record.hadHumans();
            this.agentWanted = record.agentWanted();
            this.closing = record.closing();
            this.closeReason = record.closeReason();
            this.reopenRequested = record.reopenRequested();
            this.graceDeadline = record.graceDeadline();
            this.joinDeadline = record.joinDeadline();
            AgentRecord a = record.agent();
            this.agentBefore = a;
            this.agentState = a.state();
            this.generation = a.generation();
            this.agentIdentity = a.identity();
            this.holdsSlot = a.holdsSlot();
            this.stopReason = a.stopReason();
            this.readySince = a.readySince();
        }

        Transition run(RoomInput input) {
            if (input instanceof RoomInput.External external) {
                onEvent(external.event());
            } else if (input instanceof RoomInput.AgentRequested) {
                onAgentRequested();
            } else if (input instanceof RoomInput.CloseRequested close) {
                close(close.reason());
            } else if (input instanceof RoomInput.SlotGranted) {
                onSlotGranted();
            } else if (input instanceof RoomInput.AgentAssigned assigned) {
                if (assigned.generation() == generation && agentState == AgentState.LAUNCHING) {
                    agentIdentity = assigned.agentIdentity();
                }
            } else if (input instanceof RoomInput.AgentStarted started) {
                onAgentStarted(started);
            } else if (input instanceof RoomInput.AgentLaunchFailed failed) {
                onLaunchFailed(failed);
            } else if (input instanceof RoomInput.Heartbeat heartbeat) {
                onHeartbeat(heartbeat.generation());
            } else if (input instanceof RoomInput.AgentExited exited) {
                onAgentExited(exited.generation(), exited.exit());
            }
            actOnDueDeadlines();
            reconcileAgent();
            return finish();
        }

        // ---- inputs ---------------------------------------------------------------------------------------

        private void onEvent(RoomEvent event) {
            if (event instanceof RoomEvent.ParticipantJoined joined) {
                onJoined(joined);
            } else if (event instanceof RoomEvent.ParticipantLeft left) {
                onLeft(left);
            } else if (event instanceof RoomEvent.RoomStarted started) {
                onRoomStarted(started);
            } else if (event instanceof RoomEvent.RoomFinished finished) {
                onRoomFinished(finished);
            }
        }

        private void onAgentRequested() {
            lastActivity = now;
            if (closing) {
                reopenRequested = true;
                return;
            }
            agentWanted = true;
            if (agentState == AgentState.FAILED) {
                agentState = AgentState.NONE;
                agent().restartTimes(new long[0]).lastBackoffNanos(0);
            }
            if (humanCount() == 0) {
                joinDeadline = later(joinDeadline, now + joinTimeout);
            }
        }

        private void onJoined(RoomEvent.ParticipantJoined event) {
            if (closing) {
                ignored(event, IgnoreReason.ROOM_CLOSING);
                return;
            }
            String instance = event.roomInstanceId();
            if (instance != null && endedInstances.contains(instance)) {
                ignored(event, IgnoreReason.STALE_INSTANCE);
                return;
            }
            Participant participant = event.participant();
            String sessionId = participant.sessionId();
            if (tombstones.contains(sessionId)) {
                ignored(event, IgnoreReason.SESSION_ALREADY_LEFT);
                return;
            }
            if (sessions.containsKey(sessionId)) {
                ignored(event, IgnoreReason.SESSION_ALREADY_PRESENT);
                return;
            }
            if (instanceId == null) {
                instanceId = instance;
            }
            sessions = sessions.plus(participant);
            lastActivity = now;
            if (participant.role() == ParticipantRole.HUMAN) {
                hadHumans = true;
                joinDeadline = null;
                if (graceDeadline != null) {
                    publish(new LifecycleEvent.GraceCancelled(name, Duration.ofNanos(Math.max(0, graceDeadline - now))));
                    graceDeadline = null;
                }
            }
            publish(new LifecycleEvent.ParticipantJoined(name, participant, humanCount(), sessions.size()));
            if (participant.role() == ParticipantRole.AGENT) {
                onAgentJoined(participant.identity());
            }
        }

        private void onAgentJoined(String identity) {
            boolean starting = agentState == AgentState.LAUNCHING || agentState == AgentState.RUNNING;
            if (starting && (agentIdentity == null || agentIdentity.equals(identity))) {
                if (agentIdentity == null) {
                    agentIdentity = identity;
                }
                markReady(ReadySignal.JOINED);
            }
        }

        private void onLeft(RoomEvent.ParticipantLeft event) {
            if (closing) {
                ignored(event, IgnoreReason.ROOM_CLOSING);
                return;
            }
            String sessionId = event.participant().sessionId();
            int index = sessions.indexOf(sessionId);
            addTombstone(sessionId);
            if (index < 0) {
                ignored(event, IgnoreReason.UNKNOWN_SESSION);
                return;
            }
            Participant present = sessions.participantAt(index);
            sessions = sessions.minus(index);
            lastActivity = now;
            int humans = humanCount();
            if (present.role() == ParticipantRole.HUMAN && humans == 0) {
                graceDeadline = now + gracePeriod;
                publish(new LifecycleEvent.ParticipantLeft(name, present, event.connectionAborted(), humans,
                        sessions.size()));
                publish(new LifecycleEvent.GraceStarted(name, gracePeriodDuration));
            } else {
                publish(new LifecycleEvent.ParticipantLeft(name, present, event.connectionAborted(), humans,
                        sessions.size()));
            }
        }

        private void onRoomStarted(RoomEvent.RoomStarted event) {
            if (closing) {
                ignored(event, IgnoreReason.ROOM_CLOSING);
                return;
            }
            String instance = event.roomInstanceId();
            if (instance != null) {
                if (endedInstances.contains(instance)) {
                    ignored(event, IgnoreReason.STALE_INSTANCE);
                    return;
                }
                if (instanceId != null && !instanceId.equals(instance)) {
                    endInstance(instanceId);
                }
                instanceId = instance;
            }
            lastActivity = now;
        }

        private void onRoomFinished(RoomEvent.RoomFinished event) {
            String finished = event.roomInstanceId();
            if (finished != null && (endedInstances.contains(finished)
                    || instanceId != null && !finished.equals(instanceId))) {
                ignored(event, IgnoreReason.STALE_INSTANCE);
                return;
            }
            String ended = finished != null ? finished : instanceId;
            if (ended != null) {
                endInstance(ended);
            }
            close(CloseReason.ROOM_FINISHED);
        }

        private void onSlotGranted() {
            if (agentState == AgentState.QUEUED && !holdsSlot) {
                holdsSlot = true;
                launch();
            } else if (!holdsSlot) {
                effects.add(new RoomEffect.ReleaseSlot());
            }
        }

        private void onAgentStarted(RoomInput.AgentStarted started) {
            if (started.generation() != generation) {
                return;
            }
            if (agentState == AgentState.LAUNCHING || agentState == AgentState.READY
                    || agentState == AgentState.STOPPING) {
                if (agentState == AgentState.LAUNCHING) {
                    agentState = AgentState.RUNNING;
                }
                agentIdentity = started.agentIdentity();
                agent().pid(started.pid());
                publish(new LifecycleEvent.AgentLaunched(name, started.agentIdentity(), started.pid()));
            }
        }

        private void onLaunchFailed(RoomInput.AgentLaunchFailed failed) {
            if (failed.generation() != generation || !agentState.holdsProcess()) {
                return;
            }
            publish(new LifecycleEvent.AgentLaunchFailed(name, failed.agentIdentity(), failed.error()));
            if (agentState == AgentState.STOPPING) {
                afterStop();
            } else {
                clearAgent(AgentState.NONE);
                restartOrFail();
            }
        }

        private void onHeartbeat(int heartbeatGeneration) {
            if (heartbeatGeneration != generation) {
                return;
            }
            if (agentState == AgentState.LAUNCHING || agentState == AgentState.RUNNING) {
                markReady(ReadySignal.HEARTBEAT);
            } else if (agentState == AgentState.READY && heartbeatTimeout > 0) {
                agent().heartbeatDeadline(now + heartbeatTimeout);
            }
        }

        private void onAgentExited(int exitedGeneration, AgentExit exit) {
            if (exitedGeneration != generation || !agentState.holdsProcess()) {
                return;
            }
            if (agentState == AgentState.STOPPING) {
                publish(new LifecycleEvent.AgentExited(name, agentIdentity, exit, true));
                afterStop();
                return;
            }
            publish(new LifecycleEvent.AgentExited(name, agentIdentity, exit, false));
            clearAgent(AgentState.NONE);
            if (exit.isClean() && !restartOnCleanExit) {
                agentWanted = false;
                releaseSlot();
            } else {
                restartOrFail();
            }
        }

        // ---- agent lifecycle ----------------------------------------------------------------------------

        private void launch() {
            generation++;
            agentState = AgentState.LAUNCHING;
            agentIdentity = null;
            readySince = null;
            stopReason = null;
            agent().clearDeadlines().pid(null).startupDeadline(now + startupTimeout);
            effects.add(new RoomEffect.LaunchAgent(generation));
        }

        private void markReady(ReadySignal signal) {
            agentState = AgentState.READY;
            readySince = now;
            agent().startupDeadline(null);
            agent().heartbeatDeadline(signal == ReadySignal.HEARTBEAT && heartbeatTimeout > 0
                    ? now + heartbeatTimeout : null);
            publish(new LifecycleEvent.AgentReady(name, agentIdentity, signal));
        }

        private void stop(StopReason reason) {
            agentState = AgentState.STOPPING;
            stopReason = reason;
            agent().clearDeadlines().stopDeadline(now + stopOverdueAfter);
            publish(new LifecycleEvent.AgentStopping(name, agentIdentity, reason));
            effects.add(new RoomEffect.StopAgent(generation, reason));
        }

        /** The agent stopped on request: restart it if it was stopped to be restarted, else free its slot. */
        private void afterStop() {
            StopReason reason = stopReason;
            clearAgent(AgentState.NONE);
            if (reason != null && reason.restarts() && !closing) {
                restartOrFail();
            } else {
                releaseSlot();
            }
        }

        /** Applies the restart policy to an agent that failed; the room keeps its slot while in backoff. */
        private void restartOrFail() {
            if (!wantsAgent()) {
                releaseSlot();
                return;
            }
            long[] recent = recentRestarts();
            if (recent.length >= restartPolicy.maxRestarts()) {
                agentState = AgentState.FAILED;
                agent().restartTimes(recent);
                releaseSlot();
                publish(new LifecycleEvent.AgentFailed(name, recent.length, restartPolicy.window()));
                return;
            }
            long previous = readySince != null && now - readySince >= resetAfter ? 0 : agent().lastBackoffNanos();
            long delay = restartPolicy.nextDelayNanos(previous);
            long[] withThis = Arrays.copyOf(recent, recent.length + 1);
            withThis[recent.length] = now;
            agentState = AgentState.BACKOFF;
            readySince = null;
            agent().restartTimes(withThis)
                    .lastBackoffNanos(delay)
                    .totalRestarts(agent().totalRestarts() + 1)
                    .backoffUntil(now + delay);
            publish(new LifecycleEvent.AgentRestarting(name, withThis.length, Duration.ofNanos(delay)));
        }

        private long[] recentRestarts() {
            long[] all = agent().restartTimes();
            int keep = 0;
            for (long time : all) {
                if (now - time < restartWindow) {
                    all[keep++] = time;
                }
            }
            return Arrays.copyOf(all, keep);
        }

        private void clearAgent(AgentState state) {
            agentState = state;
            stopReason = null;
            agent().clearDeadlines().pid(null);
        }

        private void releaseSlot() {
            if (holdsSlot) {
                holdsSlot = false;
                effects.add(new RoomEffect.ReleaseSlot());
            }
        }

        // ---- time ---------------------------------------------------------------------------------------

        private void actOnDueDeadlines() {
            if (isDue(startupDeadline())
                    && (agentState == AgentState.LAUNCHING || agentState == AgentState.RUNNING)) {
                stop(StopReason.STARTUP_TIMEOUT);
            } else if (isDue(heartbeatDeadline()) && agentState == AgentState.READY) {
                stop(StopReason.HEARTBEAT_TIMEOUT);
            } else if (isDue(stopDeadline()) && agentState == AgentState.STOPPING) {
                agent().stopDeadline(now + stopOverdueAfter);
                publish(new LifecycleEvent.AgentStopOverdue(name, agentIdentity));
                effects.add(new RoomEffect.StopAgent(generation, stopReason == null ? StopReason.ROOM_CLOSING : stopReason));
            } else if (isDue(backoffUntil()) && agentState == AgentState.BACKOFF) {
                agent().backoffUntil(null);
                if (wantsAgent()) {
                    launch();
                }
            }
            if (isDue(graceDeadline)) {
                graceDeadline = null;
                publish(new LifecycleEvent.GraceExpired(name));
            }
            if (isDue(joinDeadline)) {
                joinDeadline = null;
                publish(new LifecycleEvent.JoinTimedOut(name));
            }
            if (!closing && humanCount() == 0 && graceDeadline == null && joinDeadline == null) {
                close(hadHumans ? CloseReason.GRACE_EXPIRED : CloseReason.JOIN_TIMEOUT);
            }
        }

        private boolean isDue(@Nullable Long deadline) {
            return deadline != null && now - deadline >= 0;
        }

        // ---- closing and desired state ------------------------------------------------------------------

        private void close(CloseReason reason) {
            boolean explicit = reason == CloseReason.SHUTDOWN || reason == CloseReason.ADMIN;
            if (closing) {
                if (explicit) {
                    reopenRequested = false;
                    closeReason = reason;
                }
                return;
            }
            closing = true;
            closeReason = reason;
            if (explicit) {
                reopenRequested = false;
            }
            graceDeadline = null;
            joinDeadline = null;
            publish(new LifecycleEvent.RoomClosing(name, reason));
        }

        /**
         * Whether the room should have an agent now: requested, not failed, and a human present or expected (no
         * grace period running, or a token issued since it began). During a plain grace period a running agent
         * stays, but none is started.
         */
        private boolean wantsAgent() {
            return !closing && agentWanted && agentState != AgentState.FAILED
                    && (humanCount() > 0 || graceDeadline == null || joinDeadline != null);
        }

        private void reconcileAgent() {
            if (closing) {
                switch (agentState) {
                    case LAUNCHING, RUNNING, READY -> stop(StopReason.ROOM_CLOSING);
                    case STOPPING -> stopReason = StopReason.ROOM_CLOSING;
                    case QUEUED, BACKOFF -> withdrawAgent();
                    default -> { }
                }
                return;
            }
            if (wantsAgent()) {
                if (agentState == AgentState.NONE) {
                    agentState = AgentState.QUEUED;
                    effects.add(new RoomEffect.RequestSlot());
                }
            } else if (agentState == AgentState.QUEUED || agentState == AgentState.BACKOFF) {
                withdrawAgent();
            }
        }

        private void withdrawAgent() {
            boolean queued = agentState == AgentState.QUEUED;
            clearAgent(AgentState.NONE);
            if (queued && !holdsSlot) {
                effects.add(new RoomEffect.ReleaseSlot());
            } else {
                releaseSlot();
            }
        }

        private Transition finish() {
            boolean agentGone = agentState == AgentState.NONE || agentState == AgentState.FAILED;
            if (closing && agentGone) {
                CloseReason reason = closeReason == null ? CloseReason.ADMIN : closeReason;
                releaseSlot();
                publish(new LifecycleEvent.RoomClosed(name, reason));
                if (!reopenRequested) {
                    return new Transition(remains(), effects.toList());
                }
                reopen();
                reconcileAgent();
            }
            return new Transition(build(), effects.toList());
        }

        /** What is kept of the room once it has closed, for the replay window. */
        private RoomRecord remains() {
            return RoomRecord.builder(name, now)
                    .tombstones(tombstones)
                    .endedInstances(endedInstances)
                    .closedUntil(now + replayWindow)
                    .agent(new AgentRecord.Builder().generation(generation).build())
                    .build();
        }

        private void endInstance(String sid) {
            endedInstances = endedInstances.plus(sid, now, replayWindow);
        }

        /** Starts the room afresh after it closed with a token request pending. */
        private void reopen() {
            closing = false;
            closeReason = null;
            reopenRequested = false;
            instanceId = null;
            createdAt = now;
            lastActivity = now;
            sessions = SessionMap.empty();
            hadHumans = false;
            agentWanted = true;
            graceDeadline = null;
            joinDeadline = now + joinTimeout;
            agentState = AgentState.NONE;
            agentChanges = new AgentRecord.Builder().generation(generation);
            publish(new LifecycleEvent.RoomCreated(name));
        }

        private RoomRecord build() {
            return current.toBuilder()
                    .instanceId(instanceId)
                    .endedInstances(endedInstances)
                    .createdAt(createdAt)
                    .lastActivity(lastActivity)
                    .sessions(sessions)
                    .tombstones(tombstones)
                    .hadHumans(hadHumans)
                    .agentWanted(agentWanted)
                    .closing(closing)
                    .closeReason(closeReason)
                    .reopenRequested(reopenRequested)
                    .graceDeadline(graceDeadline)
                    .joinDeadline(joinDeadline)
                    .agent(buildAgent())
                    .build();
        }

        /** The next agent record: the previous one when nothing about the agent changed. */
        private AgentRecord buildAgent() {
            @Nullable String identity =
                    agentState == AgentState.NONE || agentState == AgentState.QUEUED ? null : agentIdentity;
            @Nullable StopReason reason = agentState == AgentState.STOPPING ? stopReason : null;
            @Nullable Long ready = agentState == AgentState.READY ? readySince : null;
            AgentRecord.Builder changes = agentChanges;
            if (changes == null && agentState == agentBefore.state() && generation == agentBefore.generation()
                    && Objects.equals(identity, agentBefore.identity()) && holdsSlot == agentBefore.holdsSlot()
                    && reason == agentBefore.stopReason() && Objects.equals(ready, agentBefore.readySince())) {
                return agentBefore;
            }
            return (changes == null ? agentBefore.toBuilder() : changes)
                    .state(agentState)
                    .generation(generation)
                    .identity(identity)
                    .holdsSlot(holdsSlot)
                    .stopReason(reason)
                    .readySince(ready)
                    .build();
        }

        private @Nullable Long startupDeadline() {
            return agentChanges == null ? agentBefore.startupDeadline() : agentChanges.startupDeadline();
        }

        private @Nullable Long heartbeatDeadline() {
            return agentChanges == null ? agentBefore.heartbeatDeadline() : agentChanges.heartbeatDeadline();
        }

        private @Nullable Long stopDeadline() {
            return agentChanges == null ? agentBefore.stopDeadline() : agentChanges.stopDeadline();
        }

        private @Nullable Long backoffUntil() {
            return agentChanges == null ? agentBefore.backoffUntil() : agentChanges.backoffUntil();
        }

        // ---- helpers ------------------------------------------------------------------------------------

        private int humanCount() {
            return sessions.humans();
        }

        private AgentRecord.Builder agent() {
            AgentRecord.Builder changes = agentChanges;
            if (changes == null) {
                changes = agentBefore.toBuilder();
                agentChanges = changes;
            }
            return changes;
        }

        private void addTombstone(String sessionId) {
            tombstones = tombstones.plus(sessionId, MAX_TOMBSTONES);
        }

        private void ignored(RoomEvent event, IgnoreReason reason) {
            publish(new LifecycleEvent.EventIgnored(name, event.eventId(), reason));
        }

        void publish(LifecycleEvent event) {
            effects.add(new RoomEffect.Publish(event));
        }
    }

    private static long later(@Nullable Long a, long b) {
        return a == null || b - a >= 0 ? b : a;
    }
}
