package io.github.agentlifecycle.livekit.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Signs webhook bodies for tests the way a LiveKit server does, with {@link WebhookFixture#CREDENTIALS}: the
 * {@code Authorization} header is an HS256 JWT issued by the API key, carrying the base64 SHA-256 of the exact body in
 * its {@code sha256} claim. Tokens that are wrong on purpose (another algorithm, a claim missing) are built by the
 * tests that need them.
 */
public final class WebhookSigner {
    /** How long a signature of {@link #authorization(byte[])} is valid, like LiveKit's. */
    public static final Duration VALIDITY = Duration.ofMinutes(5);

    private WebhookSigner() {}

    /** The {@code Authorization} header for {@code body}, valid from a second ago for {@link #VALIDITY}. */
    public static String authorization(byte[] body) {
        Instant now = Instant.now();
        return authorization(body, now.minusSeconds(1), now.plus(VALIDITY));
    }

    /** The {@code Authorization} header for {@code body}, valid from {@code notBefore} until {@code expiresAt}. */
    public static String authorization(byte[] body, Instant notBefore, Instant expiresAt) {
        return JWT.create()
                .withIssuer(WebhookFixture.CREDENTIALS.apiKey())
                .withNotBefore(notBefore)
                .withExpiresAt(expiresAt)
                .withClaim("sha256", Base64.getEncoder().encodeToString(sha256(body)))
                .sign(Algorithm.HMAC256(WebhookFixture.CREDENTIALS.apiSecret()));
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
