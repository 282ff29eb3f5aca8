package io.github.agentlifecycle.livekit;

/**
 * A webhook request was rejected. {@link #reason()} says why; the message adds detail but never a secret or the
 * token itself.
 */
public final class WebhookException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a webhook was rejected. */
    public enum Reason {
        /** No {@code Authorization} header. */
        MISSING_AUTHORIZATION,
        /** The header is not a JWT this server accepts: unreadable, wrong algorithm, wrong issuer, no expiry. */
        INVALID_TOKEN,
        /** The JWT's signature does not match the API secret. */
        BAD_SIGNATURE,
        /** The JWT has expired (beyond the clock leeway). */
        EXPIRED,
        /** The JWT is not valid yet (beyond the clock leeway). */
        NOT_YET_VALID,
        /** The body's SHA-256 differs from the JWT's {@code sha256} claim. */
        HASH_MISMATCH,
        /** The body is authentic but not a readable webhook event. */
        MALFORMED_BODY;

        /** Whether the request failed authentication (HTTP 401) rather than carrying a bad body (HTTP 400). */
        public boolean isAuthenticationFailure() {
            return this != MALFORMED_BODY;
        }
    }

    private final Reason reason;

    /** A rejection for {@code reason}. */
    public WebhookException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A rejection for {@code reason} caused by {@code cause}. */
    public WebhookException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the webhook was rejected. */
    public Reason reason() {
        return reason;
    }
}
