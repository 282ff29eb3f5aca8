package io.github.agentlifecycle.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code data} of the answers that are not a core record written as it is ({@link JsonMixIns} says how those
 * are written). Immutable.
 */
final class ApiViews {
    private ApiViews() {}

    /** {@code POST /token}: the token, where to use it, and what the room's agent is doing. */
    record Token(String token, String url, String roomName, String participantIdentity, Agent agent) {}

    /**
     * The room's agent after a token request: {@code status}; then, when the room is tracked, {@code state} and
     * {@code identity} (null while not known); then {@code message}, only when there is one.
     */
    record Agent(EnsureResult.Status status, @JsonUnwrapped @Nullable AgentOfRoom room,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String message) {}

    /** The agent of a tracked room. */
    record AgentOfRoom(AgentState state, @Nullable String identity) {}

    /** {@code GET /stats}: the engine's totals and counters, then the webhook receiver's counters. */
    record Stats(@JsonUnwrapped ManagerStats engine, Map<String, Long> webhooksUnused,
            Map<WebhookException.Reason, Long> webhooksRejected) {}

    /** {@code POST /rooms/{name}/close}. */
    record Closing(String roomName, boolean closing) {}

    static Token token(TokenIssuer.IssuedToken token, String livekitUrl, EnsureResult ensured) {
        AgentOfRoom room = ensured.room() == null ? null
                : new AgentOfRoom(ensured.room().agentState(), ensured.room().agentIdentity());
        return new Token(token.jwt(), livekitUrl, token.roomName(), token.participantIdentity(),
                new Agent(ensured.status(), room, ensured.message()));
    }
}
