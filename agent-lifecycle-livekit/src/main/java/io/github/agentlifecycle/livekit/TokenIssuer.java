package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.Require;
import io.livekit.server.AccessToken;
import io.livekit.server.CanPublish;
import io.livekit.server.CanPublishData;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomAdmin;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.livekit.server.VideoGrant;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import livekit.LivekitRoom;
import org.jspecify.annotations.Nullable;

/**
 * Mints LiveKit join tokens.
 *
 * <p>Every token names its room, carries the grants the {@link RoleGrantPolicy} gives its role, and a {@code
 * roomConfig} whose departure and empty timeouts are at least the engine's grace period, so that LiveKit does
 * not close the room while the engine still waits for a person to return.
 *
 * <p>Identities that start with a {@linkplain Builder#reservedIdentityPrefixes reserved prefix} (by default
 * {@code ai-} and {@code agent-}, which the engine's and LiveKit's agents use) are never granted: a person joining
 * under an agent's identity would take its place in the room. Immutable and thread-safe.
 */
public final class TokenIssuer {
    /** Longest room name, identity or display name accepted: {@link Require#MAX_NAME_LENGTH}. */
    public static final int MAX_NAME_LENGTH = Require.MAX_NAME_LENGTH;
    /** Longest metadata accepted, in characters. */
    public static final int MAX_METADATA_LENGTH = 16 * 1024;
    /** Most attributes accepted. */
    public static final int MAX_ATTRIBUTES = 64;
    /** Longest attribute key. */
    public static final int MAX_ATTRIBUTE_KEY_LENGTH = 128;
    /** Longest attribute value. */
    public static final int MAX_ATTRIBUTE_VALUE_LENGTH = 4096;
    /** LiveKit's own defaults, which the room configuration never shortens. */
    private static final int LIVEKIT_DEPARTURE_TIMEOUT_SECONDS = 20;
    private static final int LIVEKIT_EMPTY_TIMEOUT_SECONDS = 300;

    private final LiveKitCredentials credentials;
    private final RoleGrantPolicy policy;
    private final Duration defaultTtl;
    private final Duration maxTtl;
    private final int departureTimeoutSeconds;
    private final int emptyTimeoutSeconds;
    private final List<String> reservedPrefixes;

    private TokenIssuer(Builder builder) {
        this.reservedPrefixes = builder.reservedPrefixes;
        this.credentials = builder.credentials;
        this.policy = builder.policy;
        this.defaultTtl = builder.defaultTtl;
        this.maxTtl = builder.maxTtl;
        long grace = (builder.gracePeriod.toMillis() + 999) / 1000;
        this.departureTimeoutSeconds = (int) Math.min(Integer.MAX_VALUE, Math.max(grace, LIVEKIT_DEPARTURE_TIMEOUT_SECONDS));
        this.emptyTimeoutSeconds = (int) Math.min(Integer.MAX_VALUE, Math.max(grace, LIVEKIT_EMPTY_TIMEOUT_SECONDS));
    }

    /** A builder for tokens signed with {@code credentials}. */
    public static Builder builder(LiveKitCredentials credentials) {
        return new Builder(Require.nonNull(credentials, "credentials"));
    }

    /** A minted token. */
    public record IssuedToken(String jwt, String roomName, String participantIdentity, String role,
            Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedToken{roomName=" + roomName + ", participantIdentity=" + participantIdentity + ", role="
                    + role + ", expiresAt=" + expiresAt + '}';
        }
    }

    /**
     * Validates {@code request} and mints its token.
     *
     * @throws InvalidTokenRequestException naming the first field that is missing, too long, contains control
     *     characters, (for {@code participantIdentity}) is reserved for agents, or (for {@code role}) is not a role
     *     of the policy
     */
    public IssuedToken mint(TokenRequest request) {
        Valid valid = validated(request);
        String room = valid.room();
        String identity = valid.identity();
        String displayName = request.participantName();
        String role = valid.role();
        Grants grants = valid.grants();
        Duration ttl = valid.ttl();
        String metadata = request.metadata();

        AccessToken token = new AccessToken(credentials.apiKey(), credentials.apiSecret());
        token.setIdentity(identity);
        token.setName(displayName == null || displayName.isBlank() ? identity : displayName);
        if (metadata != null) {
            token.setMetadata(metadata);
        }
        token.getAttributes().putAll(request.attributes());
        token.setTtl(ttl.toMillis());
        token.setRoomConfiguration(LivekitRoom.RoomConfiguration.newBuilder()
                .setDepartureTimeout(departureTimeoutSeconds)
                .setEmptyTimeout(emptyTimeoutSeconds)
                .build());
        token.addGrants(videoGrants(room, grants));
        Instant expiresAt = Instant.now().plus(ttl);
        return new IssuedToken(token.toJwt(), room, identity, role, expiresAt);
    }

    /**
     * Checks {@code request} as {@link #mint(TokenRequest)} would, without minting, so that callers can validate
     * before deciding who may have the token.
     *
     * @throws InvalidTokenRequestException naming the first bad field
     */
    public void validate(TokenRequest request) {
        validated(request);
    }

    private record Valid(String room, String identity, String role, Grants grants, Duration ttl) {}

