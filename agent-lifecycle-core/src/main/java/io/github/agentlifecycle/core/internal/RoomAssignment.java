package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.AgentSpec;
import org.jspecify.annotations.Nullable;

/**
 * The protocol by which an agent started ahead of need gets its room. The agent is started with {@value
 * #MODE_VARIABLE}{@code =}{@value #MODE} and no room. Once it has loaded it writes the line {@value #IDLE} to
 * stdout; when a room needs it, the host writes one JSON object on a line of its own to the agent's stdin ({@link
 * #line}); the agent answers with the line {@value #ASSIGNED} on stdout once it has taken the room. Whitespace
 * between the tokens of the two answers is ignored. Stateless.
 */
public final class RoomAssignment {
    /** The environment variable that tells an agent to read its room from stdin. */
    public static final String MODE_VARIABLE = "AGENT_ASSIGNMENT";
    /** The value of {@link #MODE_VARIABLE}. */
    public static final String MODE = "stdin";
    /** The agent has loaded and waits for its room. */
    public static final String IDLE = "{\"type\":\"idle\"}";
    /** The agent has taken the room it was assigned. */
    public static final String ASSIGNED = "{\"type\":\"assigned\"}";

    private RoomAssignment() {}

    /**
     * The assignment of {@code spec}, newline included: {@code type} ({@code "assignment"}), {@code roomName},
     * {@code agentIdentity}, {@code credential}, and {@code heartbeatUrl} when one is configured.
     */
    public static String line(AgentSpec spec, @Nullable String heartbeatUrl) {
        StringBuilder json = new StringBuilder(160).append("{\"type\":\"assignment\"");
        field(json, "roomName", spec.roomName());
        field(json, "agentIdentity", spec.agentIdentity());
        field(json, "credential", spec.credential());
        if (heartbeatUrl != null) {
            field(json, "heartbeatUrl", heartbeatUrl);
        }
        return json.append("}\n").toString();
    }

    /** Whether {@code line} says the agent waits for its room. */
    public static boolean isIdle(String line) {
        return IDLE.equals(withoutWhitespace(line));
    }

    /** Whether {@code line} says the agent has taken its room. */
    public static boolean isAssigned(String line) {
        return ASSIGNED.equals(withoutWhitespace(line));
    }

    private static @Nullable String withoutWhitespace(String line) {
        if (line.length() > 64) {
            return null;
        }
        StringBuilder compact = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (!Character.isWhitespace(c)) {
                compact.append(c);
            }
        }
        return compact.toString();
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(",\"").append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        json.append('"');
    }
}
