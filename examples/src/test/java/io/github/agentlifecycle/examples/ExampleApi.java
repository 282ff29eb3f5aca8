package io.github.agentlifecycle.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The example server's HTTP API as a test drives it: tokens, signed webhooks and admin calls. */
final class ExampleApi {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String base;
    private final String adminToken;
    private final WebhookSigner signer;

    ExampleApi(int port, String adminToken, LiveKitCredentials credentials) {
        this.base = "http://127.0.0.1:" + port + "/api/livekit";
        this.adminToken = adminToken;
        this.signer = new WebhookSigner(credentials, Clock.systemUTC());
    }

    /** {@code POST /token} for a client; the answer's {@code data}. */
    JsonNode token(String room, String identity) {
        return ok(tokenResponse(room, identity));
    }

    /** {@code POST /token} for a client, answered as it was. */
    HttpResponse<byte[]> tokenResponse(String room, String identity) {
        return send(HttpRequest.newBuilder(URI.create(base + "/token")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(Map.of("roomName", room, "participantName",
                        identity, "participantIdentity", identity, "role", "client")))));
    }

    /** {@code GET} of an open route such as {@code /health/ready}, answered as it was. */
    HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** The JSON body of an answer. */
    JsonNode body(HttpResponse<byte[]> response) {
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code POST /webhook} with a body signed like LiveKit signs it; the answer's {@code data}. */
    JsonNode webhook(byte[] body) {
        return ok(send(HttpRequest.newBuilder(URI.create(base + "/webhook"))
                .header("Content-Type", "application/webhook+json").header("Authorization", signer.authorization(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))));
    }

    /** {@code GET /rooms/{room}}, or empty once the server has forgotten the room. */
    Optional<JsonNode> room(String room) {
        HttpResponse<byte[]> response = send(admin("/rooms/" + room).GET());
        return response.statusCode() == 404 ? Optional.empty() : Optional.of(ok(response));
    }

    JsonNode stats() {
        return ok(send(admin("/stats").GET()));
    }

    JsonNode close(String room) {
        return ok(send(admin("/rooms/" + room + "/close").POST(HttpRequest.BodyPublishers.noBody())));
    }

    /** The room's agent pid, waiting until the agent has one. */
    long awaitAgentPid(String room) {
        Poll.until(Duration.ofSeconds(20), () -> room(room).map(r -> r.path("agentPid").isNumber()).orElse(false),
                () -> "room " + room + " has no agent pid: " + room(room));
        return room(room).orElseThrow().path("agentPid").asLong();
    }

    private HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + adminToken);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode ok(HttpResponse<byte[]> response) {
        try {
            JsonNode body = json.readTree(response.body());
            if (response.statusCode() != 200) {
                throw new AssertionError(response.request().method() + " " + response.uri() + " answered "
                        + response.statusCode() + ": " + body);
            }
            return body.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] bytes(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
