package io.github.agentlifecycle.livekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tokens minted here, verified by LiveKit's own {@code TokenVerifier} (livekit-server-sdk, through Node). Needs
 * {@code node} on the PATH and {@code npm ci} run in {@code src/test/node} (CI does both).
 */
class TokenInteropTest {
    private static final Path NODE_PROJECT = Path.of("src", "test", "node");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LiveKitCredentials CREDENTIALS =
            new LiveKitCredentials("APIjavaKey", "java-secret-0123456789abcdef0123456789");

    @Test
    void liveKitAcceptsClientAndCoachTokens() throws Exception {
        TokenIssuer issuer = TokenIssuer.builder(CREDENTIALS).gracePeriod(Duration.ofSeconds(75)).build();
        JsonNode client = verifyWithLiveKit(issuer.mint(new TokenRequest("room-interop", "client-alice", "Alice",
                "client", null, "{\"k\":1}", Map.of("team", "blue"))).jwt(), CREDENTIALS);
        assertThat(client.get("sub").asText()).isEqualTo("client-alice");
        assertThat(client.get("name").asText()).isEqualTo("Alice");
        assertThat(client.get("metadata").asText()).isEqualTo("{\"k\":1}");
        assertThat(client.get("attributes").get("team").asText()).isEqualTo("blue");
        JsonNode video = client.get("video");
        assertThat(video.get("room").asText()).isEqualTo("room-interop");
        assertThat(video.get("roomJoin").asBoolean()).isTrue();
        assertThat(video.get("canPublish").asBoolean()).isTrue();
        assertThat(video.get("canSubscribe").asBoolean()).isTrue();
        assertThat(video.get("canPublishData").asBoolean()).isTrue();
        assertThat(video.has("roomAdmin")).isFalse();
        assertThat(client.get("roomConfig").get("departure_timeout").asInt()).isEqualTo(75);
        assertThat(client.get("exp").asLong() - Instant.now().getEpochSecond()).isBetween(2 * 3600L - 60, 2 * 3600L);

        JsonNode coach = verifyWithLiveKit(issuer.mint(TokenRequest.of("room-interop", "coach-bob", null, "coach"))
                .jwt(), CREDENTIALS);
        assertThat(coach.get("video").get("roomAdmin").asBoolean()).isTrue();
    }

    @Test
    void liveKitRejectsATokenSignedWithAnotherSecret() throws Exception {
        String token = TokenIssuer.builder(new LiveKitCredentials("APIjavaKey", "some-other-secret-0123456789abcdef"))
                .build().mint(TokenRequest.of("r", "c", null, "client")).jwt();
        assertThat(runVerifier(token, CREDENTIALS).exitCode).isEqualTo(1);
    }

    private static JsonNode verifyWithLiveKit(String token, LiveKitCredentials credentials) throws Exception {
        Result result = runVerifier(token, credentials);
        assertThat(result.exitCode).as("LiveKit TokenVerifier: " + result.stderr).isZero();
        return JSON.readTree(result.stdout);
    }

    private record Result(int exitCode, String stdout, String stderr) {}

    private static Result runVerifier(String token, LiveKitCredentials credentials) throws Exception {
        assumeTrue(Files.isDirectory(NODE_PROJECT.resolve("node_modules")),
                "run `npm ci` in src/test/node to enable the LiveKit interop test");
        Process node;
        try {
            node = new ProcessBuilder("node", "verify-token.mjs").directory(NODE_PROJECT.toFile()).start();
        } catch (IOException noNode) {
            assumeTrue(false, "node is not on the PATH");
            throw noNode;
        }
        try {
            String input = JSON.writeValueAsString(Map.of("token", token, "apiKey", credentials.apiKey(),
                    "apiSecret", credentials.apiSecret()));
            node.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            node.getOutputStream().close();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
            return new Result(node.exitValue(), new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            node.destroyForcibly();
        }
    }
}
