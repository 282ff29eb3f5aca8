package io.github.agentlifecycle.core;

/** What {@link AgentManager#apply(RoomEvent)} did with an event. */
public enum EventOutcome {
    /** The event changed the room. */
    APPLIED,
    /** An event with the same id was applied before; nothing changed. */
    DUPLICATE,
    /**
     * The event was accepted but changed neither who is present nor the room's lifecycle: it concerns an earlier
     * room instance, a session already present or already gone, a closing room, or a room that is not tracked. A
     * leave for a session that never joined is still remembered (so that its late join is dropped), which may
     * create an empty room record that the join timeout removes.
     */
    IGNORED,
    /** The manager is not running; the event was not looked at. */
    REJECTED,
    /**
     * The event was not applied: its id is new, and the memory of recent ids ({@link
     * AgentManagerConfig#eventIdMemory()}) is full of ids that could still be delivered again. Forgetting one of
     * them would let a replay through, so the event is refused instead; deliver it again later (LiveKit retries a
     * webhook answered with a 5xx).
     */
    REFUSED
}
