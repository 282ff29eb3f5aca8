package io.github.agentlifecycle.core;

/** Where an {@link AgentManager} is in its life; see {@link AgentManager#state()}. */
public enum ManagerState {
    /** Built, not yet started: token requests and events are rejected. */
    NEW,
    /** Serving: the only state in which the manager takes new rooms, so the only one that counts as ready. */
    RUNNING,
    /**
     * Serving the rooms it has while their conversations end ({@link AgentManager#drain}): events, heartbeats and
     * token requests for those rooms are applied; a new room is not taken (with shared state, another replica
     * starts its agent).
     */
    DRAINING,
    /** Stopping its agents; nothing is applied any more. */
    CLOSING,
    /** Closed. */
    CLOSED;

    /** Whether rooms' events, heartbeats and token requests are applied: {@link #RUNNING} or {@link #DRAINING}. */
    public boolean serving() {
        return this == RUNNING || this == DRAINING;
    }
}
