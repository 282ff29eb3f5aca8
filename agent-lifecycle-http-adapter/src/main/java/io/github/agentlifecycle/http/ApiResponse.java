package io.github.agentlifecycle.http;

import java.util.Map;

/**
 * One HTTP response: status, headers (including {@code Content-Type}) and body. Immutable.
 *
 * @param status the status code
 * @param headers response headers
 * @param body the body bytes
 */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {
    /** Copies the headers. */
    public ApiResponse {
        headers = Map.copyOf(headers);
    }
}
