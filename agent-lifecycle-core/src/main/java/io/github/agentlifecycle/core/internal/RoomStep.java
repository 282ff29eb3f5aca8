package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent.IgnoreReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One transition of a tracked room: applies the input, acts on due deadlines, brings the agent in line with what
 * the room needs ({@link AgentStep}), and builds the next record. Used once, on the engine's thread.
 */
final class RoomStep {
    /** Left sessions remembered per room, to drop joins that arrive after their leave. */
    static final int MAX_TOMBSTONES = 1024;

    final StandardRoomStateMachine chart;
    final long now;
    final String name;
    final RoomRecord.Builder room;
    final AgentStep agent;
    private final List<RoomEffect> effects = new ArrayList<>(2);
    private boolean ignored;

    RoomStep(StandardRoomStateMachine chart, RoomRecord.Builder room, long now) {
        this.chart = chart;
        this.now = now;
        this.name = room.name;
        this.room = room;
        this.agent = new AgentStep(this);
    }

    Transition run(RoomInput input) {
        if (input instanceof RoomInput.External external) {
            onEvent(external.event());
        } else if (input instanceof RoomInput.AgentRequested requested) {
            onAgentRequested(requested.adopted());
        } else if (input instanceof RoomInput.CloseRequested close) {
            close(close.reason());
        } else {
            agent.onInput(input);
        }
        actOnDueDeadlines();
        agent.reconcile();
        return finish();
    }

    // ---- inputs -----------------------------------------------------------------------------------------------

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

    private void onAgentRequested(boolean adopted) {
        room.lastActivity = now;
        if (room.closing) {
            room.reopenRequested = true;
            return;
        }
        room.agentWanted = true;
        agent.forgetFailure();
        if (humanCount() > 0) {
            return;
        }
        if (!adopted) {
            room.joinDeadline = later(room.joinDeadline, now + chart.joinTimeout);
            return;
        }
        if (room.graceDeadline == null) {
            room.hadHumans = true;
            room.graceDeadline = now + chart.gracePeriod;
            publish(new LifecycleEvent.GraceStarted(name, Duration.ofNanos(chart.gracePeriod)));
        }
        // The agent found in the room is wanted until the grace period ends, and no longer.
        room.joinDeadline = room.graceDeadline;
    }

    private void onJoined(RoomEvent.ParticipantJoined event) {
        if (room.closing) {
            ignore(event, IgnoreReason.ROOM_CLOSING);
            return;
        }
        String instance = event.roomInstanceId();
        if (instance != null && room.endedInstances.contains(instance)) {
            ignore(event, IgnoreReason.STALE_INSTANCE);
            return;
        }
        Participant participant = event.participant();
        String sessionId = participant.sessionId();
        if (room.tombstones.contains(sessionId)) {
            ignore(event, IgnoreReason.SESSION_ALREADY_LEFT);
            return;
        }
        if (room.sessions.containsKey(sessionId)) {
            ignore(event, IgnoreReason.SESSION_ALREADY_PRESENT);
            return;
        }
        if (room.instanceId == null) {
            room.instanceId = instance;
        }
        room.sessions = room.sessions.plus(participant);
        room.lastActivity = now;
        if (participant.role() == ParticipantRole.HUMAN) {
            room.hadHumans = true;
            room.joinDeadline = null;
            Long grace = room.graceDeadline;
            if (grace != null) {
                publish(new LifecycleEvent.GraceCancelled(name, Duration.ofNanos(Math.max(0, grace - now))));
                room.graceDeadline = null;
            }
        }
        publish(new LifecycleEvent.ParticipantJoined(name, participant, humanCount(), room.sessions.size()));
        if (participant.role() == ParticipantRole.AGENT) {
            agent.onJoined(participant.identity());
        }
    }

    private void onLeft(RoomEvent.ParticipantLeft event) {
        if (room.closing) {
            ignore(event, IgnoreReason.ROOM_CLOSING);
            return;
        }
        String sessionId = event.participant().sessionId();
        int index = room.sessions.indexOf(sessionId);
        room.tombstones = room.tombstones.plus(sessionId, MAX_TOMBSTONES);
        if (index < 0) {
            ignore(event, IgnoreReason.UNKNOWN_SESSION);
            return;
        }
        Participant present = room.sessions.participantAt(index);
        room.sessions = room.sessions.minus(index);
        room.lastActivity = now;
        int humans = humanCount();
        publish(new LifecycleEvent.ParticipantLeft(name, present, event.connectionAborted(), humans,
                room.sessions.size()));
        if (present.role() == ParticipantRole.HUMAN && humans == 0) {
            room.graceDeadline = now + chart.gracePeriod;
            publish(new LifecycleEvent.GraceStarted(name, Duration.ofNanos(chart.gracePeriod)));
        }
    }

