package io.github.agentlifecycle.core;

/** Why a room was closed. */
public enum CloseReason {
    /** The grace period after the last human left ended without a human returning. */
    GRACE_EXPIRED,
    /** Nobody joined within the join timeout after the room was created or a token was issued. */
    JOIN_TIMEOUT,
    /** LiveKit reported that the room finished. */
    ROOM_FINISHED,
    /** An administrator closed the room. */
    ADMIN,
    /** The manager is shutting down. */
    SHUTDOWN
}
