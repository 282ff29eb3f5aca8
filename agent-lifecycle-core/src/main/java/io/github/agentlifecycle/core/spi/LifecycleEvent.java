package io.github.agentlifecycle.core.spi;

import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.StopReason;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a room or its agent, as reported to {@link LifecycleListener}s. Every event names
 * its room. Immutable.
 */
public sealed interface LifecycleEvent {

    /** The room this event is about. */
    String roomName();

    /**
     * The engine started tracking a room.
     *
     * @param roomName the room
     */
    record RoomCreated(String roomName) implements LifecycleEvent {}

    /**
     * The engine started closing a room; its agent, if any, is being stopped.
     *
     * @param roomName the room
     * @param reason why
     */
    record RoomClosing(String roomName, CloseReason reason) implements LifecycleEvent {}

    /**
     * The room was removed: it has no agent and no timers left.
     *
     * @param roomName the room
     * @param reason why it was closed
     */
    record RoomClosed(String roomName, CloseReason reason) implements LifecycleEvent {}

    /**
     * A participant session joined.
     *
     * @param roomName the room
     * @param participant the session
     * @param humanCount humans present afterwards
     * @param participantCount participants present afterwards
     */
    record ParticipantJoined(String roomName, Participant participant, int humanCount, int participantCount)
            implements LifecycleEvent {}

    /**
     * A participant session left.
     *
     * @param roomName the room
     * @param participant the session
     * @param connectionAborted whether LiveKit reported an aborted connection
     * @param humanCount humans present afterwards
     * @param participantCount participants present afterwards
     */
    record ParticipantLeft(String roomName, Participant participant, boolean connectionAborted, int humanCount,
            int participantCount) implements LifecycleEvent {}

    /**
     * An event was accepted but changed nothing.
     *
     * @param roomName the room
     * @param eventId the event's id, or null
     * @param reason why it changed nothing
     */
    record EventIgnored(String roomName, @Nullable String eventId, IgnoreReason reason) implements LifecycleEvent {}

    /** Why an event changed nothing. */
    enum IgnoreReason {
        /** Its event id was applied before. */
        DUPLICATE_EVENT,
        /** The participant session is already present. */
        SESSION_ALREADY_PRESENT,
        /** The participant session already left (its leave arrived first); the late join is dropped. */
        SESSION_ALREADY_LEFT,
        /** A leave for a session that never joined: remembered, so that its late join is dropped. */
        UNKNOWN_SESSION,
        /** It concerns an earlier instance of the room. */
        STALE_INSTANCE,
        /** The room is closing. */
        ROOM_CLOSING,
        /** The room is not tracked. */
        UNKNOWN_ROOM
    }

    /**
     * The room wants an agent and waits for a slot in FIFO order: {@code maxTotalAgents} agents exist, or (with shared
     * state) the replica that took the request drains or is closing, and another replica will start the agent.
     *
     * @param roomName the room
     * @param position 1 for the first room in line
     */
    record CapacityQueued(String roomName, int position) implements LifecycleEvent {}

    /**
     * The launcher is being asked to start an agent.
     *
     * @param roomName the room
     * @param agentIdentity the identity the agent will use
     * @param attempt 1 for the first launch, higher for restarts
     */
    record AgentLaunching(String roomName, String agentIdentity, int attempt) implements LifecycleEvent {}

    /**
     * The launcher started the agent.
     *
     * @param roomName the room
     * @param agentIdentity its identity
     * @param pid its process id, or null when it is not a local process
     */
    record AgentLaunched(String roomName, String agentIdentity, @Nullable Long pid) implements LifecycleEvent {}

    /**
     * The launcher could not start the agent.
     *
     * @param roomName the room
     * @param agentIdentity the identity it was to use
     * @param error why, as the launcher reported it
     */
    record AgentLaunchFailed(String roomName, String agentIdentity, String error) implements LifecycleEvent {}

    /**
     * The agent joined the room or sent its first heartbeat.
     *
     * @param roomName the room
     * @param agentIdentity its identity, or null when unknown
     * @param signal what showed it was ready
     */
    record AgentReady(String roomName, @Nullable String agentIdentity, ReadySignal signal) implements LifecycleEvent {}

    /** What showed that an agent was ready. */
    enum ReadySignal {
        /** An agent participant joined the room. */
        JOINED,
        /** The agent sent a heartbeat. */
        HEARTBEAT
    }

    /**
     * The engine asked the agent to stop.
     *
     * @param roomName the room
     * @param agentIdentity its identity, or null when unknown
     * @param reason why
     */
    record AgentStopping(String roomName, @Nullable String agentIdentity, StopReason reason)
            implements LifecycleEvent {}

    /**
     * An agent asked to stop has not exited within twice the stop timeout; the stop is requested again.
     *
     * @param roomName the room
     * @param agentIdentity its identity, or null when unknown
     */
    record AgentStopOverdue(String roomName, @Nullable String agentIdentity) implements LifecycleEvent {}

    /**
     * The agent ended.
     *
     * @param roomName the room
     * @param agentIdentity its identity, or null when unknown
     * @param exit how it ended
     * @param expected whether the engine had asked it to stop
     */
    record AgentExited(String roomName, @Nullable String agentIdentity, AgentExit exit, boolean expected)
            implements LifecycleEvent {}

    /**
     * A failed agent will be launched again after a backoff delay.
     *
     * @param roomName the room
     * @param restart how many restarts this makes within the restart window
     * @param delay the backoff delay
     */
    record AgentRestarting(String roomName, int restart, Duration delay) implements LifecycleEvent {}

    /**
     * The restart budget is spent: the room gets no agent until a new token request.
     *
     * @param roomName the room
     * @param restarts restarts made within the window
     * @param window the restart window
     */
    record AgentFailed(String roomName, int restarts, Duration window) implements LifecycleEvent {}

    /**
     * The last human left; the room closes after {@code gracePeriod} unless a human returns.
     *
     * @param roomName the room
     * @param gracePeriod the grace period
     */
    record GraceStarted(String roomName, Duration gracePeriod) implements LifecycleEvent {}

    /**
     * A human returned during the grace period.
     *
     * @param roomName the room
     * @param remaining what was left of the grace period
     */
    record GraceCancelled(String roomName, Duration remaining) implements LifecycleEvent {}

    /**
     * The grace period ended without a human returning.
     *
     * @param roomName the room
     */
    record GraceExpired(String roomName) implements LifecycleEvent {}

    /**
     * Nobody joined within the join timeout.
     *
     * @param roomName the room
     */
    record JoinTimedOut(String roomName) implements LifecycleEvent {}

    /**
     * The launcher found and killed an agent left behind by an earlier host, or the engine found an agent that
     * belongs to no tracked room.
     *
     * @param roomName the room the agent was started for, or empty for an agent started ahead of need that had none
     * @param agentIdentity its identity, or null when unknown (or it had no room)
     * @param pid its process id, or null when it is not a local process
     */
    record OrphanReaped(String roomName, @Nullable String agentIdentity, @Nullable Long pid)
            implements LifecycleEvent {}
}
