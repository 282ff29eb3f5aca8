package io.github.agentlifecycle.http;

import static io.github.agentlifecycle.http.RequestFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.livekit.InvalidTokenRequestException;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.TokenRequest;
import java.util.Map;

/**
 * {@code POST /token}: checks the request, asks the {@link TokenRequestAuthorizer}, mints the token and ensures the
 * room's agent. A refused or invalid request mints nothing and starts nothing; a request a draining manager does not
 * serve gets 503 {@code draining} and no token, so that the client joins where an agent can be started. Thread-safe.
 */
final class TokenRoute {
    private final AgentManager manager;
    private final TokenIssuer tokens;
    private final TokenRequestAuthorizer authorizer;
    private final Credentials credentials;
    private final String livekitUrl;

    TokenRoute(AgentManager manager, TokenIssuer tokens, TokenRequestAuthorizer authorizer, Credentials credentials,
            String livekitUrl) {
        this.manager = manager;
        this.tokens = tokens;
        this.authorizer = authorizer;
        this.credentials = credentials;
        this.livekitUrl = livekitUrl;
    }

    ApiResponse answer(ApiRequest request) {
        RequestFields.requireContentType(request, RequestFields.JSON_TYPE);
        JsonNode body = RequestFields.jsonObject(request);
        TokenRequest tokenRequest = new TokenRequest(text(body, "roomName"), text(body, "participantIdentity"),
                text(body, "participantName"), text(body, "role"), null, text(body, "metadata"),
                RequestFields.attributes(body));
        TokenIssuer.IssuedToken token;
        try {
            tokens.validate(tokenRequest);
            String refusal = authorizer.refusal(request, tokenRequest, credentials.isAdmin(request));
            if (refusal != null) {
                throw new ApiError(403, "forbidden", refusal);
            }
            token = tokens.mint(tokenRequest);
        } catch (InvalidTokenRequestException invalid) {
            throw ApiError.invalid(invalid.field(), invalid.getMessage());
        }
        EnsureResult ensured = manager.ensureAgent(token.roomName());
        if (ensured.status() == EnsureResult.Status.DRAINING) {
            throw new ApiError(503, "draining", "this instance is shutting down and takes no new rooms; try again",
                    Map.of("Retry-After", "1", "Connection", "close"));
        }
        return ApiJson.ok(ApiViews.token(token, livekitUrl, ensured));
    }
}
