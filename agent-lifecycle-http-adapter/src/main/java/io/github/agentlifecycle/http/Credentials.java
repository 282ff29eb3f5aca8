package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.AgentManager;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/**
 * Who a request speaks for: the admin ({@code Authorization: Bearer <admin token>}, compared in constant time as
 * SHA-256 digests, so that neither the content nor the length of the token leaks through timing) or an agent (the
 * credential it was given at launch, which the engine checks). Holds only the admin token's digest. Immutable and
 * thread-safe.
 */
final class Credentials {
    private static final String BEARER = "Bearer ";

    private final byte[] adminTokenDigest;

    Credentials(String adminToken) {
        this.adminTokenDigest = sha256(adminToken);
    }

    /** Whether {@code request} carries the admin token. */
    boolean isAdmin(ApiRequest request) {
        String presented = bearer(request);
        return presented != null && MessageDigest.isEqual(adminTokenDigest, sha256(presented));
    }

    /** Throws 401 when {@code request} carries no bearer credential, 403 when it is not the admin token. */
    void requireAdmin(ApiRequest request) {
        if (bearer(request) == null) {
            throw new ApiError(401, "unauthorized", "admin credential required");
        }
        if (!isAdmin(request)) {
            throw new ApiError(403, "forbidden", "wrong admin credential");
        }
    }

    /** The bearer credential of {@code request}, which an agent must present; 401 when there is none. */
    static String agentCredential(ApiRequest request) {
        String credential = bearer(request);
        if (credential == null) {
            throw new ApiError(401, "unauthorized", "agent credential required");
        }
        return credential;
    }

    /** Throws 401 unless {@code credential} is the one {@code manager} gave agent {@code identity} of {@code room}. */
    static void requireAgent(AgentManager manager, String room, String identity, String credential) {
        if (!manager.verifyAgentCredential(room, identity, credential)) {
            throw new ApiError(401, "unauthorized", "unknown agent or wrong credential");
        }
    }

    private static @Nullable String bearer(ApiRequest request) {
        String header = request.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String value = header.substring(BEARER.length()).strip();
        return value.isEmpty() ? null : value;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