    private Valid validated(TokenRequest request) {
        Require.nonNull(request, "request");
        String room = requiredName("roomName", request.roomName());
        String identity = requiredName("participantIdentity", request.participantIdentity());
        String reserved = reservedPrefixOf(identity);
        if (reserved != null) {
            throw new InvalidTokenRequestException("participantIdentity",
                    "participantIdentity must not start with " + reserved + ", which is reserved for agents");
        }
        optionalText("participantName", request.participantName(), MAX_NAME_LENGTH);
        String role = requiredName("role", request.role());
        Grants grants = policy.grantsFor(role).orElseThrow(() -> new InvalidTokenRequestException("role",
                "role must be one of " + policy.roles()));
        Duration ttl = request.ttl() == null ? defaultTtl : request.ttl();
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(maxTtl) > 0) {
            throw new InvalidTokenRequestException("ttl", "ttl must be > 0 and at most " + maxTtl);
        }
        optionalText("metadata", request.metadata(), MAX_METADATA_LENGTH);
        checkAttributes(request.attributes());
        return new Valid(room, identity, role, grants, ttl);
    }

    /** Whether {@code identity} starts with a reserved prefix, so that no token is ever minted for it. */
    public boolean isReservedIdentity(String identity) {
        return reservedPrefixOf(Require.nonNull(identity, "identity")) != null;
    }

    private @Nullable String reservedPrefixOf(String identity) {
        for (String prefix : reservedPrefixes) {
            if (identity.startsWith(prefix)) {
                return prefix;
            }
        }
        return null;
    }

    /** The departure timeout written into every token's room configuration, in seconds. */
    public int departureTimeoutSeconds() {
        return departureTimeoutSeconds;
    }

    /** The empty timeout written into every token's room configuration, in seconds. */
    public int emptyTimeoutSeconds() {
        return emptyTimeoutSeconds;
    }

    private static List<VideoGrant> videoGrants(String room, Grants grants) {
        List<VideoGrant> list = new ArrayList<>();
        list.add(new RoomName(room));
        list.add(new RoomJoin(grants.roomJoin()));
        list.add(new CanPublish(grants.canPublish()));
        list.add(new CanSubscribe(grants.canSubscribe()));
        list.add(new CanPublishData(grants.canPublishData()));
        if (grants.roomAdmin()) {
            list.add(new RoomAdmin(true));
        }
        return list;
    }

    private static String requiredName(String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidTokenRequestException(field, field + " is required");
        }
        return checkText(field, value, MAX_NAME_LENGTH);
    }

    private static @Nullable String optionalText(String field, @Nullable String value, int max) {
        return value == null ? null : checkText(field, value, max);
    }

    private static String checkText(String field, String value, int max) {
        String problem = Require.textProblem(value, max);
        if (problem != null) {
            throw new InvalidTokenRequestException(field, field + " " + problem);
        }
        return value;
    }

    private static void checkAttributes(Map<String, String> attributes) {
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new InvalidTokenRequestException("attributes", "attributes must have at most " + MAX_ATTRIBUTES
                    + " entries");
        }
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            requiredName("attributes", attribute.getKey());
            if (attribute.getKey().startsWith("lk.")) {
                throw new InvalidTokenRequestException("attributes",
                        "attributes must not use the lk. prefix, which LiveKit reserves (" + attribute.getKey() + ")");
            }
            checkText("attributes", attribute.getKey(), MAX_ATTRIBUTE_KEY_LENGTH);
            checkText("attributes", attribute.getValue(), MAX_ATTRIBUTE_VALUE_LENGTH);
        }
    }

    /** Builds a {@link TokenIssuer}. Not thread-safe. Setters check their argument at once. */
    public static final class Builder {
        private final LiveKitCredentials credentials;
        private RoleGrantPolicy policy = RoleGrantPolicy.standard();
        private Duration defaultTtl = Duration.ofHours(2);
        private Duration maxTtl = Duration.ofHours(6);
        private Duration gracePeriod = Duration.ofSeconds(60);
        private List<String> reservedPrefixes = List.of("ai-", "agent-");

        private Builder(LiveKitCredentials credentials) {
            this.credentials = credentials;
        }

        /** Which roles exist and what they may do (default {@link RoleGrantPolicy#standard()}). */
        public Builder roleGrantPolicy(RoleGrantPolicy policy) {
            this.policy = Require.nonNull(policy, "policy");
            return this;
        }

        /** TTL of tokens whose request names none (default 2 h). */
        public Builder defaultTtl(Duration defaultTtl) {
            this.defaultTtl = Require.positive(defaultTtl, "defaultTtl");
            return this;
        }

        /** Longest TTL a request may ask for (default 6 h). */
        public Builder maxTtl(Duration maxTtl) {
            this.maxTtl = Require.positive(maxTtl, "maxTtl");
            return this;
        }

        /** The engine's grace period, which the room configuration's timeouts must cover (default 60 s). */
        public Builder gracePeriod(Duration gracePeriod) {
            this.gracePeriod = Require.nonNegative(gracePeriod, "gracePeriod");
            return this;
        }

        /**
         * Identity prefixes no token is minted for (default {@code ai-} and {@code agent-}: the engine names its
         * agents {@code ai-agent-...}, LiveKit names dispatched agents {@code agent-...}). They must cover the
         * engine's {@code agentIdentityPrefix}; {@code AgentLifecycleApi} checks that when it is built.
         */
        public Builder reservedIdentityPrefixes(List<String> prefixes) {
            Require.nonNull(prefixes, "reservedIdentityPrefixes");
            for (String prefix : prefixes) {
                Require.name(prefix, "reservedIdentityPrefixes element");
            }
            this.reservedPrefixes = List.copyOf(prefixes);
            return this;
        }

        /**
         * Builds the issuer.
         *
         * @throws IllegalArgumentException if {@code defaultTtl > maxTtl}
         */
        public TokenIssuer build() {
            if (defaultTtl.compareTo(maxTtl) > 0) {
                throw new IllegalArgumentException("defaultTtl must be <= maxTtl");
            }
            return new TokenIssuer(this);
        }
    }
}
