package io.github.agentlifecycle.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A signed webhook request generated with LiveKit's own packages, read from the class path ({@code
 * /livekit-webhooks/*.json} in the agent-lifecycle-livekit test jar).
 *
 * @param name the fixture's case name, for example {@code participant_joined_standard}
 * @param authorization the exact {@code Authorization} header, or null when the request has none
 * @param body the exact body bytes
 * @param rejection the reason a correct receiver rejects it (a {@code WebhookException.Reason} name), or null
 */
record WebhookFixture(String name, @Nullable String authorization, byte[] body, @Nullable String rejection) {
    /** The credentials every fixture is signed with. */
    static final LiveKitCredentials CREDENTIALS =
            new LiveKitCredentials("APIinteropKey", "interop-secret-0123456789abcdef0123456789");
    private static final String DIRECTORY = "/livekit-webhooks";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether a correct receiver rejects it. */
    boolean rejected() {
        return rejection != null;
    }

    @Override
    public String toString() {
        return name;
    }

    /** The fixture named {@code name}. */
    static WebhookFixture named(String name) {
        try (InputStream in = WebhookFixture.class.getResourceAsStream(DIRECTORY + "/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no webhook fixture " + name + " on the class path");
            }
            return parse(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every fixture, by name; works whether the fixtures are a directory or inside a jar. */
    static List<WebhookFixture> all() {
        URL directory = WebhookFixture.class.getResource(DIRECTORY);
        if (directory == null) {
            throw new IllegalStateException("webhook fixtures are not on the class path");
        }
        try {
            URI uri = directory.toURI();
            if (uri.getScheme().equals("jar")) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    return list(jar.getPath(DIRECTORY));
                }
            }
            return list(Path.of(uri));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<WebhookFixture> list(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(file -> file.endsWith(".json"))
                    .sorted()
                    .map(file -> named(file.substring(0, file.length() - ".json".length())))
                    .collect(Collectors.toList());
        }
    }

    private static WebhookFixture parse(JsonNode node) {
        String authorization = node.get("authorization").asText();
        JsonNode reject = node.get("expect").get("reject");
        return new WebhookFixture(node.get("case").asText(), authorization.isEmpty() ? null : authorization,
                node.get("body").asText().getBytes(StandardCharsets.UTF_8), reject == null ? null : reject.asText());
    }
}
