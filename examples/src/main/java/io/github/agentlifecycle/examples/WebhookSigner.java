package io.github.agentlifecycle.examples;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Signs webhook bodies the way a LiveKit server does: the {@code Authorization} header is a JWT signed with the
 * API secret, issued by the API key, carrying the base64 SHA-256 of the exact body in its {@code sha256} claim.
 * Thread-safe.
 */
final class WebhookSigner {
    private static final Duration VALIDITY = Duration.ofMinutes(5);

    private final LiveKitCredentials credentials;
    private final Algorithm algorithm;
    private final Clock clock;

    WebhookSigner(LiveKitCredentials credentials, Clock clock) {
        this.credentials = credentials;
        this.algorithm = Algorithm.HMAC256(credentials.apiSecret());
        this.clock = clock;
    }

    /** The {@code Authorization} header value for {@code body}. */
    String authorization(byte[] body) {
        Instant now = clock.instant();
        return JWT.create()
                .withIssuer(credentials.apiKey())
                .withNotBefore(now)
                .withExpiresAt(now.plus(VALIDITY))
                .withClaim("sha256", Base64.getEncoder().encodeToString(sha256(body)))
                .sign(algorithm);
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
