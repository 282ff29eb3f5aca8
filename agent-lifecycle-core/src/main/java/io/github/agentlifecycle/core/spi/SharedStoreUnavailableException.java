package io.github.agentlifecycle.core.spi;

/**
 * The {@link SharedRoomStore} could not be reached or did not answer in time. Nothing was changed by the call
 * that throws it; trying again later may succeed. Its message says what failed, never with a secret.
 */
public class SharedStoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With a message saying what failed. */
    public SharedStoreUnavailableException(String message) {
        super(message);
    }

    /** With a message saying what failed and the underlying cause. */
    public SharedStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
