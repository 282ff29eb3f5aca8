package io.github.agentlifecycle.core;

import org.jspecify.annotations.Nullable;

/**
 * The answer to {@link AgentManager#ensureAgent(String)}: what the room's agent is doing now.
 *
 * @param status what happened
 * @param room the room afterwards, or null when the request was rejected
 * @param message why it was rejected, or null
 */
public record EnsureResult(Status status, @Nullable RoomSnapshot room, @Nullable String message) {

    /** What an agent request achieved. */
    public enum Status {
        /** This request started a new agent (its launch is under way). */
        LAUNCHED,
        /** The room already has an agent (launching, running, ready, or restarting after a crash). */
        RUNNING,
        /** The room waits for a free slot under {@code maxTotalAgents}, or for its previous agent to stop. */
        QUEUED,
        /** Nothing was done: the manager is not running or tracks {@code maxRooms} rooms already. */
        REJECTED,
        /**
         * Nothing was done: the manager is {@linkplain AgentManager#drain draining} and does not serve this room;
         * another instance should (an HTTP API answers 503 so that a load balancer or the client retries).
         */
        DRAINING
    }
}
