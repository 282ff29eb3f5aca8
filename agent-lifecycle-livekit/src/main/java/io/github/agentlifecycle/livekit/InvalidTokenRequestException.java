package io.github.agentlifecycle.livekit;

/** A token request field is missing or invalid; {@link #field()} names it. */
public final class InvalidTokenRequestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /** A failure of {@code field}; the message must say what is wrong with it. */
    public InvalidTokenRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The name of the offending field, as in the HTTP API's JSON (for example {@code participantIdentity}). */
    public String field() {
        return field;
    }
}
