package io.github.agentlifecycle.core;

/** What a room's agent is doing. A room has at most one agent at any time. */
public enum AgentState {
    /** No agent and none wanted right now. */
    NONE("none"),
    /** Wanted, waiting for a free slot under {@code maxTotalAgents}. */
    QUEUED("queued"),
    /** The launcher was asked to start the agent and has not answered yet. */
    LAUNCHING("launching"),
    /** Started, but has neither joined the room nor sent a heartbeat yet. */
    RUNNING("running"),
    /** Joined the room or sent a heartbeat. */
    READY("ready"),
    /** Asked to stop; still holds its slot until it has exited. */
    STOPPING("stopping"),
    /** Crashed; a restart is scheduled after a backoff delay. */
    BACKOFF("backoff"),
    /** The restart budget is spent; nothing is launched until a new token request. */
    FAILED("failed");

    private final String jsonName;

    AgentState(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used on the wire and in logs, for example {@code backoff}. */
    public String jsonName() {
        return jsonName;
    }

    /** Whether an agent process (or dispatch) may exist in this state, so that it counts against capacity. */
    public boolean holdsProcess() {
        return this == LAUNCHING || this == RUNNING || this == READY || this == STOPPING;
    }
}
