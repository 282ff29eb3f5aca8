package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.Require;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request, independent of any server: method, path (without query string), headers and body bytes.
 * Immutable.
 *
 * @param method the method, for example {@code POST}
 * @param path the request path, for example {@code /api/livekit/token}
 * @param headers the headers; names are matched ignoring case
 * @param body the body bytes (empty when none)
 */
public record ApiRequest(String method, String path, Map<String, List<String>> headers, byte[] body) {

    /** Copies the headers into a case-insensitive map. */
    public ApiRequest {
        Require.nonNull(method, "method");
        Require.nonNull(path, "path");
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((name, values) -> {
                if (name != null && values != null) {
                    copy.put(name, List.copyOf(values));
                }
            });
        }
        headers = copy;
        body = body == null ? new byte[0] : body;
        method = method.toUpperCase(Locale.ROOT);
    }

    /** The first value of header {@code name}, or null. */
    public @Nullable String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
