package io.github.agentlifecycle.livekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Token contents and request validation. The room configuration is written with protobuf field names
 * ({@code departure_timeout}); LiveKit reads that claim as protobuf JSON, which accepts them.
 */
class TokenIssuerTest {
    private static final LiveKitCredentials CREDENTIALS = new LiveKitCredentials("APItest", "secret-0123456789abcdef0123456789");
    private final TokenIssuer issuer = TokenIssuer.builder(CREDENTIALS).build();

    private static DecodedJWT verified(TokenIssuer.IssuedToken token) {
        return JWT.require(Algorithm.HMAC256(CREDENTIALS.apiSecret())).withIssuer(CREDENTIALS.apiKey()).build()
                .verify(token.jwt());
    }

    @Test
    void clientTokenGrantsJoinPublishSubscribeAndDataForItsRoomOnly() {
        DecodedJWT jwt = verified(issuer.mint(TokenRequest.of("room-1", "client-1", "Alice", "client")));
        Map<String, Object> video = jwt.getClaim("video").asMap();
        assertThat(video).containsEntry("room", "room-1").containsEntry("roomJoin", true)
                .containsEntry("canPublish", true).containsEntry("canSubscribe", true)
                .containsEntry("canPublishData", true).doesNotContainKey("roomAdmin");
        assertThat(jwt.getSubject()).isEqualTo("client-1");
        assertThat(jwt.getClaim("name").asString()).isEqualTo("Alice");
        assertThat(Duration.between(Instant.now(), jwt.getExpiresAtAsInstant()))
                .isBetween(Duration.ofHours(2).minusMinutes(1), Duration.ofHours(2));
    }

    @Test
    void coachTokenAddsRoomAdmin() {
        DecodedJWT jwt = verified(issuer.mint(TokenRequest.of("room-1", "coach-1", null, "coach")));
        assertThat(jwt.getClaim("video").asMap()).containsEntry("roomAdmin", true);
        assertThat(jwt.getClaim("name").asString()).isEqualTo("coach-1");
    }

    @Test
    void roomConfigurationKeepsTheRoomOpenForTheGracePeriod() {
        TokenIssuer longGrace = TokenIssuer.builder(CREDENTIALS).gracePeriod(Duration.ofSeconds(90)).build();
        Map<String, Object> config = verified(longGrace.mint(TokenRequest.of("r", "c", null, "client")))
                .getClaim("roomConfig").asMap();
        assertThat(((Number) config.get("departure_timeout")).intValue()).isEqualTo(90);
        assertThat(((Number) config.get("empty_timeout")).intValue()).isEqualTo(300);

        Map<String, Object> defaults = verified(issuer.mint(TokenRequest.of("r", "c", null, "client")))
                .getClaim("roomConfig").asMap();
        assertThat(((Number) defaults.get("departure_timeout")).intValue()).isEqualTo(60);
    }

