package io.github.agentlifecycle.core;

/**
 * The lifecycle state of a tracked room. A room that is not tracked has no state (it was never seen or it was
 * removed).
 *
 * <pre>
 * empty ─▶ starting ─▶ active ─▶ grace_period ─▶ closing ─▶ (removed)
 *                         ▲            │
 *                         └── rejoin ──┘
 * </pre>
 */
public enum RoomState {
    /** Known (from a webhook) but nobody asked for an agent and no human is present. */
    EMPTY,
    /** An agent was requested through a token; the first human has not joined yet. */
    STARTING,
    /** At least one human is present. */
    ACTIVE,
    /** The last human left; the room closes when the grace period ends unless a human returns. */
    GRACE_PERIOD,
    /** The room is being closed: its agent is stopping; the room is removed once the agent has exited. */
    CLOSING
}
