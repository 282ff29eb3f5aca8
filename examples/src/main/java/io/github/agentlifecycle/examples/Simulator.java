package io.github.agentlifecycle.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Plays one room's whole lifecycle against a running server, with webhooks signed like LiveKit signs them: a token
 * request, the human joining, the agent joining, the human leaving, rejoining within the grace period and leaving
 * again, and the grace period running out. Prints each step with what the server reports.
 */
final class Simulator {
    private static final Duration READY_WAIT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long one request to the server may take before the simulation gives up on it. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String base;
    private final String adminToken;
    private final WebhookSigner signer;
    private final PrintStream out;
    private final String room;
    private final WebhookEvents events;
    private int step;

    private Simulator(ExampleConfig config, String room, PrintStream out) {
        this.base = config.apiUrl();
        this.adminToken = config.adminToken();
        this.signer = new WebhookSigner(config.credentials(), Clock.systemUTC());
        this.out = out;
        this.room = room;
        this.events = new WebhookEvents(room, Clock.systemUTC());
    }

    static int run(String[] args, Map<String, String> env, PrintStream out) throws InterruptedException {
        ExampleConfig config;
        try {
            config = ExampleConfig.fromEnvironment(env, List::of);
        } catch (ExampleConfigException e) {
            System.err.println("simulate: " + e.getMessage());
            return 2;
        }
        if (config.adminTokenGenerated()) {
            System.err.println("simulate: ADMIN_TOKEN: must be set to the server's admin token (it printed it at"
                    + " start) so the room can be inspected");
            return 2;
        }
        return play(config, args.length > 0 ? args[0] : randomRoomName(), out);
    }

    /** Plays the lifecycle of {@code room} against the server {@code config} describes; 0 when it went as expected. */
    static int play(ExampleConfig config, String room, PrintStream out) throws InterruptedException {
        try {
            new Simulator(config, room, out).play();
            return 0;
        } catch (ConnectException e) {
            System.err.println("simulate: cannot reach the server at " + config.apiUrl() + "; is it running?");
        } catch (IOException | SimulationException e) {
            System.err.println("simulate: " + e.getMessage());
        }
        return 1;
    }

    static String randomRoomName() {
        byte[] suffix = new byte[3];
        new SecureRandom().nextBytes(suffix);
        return "demo-" + HexFormat.of().formatHex(suffix);
    }

    private void play() throws IOException, InterruptedException {
        out.println("Simulating room " + room + " against " + base);
        JsonNode token = post("/token", json.writeValueAsBytes(Map.of("roomName", room,
                "participantName", "Alice", "participantIdentity", "alice", "role", "client")));
        print("alice asks for a token", "agent " + token.path("agent").path("status").asText());
        JsonNode ready = awaitAgentReady();
        String agentIdentity = ready.path("agentIdentity").asText();
        long agentPid = ready.path("agentPid").asLong(-1);

        webhook("LiveKit: room started", events.roomStarted());
        String firstSession = events.newSessionId();
        webhook("LiveKit: alice joined", events.participantJoined(firstSession, "alice", "STANDARD"));
        webhook("LiveKit: the agent joined",
                events.participantJoined(events.newSessionId(), agentIdentity, "AGENT"));
        webhook("LiveKit: alice left", events.participantLeft(firstSession, "alice", "STANDARD"));
        String secondSession = events.newSessionId();
        JsonNode back = webhook("LiveKit: alice rejoined within the grace period",
                events.participantJoined(secondSession, "alice", "STANDARD"));
        if (back.path("agentPid").asLong(-1) != agentPid) {
            throw new SimulationException("the agent changed while alice was away; expected it to stay");
        }
        out.println("     (same agent process, pid " + agentPid + ")");
        JsonNode grace = webhook("LiveKit: alice left again",
                events.participantLeft(secondSession, "alice", "STANDARD"));
        awaitRoomGone(grace.path("graceRemaining").asLong(0), agentPid);
        out.println("Done: the room went through its whole lifecycle.");
    }

