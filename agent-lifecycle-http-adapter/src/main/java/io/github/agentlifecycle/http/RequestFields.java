package io.github.agentlifecycle.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.github.agentlifecycle.core.Require;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads what a request carries (its content type, its JSON body's fields, a room name in its path) and throws
 * {@link ApiError} naming the field when it is missing or breaks the name rule of {@link Require}.
 */
final class RequestFields {
    static final String JSON_TYPE = "application/json";

    private RequestFields() {}

    /** Requires the media type of {@code Content-Type}, parameters and case aside, to be one of {@code accepted}. */
    static void requireContentType(ApiRequest request, String... accepted) {
        String header = request.header("Content-Type");
        String type = header == null ? "" : header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        for (String candidate : accepted) {
            if (candidate.equals(type)) {
                return;
            }
        }
        throw new ApiError(415, "unsupported_media_type", "Content-Type must be " + String.join(" or ", accepted));
    }

    /** The body as a JSON object. */
    static JsonNode jsonObject(ApiRequest request) {
        JsonNode node;
        try {
            node = ApiJson.read(request.body());
        } catch (IOException e) {
            throw new ApiError(400, "malformed_json", "request body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "malformed_json", "request body must be a JSON object");
        }
        return node;
    }

    /** The string {@code field} of {@code body}, or null when it is absent or null. */
    static @Nullable String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.invalid(field, field + " must be a string");
        }
        return value.asText();
    }

    /** The string {@code field} of {@code body}, which must be present and a name. */
    static String name(JsonNode body, String field) {
        String value = text(body, field);
        if (value == null || value.isBlank()) {
            throw ApiError.invalid(field, field + " is required");
        }
        return name(field, value);
    }

    /** The room name in the path segment {@code segment}, percent-decoded ({@code +} stays a plus sign). */
    static String roomNameInPath(String segment) {
        String name;
        try {
            name = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            throw ApiError.invalid("roomName", malformed.getMessage() == null ? "invalid room name"
                    : malformed.getMessage());
        }
        return name("roomName", name);
    }

    /** The {@code attributes} object of {@code body}, whose values must be strings; empty when absent or null. */
    static Map<String, String> attributes(JsonNode body) {
        JsonNode value = body.get("attributes");
        if (value == null || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw ApiError.invalid("attributes", "attributes must be an object of strings");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            if (field.getValue().getNodeType() != JsonNodeType.STRING) {
                throw ApiError.invalid("attributes", "attributes must be an object of strings");
            }
            attributes.put(field.getKey(), field.getValue().asText());
        }
        return attributes;
    }

    private static String name(String field, String value) {
        String problem = Require.nameProblem(value, Require.MAX_NAME_LENGTH);
        if (problem != null) {
            throw ApiError.invalid(field, field + " " + problem);
        }
        return value;
    }
}
