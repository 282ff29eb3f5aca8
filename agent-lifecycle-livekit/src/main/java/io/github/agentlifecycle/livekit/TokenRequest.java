package io.github.agentlifecycle.livekit;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a join token is asked for. Not validated here: {@link TokenIssuer#mint(TokenRequest)} checks every field
 * and names the bad one. The field names match the HTTP API's JSON.
 *
 * @param roomName the room to join
 * @param participantIdentity the participant's unique identity
 * @param participantName the display name, or null to use the identity
 * @param role the role, for example {@code client} or {@code coach}
 * @param ttl how long the token is valid, or null for the issuer's default
 * @param metadata participant metadata, or null
 * @param attributes participant attributes (may be empty)
 */
public record TokenRequest(@Nullable String roomName, @Nullable String participantIdentity,
        @Nullable String participantName, @Nullable String role, @Nullable Duration ttl, @Nullable String metadata,
        Map<String, String> attributes) {

    /** Copies {@code attributes} (null becomes empty). */
    public TokenRequest {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** A request with the issuer's default TTL, no metadata and no attributes. */
    public static TokenRequest of(String roomName, String participantIdentity, @Nullable String participantName,
            String role) {
        return new TokenRequest(roomName, participantIdentity, participantName, role, null, null, Map.of());
    }
}
