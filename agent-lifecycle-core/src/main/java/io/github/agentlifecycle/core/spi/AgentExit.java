package io.github.agentlifecycle.core.spi;

import io.github.agentlifecycle.core.Require;
import org.jspecify.annotations.Nullable;

/**
 * How an agent ended.
 *
 * @param kind whether it exited with a status, was killed by a signal, or vanished without either
 * @param code the exit status for {@link Kind#EXITED}, the signal number for {@link Kind#SIGNALLED}, {@code -1}
 *     for {@link Kind#LOST}
 * @param stopRequested whether the host had asked the agent to stop before it ended
 * @param detail a human-readable detail (for example "dispatch deleted"), or null
 */
public record AgentExit(Kind kind, int code, boolean stopRequested, @Nullable String detail) {

    /** How an agent ended. */
    public enum Kind {
        /** It exited with a status code. */
        EXITED,
        /** It was terminated by a signal. */
        SIGNALLED,
        /** It is gone, but no status is known (for example found dead by a health check). */
        LOST
    }

    /** Validates every argument. */
    public AgentExit {
        Require.nonNull(kind, "kind");
    }

    /** An exit with a status code. */
    public static AgentExit exited(int code, boolean stopRequested) {
        return new AgentExit(Kind.EXITED, code, stopRequested, null);
    }

    /** Termination by signal {@code signal} (for example 9 for SIGKILL). */
    public static AgentExit signalled(int signal, boolean stopRequested) {
        return new AgentExit(Kind.SIGNALLED, signal, stopRequested, null);
    }

    /** An agent that is gone without a known status. */
    public static AgentExit lost(boolean stopRequested, String detail) {
        return new AgentExit(Kind.LOST, -1, stopRequested, detail);
    }

    /** Whether it exited by itself with status 0. */
    public boolean isClean() {
        return kind == Kind.EXITED && code == 0;
    }

    /** A short description such as {@code exit code 1} or {@code signal 9}. */
    public String describe() {
        String base = switch (kind) {
            case EXITED -> "exit code " + code;
            case SIGNALLED -> "signal " + code;
            case LOST -> "lost";
        };
        return detail == null ? base : base + " (" + detail + ")";
    }
}