    @Test
    void carriesTtlMetadataAndAttributes() {
        DecodedJWT jwt = verified(issuer.mint(new TokenRequest("r", "c", "C", "client", Duration.ofMinutes(10),
                "{\"plan\":\"pro\"}", Map.of("team", "blue"))));
        assertThat(Duration.between(Instant.now(), jwt.getExpiresAtAsInstant()))
                .isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));
        assertThat(jwt.getClaim("metadata").asString()).isEqualTo("{\"plan\":\"pro\"}");
        assertThat(jwt.getClaim("attributes").asMap()).containsEntry("team", "blue");
    }

    @Test
    void rejectsBadRequestsNamingTheField() {
        assertField(TokenRequest.of(null, "c", null, "client"), "roomName", "roomName is required");
        assertField(TokenRequest.of(" ", "c", null, "client"), "roomName", "roomName is required");
        assertField(TokenRequest.of("r", "", null, "client"), "participantIdentity", "participantIdentity is required");
        assertField(TokenRequest.of("r", "c", null, null), "role", "role is required");
        assertField(TokenRequest.of("r", "c", null, "admin"), "role", "role must be one of [client, coach]");
        assertField(TokenRequest.of("r".repeat(257), "c", null, "client"), "roomName",
                "roomName must be at most 256 characters");
        assertField(TokenRequest.of("r", "c\u0000", null, "client"), "participantIdentity",
                "participantIdentity must not contain control characters");
        assertField(TokenRequest.of("r", "c", "x".repeat(300), "client"), "participantName",
                "participantName must be at most 256 characters");
        assertField(new TokenRequest("r", "c", null, "client", Duration.ofHours(7), null, Map.of()), "ttl",
                "ttl must be > 0 and at most PT6H");
        assertField(new TokenRequest("r", "c", null, "client", Duration.ZERO, null, Map.of()), "ttl",
                "ttl must be > 0 and at most PT6H");
        assertField(new TokenRequest("r", "c", null, "client", null, "m".repeat(20_000), Map.of()), "metadata",
                "metadata must be at most 16384 characters");
        assertField(new TokenRequest("r", "c", null, "client", null, null, Map.of("", "v")), "attributes",
                "attributes is required");
        assertField(new TokenRequest("r", "c", null, "client", null, null, Map.of("lk.agent_name", "my-agent")),
                "attributes", "attributes must not use the lk. prefix, which LiveKit reserves (lk.agent_name)");
    }

    @Test
    void identitiesReservedForAgentsAreNeverGranted() {
        assertField(TokenRequest.of("r", "ai-agent-x7Kq2mPz", null, "client"), "participantIdentity",
                "participantIdentity must not start with ai-, which is reserved for agents");
        assertField(TokenRequest.of("r", "agent-AJ_1234", null, "coach"), "participantIdentity",
                "participantIdentity must not start with agent-, which is reserved for agents");
        assertThatThrownBy(() -> issuer.validate(TokenRequest.of("r", "ai-x", null, "client")))
                .isInstanceOf(InvalidTokenRequestException.class);
        assertThat(issuer.isReservedIdentity("ai-agent-")).isTrue();
        assertThat(issuer.isReservedIdentity("Ai-agent-x")).isFalse();
        assertThat(issuer.mint(TokenRequest.of("r", "mai-tai", null, "client")).participantIdentity())
                .isEqualTo("mai-tai");

        TokenIssuer custom = TokenIssuer.builder(CREDENTIALS).reservedIdentityPrefixes(List.of("bot-")).build();
        assertField(custom, TokenRequest.of("r", "bot-1", null, "client"), "participantIdentity",
                "participantIdentity must not start with bot-, which is reserved for agents");
        assertThat(custom.mint(TokenRequest.of("r", "ai-agent-1", null, "client")).participantIdentity())
                .isEqualTo("ai-agent-1");
        assertThatThrownBy(() -> TokenIssuer.builder(CREDENTIALS).reservedIdentityPrefixes(List.of(" ")))
                .hasMessage("reservedIdentityPrefixes element must not be blank");
    }

    @Test
    void customPoliciesDecideWhichRolesExist() {
        TokenIssuer custom = TokenIssuer.builder(CREDENTIALS)
                .roleGrantPolicy(RoleGrantPolicy.of(Map.of("viewer", new Grants(true, false, true, false, false))))
                .build();
        Map<String, Object> video = verified(custom.mint(TokenRequest.of("r", "v", null, "viewer")))
                .getClaim("video").asMap();
        assertThat(video).containsEntry("canPublish", false).containsEntry("canSubscribe", true);
        assertField(custom, TokenRequest.of("r", "c", null, "client"), "role", "role must be one of [viewer]");
    }

    @Test
    void builderAndCredentialsCheckTheirArguments() {
        assertThatThrownBy(() -> new LiveKitCredentials(" ", "s")).hasMessage("apiKey must not be blank");
        assertThatThrownBy(() -> new LiveKitCredentials("k", " ")).hasMessage("apiSecret must not be blank");
        assertThat(CREDENTIALS.toString()).doesNotContain(CREDENTIALS.apiSecret());
        assertThatThrownBy(() -> TokenIssuer.builder(CREDENTIALS).defaultTtl(Duration.ofHours(8)).build())
                .hasMessage("defaultTtl must be <= maxTtl");
        assertThatThrownBy(() -> TokenIssuer.builder(CREDENTIALS).gracePeriod(Duration.ofSeconds(-1)))
                .hasMessage("gracePeriod must be >= 0");
        assertThat(issuer.mint(TokenRequest.of("r", "c", null, "client")).toString()).doesNotContain("eyJ");
    }

    private void assertField(TokenRequest request, String field, String message) {
        assertField(issuer, request, field, message);
    }

    private static void assertField(TokenIssuer issuer, TokenRequest request, String field, String message) {
        assertThatThrownBy(() -> issuer.mint(request)).isInstanceOfSatisfying(InvalidTokenRequestException.class,
                e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }
}
