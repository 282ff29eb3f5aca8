package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.RestartPolicy;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.StopReason;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent.IgnoreReason;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The state chart of {@link RoomStateMachine#standard}: which inputs create a room, what an untracked or closed
 * room does with an input, and, for a tracked room, one {@link RoomStep}. A room that closes leaves a {@linkplain
 * RoomRecord#closed() closed} record behind for the replay window: an event the room would have ignored leaves it
 * closed, anything else starts it afresh with what it remembers (departed sessions, ended instances). Stateless
 * and thread-safe.
 */
final class StandardRoomStateMachine implements RoomStateMachine {
    final long gracePeriod;
    final long joinTimeout;
    final long replayWindow;
    final long startupTimeout;
    final long stopOverdueAfter;
    final long heartbeatTimeout;
    final RestartPolicy restartPolicy;
    final long restartWindow;
    final long resetAfter;
    final boolean restartOnCleanExit;

    StandardRoomStateMachine(AgentManagerConfig config) {
        this.gracePeriod = Require.nanos(config.gracePeriod());
        this.joinTimeout = Require.nanos(config.joinTimeout());
        this.replayWindow = Require.nanos(config.replayWindow());
        this.startupTimeout = Require.nanos(config.agentStartupTimeout());
        long stopTimeout = Require.nanos(config.agentStopTimeout());
        this.stopOverdueAfter = stopTimeout > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : stopTimeout * 2;
        this.heartbeatTimeout = Require.nanos(config.heartbeatTimeout());
        this.restartPolicy = config.restartPolicy();
        this.restartWindow = Require.nanos(restartPolicy.window());
        this.resetAfter = Require.nanos(restartPolicy.resetAfter());
        this.restartOnCleanExit = config.restartOnCleanExit();
    }

    @Override
    public Transition apply(String roomName, @Nullable RoomRecord current, RoomInput input, long now) {
        if (current == null) {
            return createsRoom(input) ? create(RoomRecord.builder(roomName, now), input, now) : untracked(roomName, input);
        }
        if (current.closed()) {
            return afterClose(current, input, now);
        }
        return new RoomStep(this, current.toBuilder(), now).run(input);
    }

    private Transition create(RoomRecord.Builder fresh, RoomInput input, long now) {
        fresh.joinDeadline = now + joinTimeout;
        RoomStep step = new RoomStep(this, fresh, now);
        step.publish(new LifecycleEvent.RoomCreated(fresh.name));
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
            RoomRecord next = closed;
            String sid = external.event().roomInstanceId();
            if (sid != null) {
                RoomRecord.Builder remains = closed.toBuilder();
                remains.endedInstances = closed.endedInstances().plus(sid, now, replayWindow);
                next = remains.build();
            }
            return new Transition(next, List.of(ignored(name, external.event(), IgnoreReason.UNKNOWN_ROOM)), true);
        }
        if (!createsRoom(input)) {
            Transition untracked = untracked(name, input);
            return new Transition(closed, untracked.effects(), untracked.ignored());
        }
        RoomRecord.Builder fresh = RoomRecord.builder(name, now);
        fresh.tombstones = closed.tombstones();
        fresh.endedInstances = closed.endedInstances();
        fresh.agent.generation = closed.agent().generation();
        Transition reopened = create(fresh, input, now);
        RoomRecord trial = reopened.next();
        if (!reopened.ignored() || trial == null) {
            return reopened;
        }
        List<RoomEffect> kept = new ArrayList<>();
        for (RoomEffect effect : reopened.effects()) {
            if (effect instanceof RoomEffect.Publish publish && publish.event() instanceof LifecycleEvent.EventIgnored) {
                kept.add(effect);
            }
        }
        RoomRecord.Builder remains = closed.toBuilder();
        remains.tombstones = trial.tombstones();
        return new Transition(remains.build(), kept, true);
    }

    /** A token request or any event but the end of the room creates it. */
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
            return new Transition(null, List.of(ignored(roomName, external.event(), IgnoreReason.UNKNOWN_ROOM)), true);
        }
        return new Transition(null, List.of());
    }

    static RoomEffect ignored(String roomName, RoomEvent event, IgnoreReason reason) {
        return new RoomEffect.Publish(new LifecycleEvent.EventIgnored(roomName, event.eventId(), reason));
    }
}
