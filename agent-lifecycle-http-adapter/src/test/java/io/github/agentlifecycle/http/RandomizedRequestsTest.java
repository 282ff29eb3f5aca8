package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Generated requests to every route through every binding: methods, paths (valid routes, unknown ones,
 * percent-encoding, very long, dot and empty segments, outside the base path), headers (random and garbage
 * {@code Authorization} and {@code Content-Type}, extra headers), and bodies (random bytes, JSON of wrong shapes
 * and types, deep nesting, bodies around and far over the limits, signed webhooks, agent reports). About a third
 * of the requests start valid and get one thing broken, so that every route's checks are reached.
 *
 * <p>Every answer must be below 500 and reveal no secret; every answer the API itself gives (all paths under the
 * base path that the container passes on) must be the JSON envelope, an error envelope when not 2xx; and a
 * request that is not answered 2xx must leave the engine's rooms, totals and counters, and the launcher, exactly
 * as they were. Every request the API answers must get its answer, bodies far over the limit too; only a request
 * that Jetty refuses before the servlet sees it may find the connection closed, and so may the next one, which
 * the client may send on that connection. Such a request must still change nothing. The seed is fixed per
 * binding and printed with every failure.
 */
class RandomizedRequestsTest {
    private static final int REQUESTS = 400;
    private static final String BASE = ApiContract.BASE;
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
    private static final String[] ROUTES = {"/token", "/webhook", "/rooms", "/rooms/{room}", "/stats",
        "/rooms/{room}/close", "/gc", "/agent-report", "/health"};
    private static final String[] ROOMS = {"room-a", "room-b", "room-interop", "my room", "café", "a+b"};
    private static final String[] CONTENT_TYPES = {"application/json", "application/webhook+json",
        "application/json; charset=utf-8", "text/plain", "application/xml", "application/json, text/plain",
        "multipart/form-data; boundary=----x", "application/x-www-form-urlencoded", "*/*", ";", "application/",
        "application/json; charset=latin-1", "APPLICATION/WEBHOOK+JSON"};
    private static final String[] ODD_SUFFIXES = {"", "/", "//token", "/./token", "/../livekit/token", "/token/..",
        "/token/.", "/rooms//close", "/rooms/%2F/close", "/rooms/a%2Fb", "/%74oken", "/TOKEN", "/token;x=1",
        "/rooms/%00", "/rooms/%0A/close", "/rooms/%25", "/rooms/%C3%28", "/rooms/%FF%FE", "/token%20", "/token/",
        "/health/", "/rooms/room-a/close/", "/rooms/room-a/close/close", "/rooms/..%2Fstats", "/agent-report/x",
        "/webhook?sig=1", "/token?", "/%2e%2e/livekit/health", "/rooms/.", "/rooms/.."};
    private static final String[] OUTSIDE = {"/", "/x", "/api", "/api/", "/api/livekitx/token", "/api/LIVEKIT/health",
        "/api/livekit/../livekit2/token", "/apilivekit/token", "/%61pi/livekit/health"};
    private static final String[] WRONG_SHAPES = {"[]", "{}", "null", "true", "0", "-1.5e308", "\"text\"",
        "[{\"roomName\":\"room-a\"}]", "{\"roomName\":{\"$ne\":null}}", "{\"roomName\":[\"room-a\"]}",
        "{\"roomName\":null,\"participantIdentity\":null,\"role\":null}", "{\"event\":\"participant_joined\"}",
        "{\"roomName\":\"room-a\",\"agentIdentity\":\"agent\"}", "{\"roomName\":\"room-a\"", "{\"a\":1}}",
        "{\"roomName\":\"room-a\",\"roomName\":\"room-b\",\"participantIdentity\":\"p\",\"role\":\"client\"}",
        "{\"roomName\":\"\\u0000\",\"participantIdentity\":\"p\",\"role\":\"client\"}", "\uFEFF{}",
        "{\"attributes\":{\"k\":{\"nested\":true}},\"roomName\":\"r\",\"participantIdentity\":\"p\","
                + "\"role\":\"client\"}", "{\"roomName\":1e999999}", "{\"roomName\":\"\\ud800\"}"};
    private static final List<WebhookFixture> FIXTURES = WebhookFixture.all();

