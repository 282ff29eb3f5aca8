package io.github.agentlifecycle.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Sends requests to an {@link ApiServer} with {@link HttpClient} (HTTP/1.1) and checks every answer for leaked
 * secrets: no response body or header may contain any of the strings the secrets supplier names at that moment.
 */
final class HttpCalls {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final ApiServer server;
    private final Supplier<List<String>> secrets;

    HttpCalls(ApiServer server, Supplier<List<String>> secrets) {
        this.server = server;
        this.secrets = secrets;
    }

    /** The shared client (HTTP/1.1, no redirects). */
    static HttpClient client() {
        return CLIENT;
    }

    /** A request to {@code path} (encoded, relative to the server's root or servlet context). */
    Call call(String method, String path) {
        return new Call(method, path);
    }

    Call get(String path) {
        return call("GET", path);
    }

    Call post(String path) {
        return call("POST", path);
    }

    /** The JSON of {@code value}, as bytes. */
    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** One request being put together. */
    final class Call {
        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] body = new byte[0];
        private boolean chunked;

        private Call(String method, String path) {
            this.method = method;
            this.path = path;
        }

        Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Call contentType(String value) {
            return header("Content-Type", value);
        }

        Call bearer(String token) {
            return header("Authorization", "Bearer " + token);
        }

        Call admin() {
            return bearer(TestEngine.ADMIN_TOKEN);
        }

        Call body(byte[] bytes) {
            body = bytes;
            return this;
        }

        Call body(String text) {
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        /** {@code value} as a JSON body with {@code Content-Type: application/json}. */
        Call json(Object value) {
            return contentType("application/json").body(HttpCalls.json(value));
        }

        /** Sends the body without a length, in chunks. */
        Call chunked() {
            chunked = true;
            return this;
        }

        Reply send() {
            HttpRequest.BodyPublisher publisher;
            if (chunked) {
                byte[] bytes = body;
                publisher = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
            } else if (body.length == 0) {
                publisher = HttpRequest.BodyPublishers.noBody();
            } else {
                publisher = HttpRequest.BodyPublishers.ofByteArray(body);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path))
                    .timeout(Duration.ofSeconds(20))
                    .method(method, publisher);
            headers.forEach(request::header);
            HttpResponse<byte[]> response;
            try {
                response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(method + " " + path + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Reply reply = new Reply(method, path, response.statusCode(), response.headers(), response.body());
            reply.assertRevealsNone(secrets.get());
            return reply;
        }
    }

    /** An answer. */
    record Reply(String method, String path, int status, HttpHeaders headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body as JSON; fails the test if it is not JSON. */
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(this + " is not JSON: " + text(), e);
            }
        }

        /** {@code data} of a success envelope. */
        JsonNode data() {
            return json().get("data");
        }

        /** {@code error.code} of an error envelope. */
        String errorCode() {
            return json().path("error").path("code").asText();
        }

        /** {@code error.message} of an error envelope. */
        String errorMessage() {
            return json().path("error").path("message").asText();
        }

        /** The first value of header {@code name}, or null. */
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        void assertRevealsNone(List<String> secrets) {
            String text = text();
            String headerText = headers.map().toString();
            for (int i = 0; i < secrets.size(); i++) {
                if (text.contains(secrets.get(i)) || headerText.contains(secrets.get(i))) {
                    throw new AssertionError(this + " reveals secret number " + i);
                }
            }
        }

        @Override
        public String toString() {
            return method + " " + path + " -> " + status;
        }
    }
}
