package io.github.agentlifecycle.core;

/** Why the engine asked an agent to stop. */
public enum StopReason {
    /** Its room is closing (see {@link CloseReason}). */
    ROOM_CLOSING,
    /** It did not join the room or send a heartbeat within the startup timeout; it will be relaunched. */
    STARTUP_TIMEOUT,
    /** It stopped sending heartbeats for longer than the heartbeat timeout; it will be relaunched. */
    HEARTBEAT_TIMEOUT,
    /** It belongs to no tracked room (found by garbage collection). */
    ORPHANED,
    /**
     * Its replica is closing (with a shared store): the room is handed to another replica, which starts its next
     * agent as soon as this one has exited.
     */
    HANDED_OVER;

    /** Whether the agent is relaunched (subject to the restart policy) after it has exited. */
    public boolean restarts() {
        return this == STARTUP_TIMEOUT || this == HEARTBEAT_TIMEOUT;
    }
}