    private JsonNode awaitAgentReady() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(READY_WAIT);
        JsonNode room = roomView().orElseThrow(() -> new SimulationException("the server did not create the room"));
        while (!room.path("agentState").asText().equals("ready") && Instant.now().isBefore(deadline)) {
            Thread.sleep(POLL.toMillis());
            room = roomView().orElseThrow(() -> new SimulationException("the room disappeared"));
        }
        boolean ready = room.path("agentState").asText().equals("ready");
        print(ready ? "the agent reported its first heartbeat" : "the agent is not ready yet; going on", room);
        return room;
    }

    private void awaitRoomGone(long graceMillis, long agentPid) throws IOException, InterruptedException {
        out.printf("     waiting for the grace period (%.1f s left)...%n", graceMillis / 1000.0);
        Instant deadline = Instant.now().plusMillis(graceMillis).plus(Duration.ofSeconds(60));
        Optional<JsonNode> room = roomView();
        while (room.isPresent()) {
            if (Instant.now().isAfter(deadline)) {
                throw new SimulationException("the room is still there long after its grace period: " + room.get());
            }
            Thread.sleep(POLL.toMillis());
            room = roomView();
        }
        boolean alive = agentPid > 0 && ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false);
        print("the grace period expired", "room closed and forgotten"
                + (agentPid > 0 ? (alive ? "; agent process " + agentPid + " is still exiting"
                        : "; agent process " + agentPid + " has exited") : ""));
    }

    private JsonNode webhook(String what, byte[] body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/webhook")).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/webhook+json")
                .header("Authorization", signer.authorization(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        JsonNode reply = send(request, 200);
        JsonNode room = roomView().orElse(null);
        print(what, "webhook " + reply.path("outcome").asText(), room);
        return room == null ? json.createObjectNode() : room;
    }

    private Optional<JsonNode> roomView() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/rooms/"
                + URLEncoder.encode(room, StandardCharsets.UTF_8).replace("+", "%20"))).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + adminToken).GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(data(request, response, 200));
    }

    private JsonNode post(String path, byte[] body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), 200);
    }

    private JsonNode send(HttpRequest request, int expected) throws IOException, InterruptedException {
        return data(request, http.send(request, HttpResponse.BodyHandlers.ofByteArray()), expected);
    }

    private JsonNode data(HttpRequest request, HttpResponse<byte[]> response, int expected) throws IOException {
        if (response.statusCode() != expected) {
            throw new SimulationException(request.method() + " " + request.uri().getPath() + " answered HTTP "
                    + response.statusCode() + ": " + new String(response.body(), StandardCharsets.UTF_8));
        }
        return json.readTree(response.body()).path("data");
    }

    private void print(String what, JsonNode room) {
        print(what, null, room);
    }

    private void print(String what, String result) {
        print(what, result, null);
    }

    private void print(String what, @Nullable String result, @Nullable JsonNode room) {
        step++;
        out.printf("%2d. %-48s %s%n", step, what, result == null ? "" : result);
        if (room != null) {
            out.println("     " + describe(room));
        }
        out.flush();
    }

    static String describe(JsonNode room) {
        StringBuilder line = new StringBuilder("room ").append(room.path("roomName").asText()).append(": ")
                .append(room.path("state").asText()).append(", ")
                .append(room.path("humanCount").asInt()).append(" human(s), ")
                .append(room.path("participantCount").asInt()).append(" participant(s), agent ")
                .append(room.path("agentState").asText());
        if (room.hasNonNull("agentPid")) {
            line.append(" (pid ").append(room.path("agentPid").asLong()).append(")");
        }
        if (room.hasNonNull("graceRemaining")) {
            line.append(String.format(", grace period %.1f s left", room.path("graceRemaining").asLong() / 1000.0));
        }
        return line.toString();
    }

    /** The server answered something the lifecycle does not allow. */
    private static final class SimulationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulationException(String message) {
            super(message);
        }
    }
}
