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
public final class WebhookSigner {
    /** How long a signature is valid by default, like LiveKit's. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(5);

    private final LiveKitCredentials credentials;
    private final Algorithm algorithm;
    private final Clock clock;
    private final Duration validity;

    /**
     * Signs with {@code credentials}, each signature valid from {@code clock}'s now for {@code validity}. A negative
     * {@code validity} makes tokens that have expired when they are made, which a verifier still accepts within its
     * clock leeway (the expiry is written in whole seconds, rounded down).
     */
    public WebhookSigner(LiveKitCredentials credentials, Clock clock, Duration validity) {
        this.credentials = credentials;
        this.algorithm = Algorithm.HMAC256(credentials.apiSecret());
        this.clock = clock;
        this.validity = validity;
    }

    /** Signs with {@code credentials}, each signature valid for {@link #DEFAULT_VALIDITY}. */
    public WebhookSigner(LiveKitCredentials credentials, Clock clock) {
        this(credentials, clock, DEFAULT_VALIDITY);
    }

    /** The {@code Authorization} header value for {@code body}. */
    public String authorization(byte[] body) {
        Instant now = clock.instant();
        return JWT.create()
                .withIssuer(credentials.apiKey())
                .withNotBefore(now)
                .withExpiresAt(now.plus(validity))
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
