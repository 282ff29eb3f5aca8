package io.github.agentlifecycle.core;

/** What {@link AgentManager#apply(RoomEvent)} did with an event. */
public enum EventOutcome {
    /** The event changed the room. */
    APPLIED,
    /** An event with the same id was applied before; nothing changed. */
    DUPLICATE,
    /**
     * The event was accepted but changed nothing: it concerns an earlier room instance, a session that already
     * left or never joined, a closing room, or a room that is not tracked.
     */
    IGNORED,
    /** The manager is not running; the event was not looked at. */
    REJECTED
}
