package io.github.agentlifecycle.http;

import java.util.Locale;
import java.util.Map;

/**
 * A request that gets an error answer: thrown wherever the request is found wanting, turned into the error envelope
 * {@code {"success":false,"error":{"code":...,"message":...}}} by {@link #response()}. The message goes to the
 * caller, so it never names a secret.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Map<String, String> headers;

    ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    ApiError(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    /** A 400 for the request field {@code field}, with code {@code invalid_<field in snake case>}. */
    static ApiError invalid(String field, String message) {
        return new ApiError(400, "invalid_" + snake(field), message);
    }

    /** The answer: the status, the error envelope and the headers given. */
    ApiResponse response() {
        return ApiJson.response(status, new Failure(false, new Problem(code, getMessage())), headers);
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private record Failure(boolean success, Problem error) {}

    private record Problem(String code, String message) {}
}
