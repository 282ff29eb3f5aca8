package io.github.agentlifecycle.core;

/** What a room's agent is doing. A room has at most one agent at any time. */
public enum AgentState {
    /** No agent and none wanted right now. */
    NONE,
    /** Wanted, waiting for a free slot under {@code maxTotalAgents}. */
    QUEUED,
    /** The launcher was asked to start the agent and has not answered yet. */
    LAUNCHING,
    /** Started, but has neither joined the room nor sent a heartbeat yet. */
    RUNNING,
    /** Joined the room or sent a heartbeat. */
    READY,
    /** Asked to stop; still holds its slot until it has exited. */
    STOPPING,
    /** Crashed; a restart is scheduled after a backoff delay. */
    BACKOFF,
    /** The restart budget is spent; nothing is launched until a new token request. */
    FAILED;

    /** Whether an agent process (or dispatch) may exist in this state, so that it counts against capacity. */
    public boolean holdsProcess() {
        return this == LAUNCHING || this == RUNNING || this == READY || this == STOPPING;
    }
}
