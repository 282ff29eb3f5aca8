package io.github.agentlifecycle.http;

import io.github.agentlifecycle.livekit.TokenRequest;
import org.jspecify.annotations.Nullable;

/**
 * Decides who may get which token from {@code POST /token}. Supplied by the application (for example to check its
 * own session cookie); must be thread-safe and must not block for long.
 */
@FunctionalInterface
public interface TokenRequestAuthorizer {

    /**
     * Decides on one token request.
     *
     * @param http the HTTP request (headers available)
     * @param request the parsed token request
     * @param admin whether the request carries the admin credential ({@code Authorization: Bearer <admin token>})
     * @return null to allow, or the reason to refuse (answered as 403)
     */
    @Nullable String refusal(ApiRequest http, TokenRequest request, boolean admin);

    /** The default: {@code client} tokens are open, any other role (such as {@code coach}) needs the admin credential. */
    static TokenRequestAuthorizer clientsOpen() {
        return (http, request, admin) -> "client".equals(request.role()) || admin ? null
                : "a " + request.role() + " token needs the admin credential";
    }
}
