package io.github.agentlifecycle.core.spi;

import io.github.agentlifecycle.core.Require;

/**
 * What to launch: one agent for one room.
 *
 * @param roomName the room the agent must join
 * @param agentIdentity the identity the agent should join with (unique per launch)
 * @param credential a per-agent secret the agent presents when it reports to the host (heartbeats); never
 *     logged, and left out of {@link #toString()}
 * @param attempt 1 for the first launch in a room, 2 for the first restart, and so on
 */
public record AgentSpec(String roomName, String agentIdentity, String credential, int attempt) {
    /** Validates every argument. */
    public AgentSpec {
        Require.name(roomName, "roomName");
        Require.name(agentIdentity, "agentIdentity");
        Require.name(credential, "credential");
        Require.atLeast(attempt, 1, "attempt");
    }

    @Override
    public String toString() {
        return "AgentSpec{roomName=" + roomName + ", agentIdentity=" + agentIdentity + ", attempt=" + attempt + '}';
    }
}
