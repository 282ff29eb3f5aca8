package io.github.agentlifecycle.livekit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import io.github.agentlifecycle.livekit.WebhookException;
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
 * A signed webhook request generated with LiveKit's own npm packages by {@code src/test/node/generate-webhooks.mjs},
 * read from the class path ({@code /livekit-webhooks/*.json}, in this module's test classes or its test jar).
 * {@link WebhookSigner} signs further requests the same way with the same {@link #CREDENTIALS}.
 *
 * @param name the fixture's case name, for example {@code participant_joined_standard}
 * @param authorization the exact {@code Authorization} header, or null when the request has none
 * @param body the exact body bytes
 * @param expect what a correct receiver reads ({@code event}, {@code id}, {@code room}, ...) or, under {@code
 *     reject}, why it rejects the request
 */
public record WebhookFixture(String name, @Nullable String authorization, byte[] body, JsonNode expect) {
    /** The credentials every fixture is signed with. */
    public static final LiveKitCredentials CREDENTIALS =
            new LiveKitCredentials("APIinteropKey", "interop-secret-0123456789abcdef0123456789");
    private static final String DIRECTORY = "/livekit-webhooks";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether a correct receiver rejects it. */
    public boolean rejected() {
        return expect.has("reject");
    }

    /** The name of the {@link WebhookException.Reason} a correct receiver rejects it for, or null. */
    public @Nullable String rejection() {
        return rejected() ? expect.get("reject").asText() : null;
    }

    /** The reason a correct receiver rejects it for; only for a {@link #rejected()} fixture. */
    public WebhookException.Reason reason() {
        if (!rejected()) {
            throw new IllegalStateException(name + " is not rejected");
        }
        return WebhookException.Reason.valueOf(expect.get("reject").asText());
    }

    @Override
    public String toString() {
        return name;
    }

    /** The fixture named {@code name}. */
    public static WebhookFixture named(String name) {
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
    public static List<WebhookFixture> all() {
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
        return new WebhookFixture(node.get("case").asText(), authorization.isEmpty() ? null : authorization,
                node.get("body").asText().getBytes(StandardCharsets.UTF_8), node.get("expect"));
    }
}