    private void onRoomStarted(RoomEvent.RoomStarted event) {
        if (room.closing) {
            ignore(event, IgnoreReason.ROOM_CLOSING);
            return;
        }
        String instance = event.roomInstanceId();
        if (instance != null) {
            if (room.endedInstances.contains(instance)) {
                ignore(event, IgnoreReason.STALE_INSTANCE);
                return;
            }
            if (room.instanceId != null && !room.instanceId.equals(instance)) {
                endInstance(room.instanceId);
            }
            room.instanceId = instance;
        }
        room.lastActivity = now;
    }

    private void onRoomFinished(RoomEvent.RoomFinished event) {
        String finished = event.roomInstanceId();
        if (finished != null && (room.endedInstances.contains(finished)
                || room.instanceId != null && !finished.equals(room.instanceId))) {
            ignore(event, IgnoreReason.STALE_INSTANCE);
            return;
        }
        String ended = finished != null ? finished : room.instanceId;
        if (ended != null) {
            endInstance(ended);
        }
        close(CloseReason.ROOM_FINISHED);
    }

    private void endInstance(String sid) {
        room.endedInstances = room.endedInstances.plus(sid, now, chart.replayWindow);
    }

    // ---- time ---------------------------------------------------------------------------------------------------

    private void actOnDueDeadlines() {
        agent.actOnDueDeadlines();
        boolean graceExpired = isDue(room.graceDeadline);
        if (graceExpired) {
            room.graceDeadline = null;
            publish(new LifecycleEvent.GraceExpired(name));
        }
        if (isDue(room.joinDeadline)) {
            room.joinDeadline = null;
            if (!graceExpired) {
                publish(new LifecycleEvent.JoinTimedOut(name));
            }
        }
        if (!room.closing && humanCount() == 0 && room.graceDeadline == null && room.joinDeadline == null) {
            close(room.hadHumans ? CloseReason.GRACE_EXPIRED : CloseReason.JOIN_TIMEOUT);
        }
    }

    boolean isDue(@Nullable Long deadline) {
        return deadline != null && now - deadline >= 0;
    }

    // ---- closing ------------------------------------------------------------------------------------------------

    private void close(CloseReason reason) {
        boolean explicit = reason == CloseReason.SHUTDOWN || reason == CloseReason.ADMIN;
        if (explicit) {
            room.reopenRequested = false;
        }
        if (room.closing) {
            if (explicit) {
                room.closeReason = reason;
            }
            return;
        }
        room.closing = true;
        room.closeReason = reason;
        room.graceDeadline = null;
        room.joinDeadline = null;
        publish(new LifecycleEvent.RoomClosing(name, reason));
    }

    /**
     * Whether the room should have an agent now: requested, not failed, and a human present or expected (no grace
     * period running, or a token issued since it began). During a plain grace period a running agent stays, but
     * none is started.
     */
    boolean wantsAgent() {
        return !room.closing && room.agentWanted && room.agent.state != AgentState.FAILED
                && (humanCount() > 0 || room.graceDeadline == null || room.joinDeadline != null);
    }

    private Transition finish() {
        if (room.closing && agent.isGone()) {
            agent.releaseSlot();
            publish(new LifecycleEvent.RoomClosed(name, room.closeReason == null ? CloseReason.ADMIN : room.closeReason));
            if (!room.reopenRequested) {
                return new Transition(remains(), effects, ignored);
            }
            reopen();
            agent.reconcile();
        }
        return new Transition(room.build(), effects, ignored);
    }

    /** What is kept of the room once it has closed, for the replay window. */
    private RoomRecord remains() {
        RoomRecord.Builder remains = RoomRecord.builder(name, now);
        remains.tombstones = room.tombstones;
        remains.endedInstances = room.endedInstances;
        remains.closedUntil = now + chart.replayWindow;
        remains.agent.generation = room.agent.generation;
        return remains.build();
    }

    /** Starts the room afresh after it closed with a token request pending. */
    private void reopen() {
        room.closing = false;
        room.closeReason = null;
        room.reopenRequested = false;
        room.instanceId = null;
        room.createdAt = now;
        room.lastActivity = now;
        room.sessions = SessionMap.empty();
        room.hadHumans = false;
        room.agentWanted = true;
        room.graceDeadline = null;
        room.joinDeadline = now + chart.joinTimeout;
        agent.reset();
        publish(new LifecycleEvent.RoomCreated(name));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    int humanCount() {
        return room.sessions.humans();
    }

    private void ignore(RoomEvent event, IgnoreReason reason) {
        ignored = true;
        effects.add(StandardRoomStateMachine.ignored(name, event, reason));
    }

    void publish(LifecycleEvent event) {
        effects.add(new RoomEffect.Publish(event));
    }

    void effect(RoomEffect effect) {
        effects.add(effect);
    }

    private static long later(@Nullable Long a, long b) {
        return a == null || b - a >= 0 ? b : a;
    }
}
