package io.github.agentlifecycle.livekit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The signed webhook requests in {@code src/test/resources/livekit-webhooks}, generated with LiveKit's own npm
 * packages by {@code src/test/node/generate-webhooks.mjs}.
 */
final class WebhookFixtures {
    static final LiveKitCredentials CREDENTIALS =
            new LiveKitCredentials("APIinteropKey", "interop-secret-0123456789abcdef0123456789");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One fixture: the exact header and body, and what a correct receiver reads or why it rejects. */
    record Fixture(String name, String authorization, byte[] body, JsonNode expect) {
        boolean rejected() {
            return expect.has("reject");
        }

        WebhookException.Reason rejection() {
            return WebhookException.Reason.valueOf(expect.get("reject").asText());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private WebhookFixtures() {}

    static List<Fixture> all() {
        try {
            URL directory = WebhookFixtures.class.getResource("/livekit-webhooks");
            try (Stream<Path> files = Files.list(Path.of(directory.toURI()))) {
                return files.filter(f -> f.toString().endsWith(".json")).sorted().map(WebhookFixtures::read)
                        .collect(Collectors.toList());
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("webhook fixtures missing", e);
        }
    }

    static Fixture named(String name) {
        try (InputStream in = WebhookFixtures.class.getResourceAsStream("/livekit-webhooks/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return parse(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Fixture read(Path file) {
        try {
            return parse(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Fixture parse(JsonNode node) {
        return new Fixture(node.get("case").asText(), node.get("authorization").asText(),
                node.get("body").asText().getBytes(StandardCharsets.UTF_8), node.get("expect"));
    }
}