    private TestEngine engine;
    private ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @ParameterizedTest
    @EnumSource(ApiServer.Binding.class)
    void generatedRequestsNeverFailTheServerNorChangeStateWhenRejected(ApiServer.Binding binding) {
        long seed = 0x5EEDL * 31 + binding.ordinal();
        Random random = new Random(seed);
        engine = TestEngine.create(config -> config.maxTotalAgents(3).maxRooms(8));
        server = binding.start(engine.api);
        HttpCalls http = new HttpCalls(server, engine::secrets);
        int[] byStatusClass = new int[6];
        String previous = "none";
        boolean previousRefusedByTheContainer = false;

        for (int i = 0; i < REQUESTS; i++) {
            Request request = random.nextInt(3) == 0 ? broken(random, valid(random)) : arbitrary(random);
            TestEngine.State before = engine.state();
            String context = "seed " + seed + ", request " + i + ": " + request + " (after " + previous + ")";

            HttpCalls.Reply reply;
            try {
                reply = send(http, request);
            } catch (UncheckedIOException lost) {
                if (answeredByTheApi(binding, request.path()) && !previousRefusedByTheContainer) {
                    throw new AssertionError(context + " failed", lost);
                }
                previousRefusedByTheContainer = true;
                assertThat(engine.state()).as(context + " changed the engine").isEqualTo(before);
                previous = request + " -> " + lost.getCause();
                continue;
            }
            byStatusClass[reply.status() / 100]++;
            previousRefusedByTheContainer = !answeredByTheApi(binding, request.path());
            previous = request + " -> " + reply.status() + " " + reply.headers().map();

            if (answeredByTheApi(binding, request.path()) || reply.status() != 501) {
                assertThat(reply.status()).as(context + " -> " + reply.text()).isBetween(200, 499);
            }
            boolean success = reply.status() / 100 == 2;
            if (!success) {
                assertThat(engine.state()).as(context + " -> " + reply.status() + " changed the engine")
                        .isEqualTo(before);
            }
            if (!answeredByTheApi(binding, request.path())) {
                continue;
            }
            if (reply.status() == 405) {
                assertThat(reply.header("Allow")).as(context).isIn("GET", "POST");
            }
            if (!request.method().equals("HEAD")) {
                assertEnvelope(reply, success, context);
            }
        }
        assertThat(byStatusClass[2]).as("requests answered 2xx").isGreaterThan(REQUESTS / 20);
        assertThat(byStatusClass[4]).as("requests answered 4xx").isGreaterThan(REQUESTS / 2);
    }

