package io.github.agentlifecycle.http;

import java.util.Map;

/**
 * The largest request bodies the API reads: {@code webhook} bytes for the webhook route at {@code webhookPath},
 * {@code general} bytes for every other route. Immutable.
 */
record BodyLimits(String webhookPath, int general, int webhook) {

    /** The limit for a request to {@code path}. */
    int max(String path) {
        return path.equals(webhookPath) ? webhook : general;
    }

    /** The 413 answer for a body over the limit of {@code path}; it closes the connection. */
    ApiResponse tooLarge(String path) {
        return new ApiError(413, "payload_too_large", "request body is larger than " + max(path) + " bytes",
                Map.of("Connection", "close")).response();
    }
}
