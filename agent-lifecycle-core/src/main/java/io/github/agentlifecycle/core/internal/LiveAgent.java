package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.AgentHandle;
import org.jspecify.annotations.Nullable;

/**
 * The engine's side of one launch: the handle once the launcher answers, and whether a stop was asked for
 * before it did. Confined to the engine's thread.
 */
final class LiveAgent {
    final String room;
    final int generation;
    final String identity;
    /** The agent's credential as UTF-8 bytes (the launcher got it as a string). */
    final byte[] credential;
    @Nullable AgentHandle handle;
    boolean stopRequested;
    boolean exitReported;

    LiveAgent(String room, int generation, String identity, byte[] credential) {
        this.room = room;
        this.generation = generation;
        this.identity = identity;
        this.credential = credential;
    }

    @Nullable Long pid() {
        AgentHandle h = handle;
        if (h == null) {
            return null;
        }
        try {
            return h.pid().isPresent() ? h.pid().getAsLong() : null;
        } catch (RuntimeException launcherBug) {
            return null;
        }
    }
}