    private static void assertEnvelope(HttpCalls.Reply reply, boolean success, String context) {
        String what = context + " -> " + reply.status() + " " + abbreviate(reply.text());
        assertThat(reply.header("Content-Type")).as(what).isNotNull();
        assertThat(reply.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT)).as(what)
                .isEqualTo("application/json;charset=utf-8");
        JsonNode json = reply.json();
        assertThat(json.path("success").isBoolean()).as(what).isTrue();
        assertThat(json.get("success").asBoolean()).as(what).isEqualTo(success);
        if (success) {
            assertThat(ApiContract.fieldNames(json)).as(what).containsExactly("success", "data");
        } else {
            assertThat(ApiContract.fieldNames(json)).as(what).containsExactly("success", "error");
            assertThat(json.get("error").path("code").isTextual()).as(what).isTrue();
            assertThat(json.get("error").path("code").asText()).as(what).matches("[a-z_]+");
            assertThat(json.get("error").path("message").isTextual()).as(what).isTrue();
            assertThat(json.get("error").path("message").asText()).as(what).doesNotContain("Exception", "\tat ");
        }
    }

    /**
     * Whether the API, not the container, answers {@code path}. The JDK server hands every path under the base
     * path to the API. Jetty itself answers paths outside the servlet's mapping, URIs longer than its header
     * buffer, and, with its default URI compliance, paths with dot or empty segments, parameters, encoded
     * slashes, percent signs, dots, backslashes or control characters, or percent-encoded bytes that are not UTF-8.
     */
    private static boolean answeredByTheApi(ApiServer.Binding binding, String path) {
        String raw = rawPath(path);
        if (binding == ApiServer.Binding.JDK_HTTP_SERVER) {
            return raw.startsWith(BASE);
        }
        if (!raw.equals(BASE) && !raw.startsWith(BASE + "/") || raw.length() > 4000) {
            return false;
        }
        if (raw.contains("//") || raw.contains("/./") || raw.contains("/../") || raw.endsWith("/.")
                || raw.endsWith("/..") || raw.contains(";")) {
            return false;
        }
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) == '%') {
                int b = Integer.parseInt(raw.substring(i + 1, i + 3), 16);
                if (b < 0x20 || b == 0x7F || b == '/' || b == '%' || b == '.' || b == '\\') {
                    return false;
                }
                decoded.write(b);
                i += 2;
            } else {
                decoded.write(raw.charAt(i));
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(decoded.toByteArray()));
            return true;
        } catch (CharacterCodingException notUtf8) {
            return false;
        }
    }

    /** The path without query string, as the API sees it. */
    private static String rawPath(String path) {
        return path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    }

    private static HttpCalls.Reply send(HttpCalls http, Request request) {
        HttpCalls.Call call = http.call(request.method(), request.path()).body(request.body());
        request.headers().forEach(call::header);
        if (request.chunked()) {
            call.chunked();
        }
        return call.send();
    }

    // ---- generators ---------------------------------------------------------------------------------------------

    /** One generated request. */
    record Request(String method, String path, Map<String, String> headers, byte[] body, boolean chunked) {
        Request with(String method, String path, Map<String, String> headers, byte[] body) {
            return new Request(method, path, headers, body, chunked);
        }

        @Override
        public String toString() {
            return method + " " + abbreviate(path) + " " + headers.keySet() + " body " + body.length + " bytes"
                    + (chunked ? " chunked" : "") + ": " + abbreviate(new String(body, StandardCharsets.UTF_8));
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** A request that the API would accept, for a random route. */
    private Request valid(Random random) {
        String route = ROUTES[random.nextInt(ROUTES.length)];
        String room = ROOMS[random.nextInt(ROOMS.length)];
        String path = BASE + route.replace("{room}", encode(room));
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = new byte[0];
        String method = "POST";
        switch (route) {
            case "/token" -> {
                headers.put("Content-Type", "application/json");
                String role = random.nextInt(4) == 0 ? "coach" : "client";
                if (role.equals("coach")) {
                    headers.put("Authorization", "Bearer " + TestEngine.ADMIN_TOKEN);
                }
                body = HttpCalls.json(ApiContract.tokenBody(room, "p-" + random.nextInt(1000), role));
            }
            case "/webhook" -> {
                WebhookFixture fixture = FIXTURES.get(random.nextInt(FIXTURES.size()));
                headers.put("Content-Type", "application/webhook+json");
                if (fixture.authorization() != null) {
                    headers.put("Authorization", fixture.authorization());
                }
                body = fixture.body();
            }
            case "/agent-report" -> {
                headers.put("Content-Type", "application/json");
                List<AgentSpec> specs = engine.launcher.launched();
                if (specs.isEmpty()) {
                    body = HttpCalls.json(Map.of("roomName", room, "agentIdentity", "ai-agent-x"));
                    headers.put("Authorization", "Bearer no-agent-yet");
                } else {
                    AgentSpec spec = specs.get(random.nextInt(specs.size()));
                    body = HttpCalls.json(Map.of("roomName", spec.roomName(), "agentIdentity", spec.agentIdentity()));
                    headers.put("Authorization", "Bearer " + spec.credential());
                }
            }
            case "/rooms", "/rooms/{room}", "/stats", "/health" -> {
                method = "GET";
                headers.put("Authorization", "Bearer " + TestEngine.ADMIN_TOKEN);
            }
            default -> headers.put("Authorization", "Bearer " + TestEngine.ADMIN_TOKEN);
        }
        return new Request(method, path, headers, body, random.nextInt(8) == 0);
    }

    /** {@code request} with one or two things changed, or unchanged now and then. */
    private Request broken(Random random, Request request) {
        int changes = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(2);
        for (int i = 0; i < changes; i++) {
            Map<String, String> headers = new LinkedHashMap<>(request.headers());
            request = switch (random.nextInt(6)) {
                case 0 -> request.with(method(random), request.path(), headers, request.body());
                case 1 -> request.with(request.method(), request.path() + ODD_SUFFIXES[random.nextInt(
                        ODD_SUFFIXES.length)], headers, request.body());
                case 2 -> {
                    headers.remove("Content-Type");
                    contentType(random, headers);
                    yield request.with(request.method(), request.path(), headers, request.body());
                }
                case 3 -> {
                    headers.remove("Authorization");
                    authorization(random, headers);
                    yield request.with(request.method(), request.path(), headers, request.body());
                }
                case 4 -> request.with(request.method(), request.path(), headers, mutate(random, request.body()));
                default -> request.with(request.method(), request.path(), headers, body(random));
            };
        }
        return request;
    }

    /** A request with every part generated independently. */
    private Request arbitrary(Random random) {
        Map<String, String> headers = new LinkedHashMap<>();
        authorization(random, headers);
        contentType(random, headers);
        for (int i = random.nextInt(4); i > 0; i--) {
            headers.put("X-Generated-" + i, garbage(random, 1 + random.nextInt(60)));
        }
        return new Request(method(random), path(random), headers, body(random), random.nextInt(8) == 0);
    }

    private static String method(Random random) {
        return random.nextInt(3) == 0 ? "POST" : METHODS[random.nextInt(METHODS.length)];
    }

    private static String path(Random random) {
        switch (random.nextInt(10)) {
            case 0, 1, 2, 3, 4 -> {
                return BASE + ROUTES[random.nextInt(ROUTES.length)].replace("{room}", roomSegment(random));
            }
            case 5, 6 -> {
                return BASE + ODD_SUFFIXES[random.nextInt(ODD_SUFFIXES.length)];
            }
            case 7 -> {
                return BASE + "/rooms/" + "r".repeat(200 + random.nextInt(random.nextBoolean() ? 100 : 12_000))
                        + (random.nextBoolean() ? "/close" : "");
            }
            case 8 -> {
                return OUTSIDE[random.nextInt(OUTSIDE.length)];
            }
            default -> {
                StringBuilder path = new StringBuilder(BASE);
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    path.append('/').append(encode(text(random, random.nextInt(20))));
                }
                return path.toString();
            }
        }
    }

    private static String roomSegment(Random random) {
        return switch (random.nextInt(8)) {
            case 0, 1 -> encode(ROOMS[random.nextInt(ROOMS.length)]);
            case 2 -> encode(text(random, 1 + random.nextInt(30)));
            case 3 -> encode(unicode(random, 1 + random.nextInt(20)));
            case 4 -> "";
            case 5 -> encode("x".repeat(250 + random.nextInt(20)));
            case 6 -> random.nextBoolean() ? "%20" : "%09";
            default -> "a+b";
        };
    }

    private static void authorization(Random random, Map<String, String> headers) {
        String value = switch (random.nextInt(9)) {
            case 0 -> null;
            case 1 -> "Bearer " + TestEngine.ADMIN_TOKEN;
            case 2 -> "Bearer " + garbage(random, 1 + random.nextInt(80));
            case 3 -> garbage(random, 1 + random.nextInt(80));
            case 4 -> "Basic " + Base64.getEncoder()
                    .encodeToString(garbage(random, 20).getBytes(StandardCharsets.UTF_8));
            case 5 -> "Bearer " + TestEngine.ADMIN_TOKEN.substring(0, 1 + random.nextInt(TestEngine.ADMIN_TOKEN.length()
                    - 1)) + garbage(random, random.nextInt(3));
            case 6 -> FIXTURES.get(random.nextInt(FIXTURES.size())).authorization();
            case 7 -> "Bearer " + "A".repeat(1000 + random.nextInt(6000));
            default -> random.nextBoolean() ? "Bearer" : "bearer  " + TestEngine.ADMIN_TOKEN + "  ";
        };
        if (value != null) {
            headers.put("Authorization", value);
        }
    }

    private static void contentType(Random random, Map<String, String> headers) {
        int pick = random.nextInt(CONTENT_TYPES.length + 3);
        if (pick < CONTENT_TYPES.length) {
            headers.put("Content-Type", CONTENT_TYPES[pick]);
        } else if (pick == CONTENT_TYPES.length) {
            headers.put("Content-Type", garbage(random, 1 + random.nextInt(40)));
        }
    }

    private byte[] body(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> new byte[0];
            case 1 -> {
                byte[] bytes = new byte[random.nextInt(2000)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case 2 -> HttpCalls.json(ApiContract.tokenBody(ROOMS[random.nextInt(ROOMS.length)],
                    "p-" + random.nextInt(100), random.nextInt(3) == 0 ? text(random, 8) : "client"));
            case 3 -> WRONG_SHAPES[random.nextInt(WRONG_SHAPES.length)].getBytes(StandardCharsets.UTF_8);
            case 4 -> {
                Map<String, Object> body = new LinkedHashMap<>();
                for (String field : new String[] {"roomName", "participantIdentity", "participantName", "role",
                    "metadata", "attributes", "agentIdentity"}) {
                    if (random.nextBoolean()) {
                        body.put(field, jsonValue(random, 2));
                    }
                }
                yield HttpCalls.json(body);
            }
            case 5 -> {
                int[] sizes = {16 * 1024, 16 * 1024 + 1, 100 * 1024, 1024 * 1024, 1024 * 1024 + 1,
                    random.nextInt(2 * 1024 * 1024)};
                byte[] bytes = new byte[sizes[random.nextInt(sizes.length)]];
                byte fill = (byte) (random.nextBoolean() ? ' ' : random.nextInt(256));
                Arrays.fill(bytes, fill);
                byte[] json = HttpCalls.json(ApiContract.tokenBody("room-a", "huge", "client"));
                System.arraycopy(json, 0, bytes, 0, Math.min(json.length, bytes.length));
                yield bytes;
            }
            case 6 -> FIXTURES.get(random.nextInt(FIXTURES.size())).body();
            case 7 -> {
                List<AgentSpec> specs = engine.launcher.launched();
                String room = specs.isEmpty() ? "room-a" : specs.get(random.nextInt(specs.size())).roomName();
                String identity = specs.isEmpty() ? "agent" : specs.get(random.nextInt(specs.size())).agentIdentity();
                yield HttpCalls.json(Map.of("roomName", room, "agentIdentity", identity));
            }
            case 8 -> {
                int depth = 500 + random.nextInt(5000);
                String open = random.nextBoolean() ? "[" : "{\"a\":";
                yield (open.repeat(depth) + (random.nextBoolean() ? "" : "1")).getBytes(StandardCharsets.UTF_8);
            }
            case 9 -> ("{\"roomName\":\"" + "x".repeat(random.nextInt(16_000)) + "\",\"participantIdentity\":\"p\","
                    + "\"role\":\"client\"}").getBytes(StandardCharsets.UTF_8);
            case 10 -> unicode(random, random.nextInt(200)).getBytes(random.nextBoolean() ? StandardCharsets.UTF_8
                    : StandardCharsets.UTF_16);
            default -> HttpCalls.json(jsonValue(random, 4));
        };
    }

    private static byte[] mutate(Random random, byte[] body) {
        if (body.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        byte[] copy;
        switch (random.nextInt(4)) {
            case 0 -> copy = Arrays.copyOf(body, random.nextInt(body.length));
            case 1 -> {
                copy = body.clone();
                copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
            }
            case 2 -> {
                copy = Arrays.copyOf(body, body.length + 1 + random.nextInt(10));
                for (int i = body.length; i < copy.length; i++) {
                    copy[i] = (byte) (' ' + random.nextInt(95));
                }
            }
            default -> copy = new String(body, StandardCharsets.UTF_8).replace("\"client\"", "\"coach\"")
                    .replace("\"room-", "\"other-").getBytes(StandardCharsets.UTF_8);
        }
        return copy;
    }

    private static Object jsonValue(Random random, int depth) {
        int kinds = depth <= 0 ? 5 : 7;
        return switch (random.nextInt(kinds)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextBoolean() ? (Object) (random.nextDouble() * 1e300) : (Object) random.nextLong();
            case 3 -> text(random, random.nextInt(40));
            case 4 -> unicode(random, random.nextInt(10));
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(jsonValue(random, depth - 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                String[] keys = {"roomName", "participantIdentity", "role", "event", "agentIdentity", "x", ""};
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(keys[random.nextInt(keys.length)], jsonValue(random, depth - 1));
                }
                yield map;
            }
        };
    }

    private static String text(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (random.nextInt(10) == 0 ? random.nextInt(32) : ' ' + random.nextInt(95)));
        }
        return text.toString();
    }

    private static String unicode(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            int codePoint = random.nextInt(0x10FFFF);
            if (codePoint < 0xD800 || codePoint > 0xDFFF) {
                text.appendCodePoint(codePoint);
            }
        }
        return text.toString();
    }

    /** Visible ASCII, with spaces inside only: what an HTTP header value may hold. */
    private static String garbage(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            boolean inside = i > 0 && i < length - 1;
            text.append((char) (inside && random.nextInt(12) == 0 ? ' ' : '!' + random.nextInt(94)));
        }
        return text.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
