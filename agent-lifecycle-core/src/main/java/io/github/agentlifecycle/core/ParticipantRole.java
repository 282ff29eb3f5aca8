package io.github.agentlifecycle.core;

/** How the engine counts a participant. Only humans keep a room (and its agent) alive. */
public enum ParticipantRole {
    /** A person: a client, a coach, a phone caller. */
    HUMAN,
    /** An AI agent. An agent joining the room marks the room's agent as ready. */
    AGENT,
    /** Anything else, for example a recorder or an ingress stream. Counted as a participant, not a human. */
    OTHER
}
