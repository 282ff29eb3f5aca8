package io.github.agentlifecycle.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The API's one {@link ObjectMapper}, which reads request bodies (nothing may follow the JSON value) and writes
 * every answer (enums in lower case by {@link LowerCaseEnums}, core records as {@link JsonMixIns} says), and the
 * success envelope {@code {"success":true,"data":...}}. Thread-safe.
 */
final class ApiJson {
    private static final ObjectMapper MAPPER = JsonMixIns.register(JsonMapper.builder())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(new LowerCaseEnums())
            .build();

    private ApiJson() {}

    /** {@code body} as a JSON tree, or null when it is empty. */
    static JsonNode read(byte[] body) throws IOException {
        return MAPPER.readTree(body);
    }

    /** A 200 answer carrying {@code data} in the success envelope. */
    static ApiResponse ok(Object data) {
        return response(200, new Success(true, data), Map.of());
    }

    /** An answer with {@code body} as JSON, the headers given, and the JSON type and {@code no-store}. */
    static ApiResponse response(int status, Object body, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/json; charset=utf-8");
        all.put("Cache-Control", "no-store");
        try {
            return new ApiResponse(status, all, MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }

    private record Success(boolean success, Object data) {}
}
