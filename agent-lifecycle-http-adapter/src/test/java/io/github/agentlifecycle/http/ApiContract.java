package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every route and every error of the HTTP API, over real HTTP with {@link java.net.http.HttpClient}, against a
 * real engine. Each subclass runs the whole contract through one binding. Every answer is also checked for the
 * admin token, the LiveKit API secret and the agents' credentials, none of which may appear in it.
 */
abstract class ApiContract {
    static final String BASE = "/api/livekit";

    TestEngine engine;
    ApiServer server;
    HttpCalls http;

    abstract ApiServer.Binding binding();

    @BeforeEach
    void start() {
        use(UnaryOperator.identity());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    /** Replaces the engine and server with ones whose engine configuration {@code config} adjusts. */
    void use(UnaryOperator<AgentManagerConfig.Builder> config) {
        stop();
        serve(TestEngine.create(config));
    }

    private void serve(TestEngine created) {
        engine = created;
        server = binding().start(engine.api);
        http = new HttpCalls(server, engine::secrets);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static Map<String, Object> tokenBody(String room, String identity, String role) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("roomName", room);
        body.put("participantName", "Name of " + identity);
        body.put("participantIdentity", identity);
        body.put("role", role);
        return body;
    }

    HttpCalls.Reply token(String room, String identity) {
        return http.post(BASE + "/token").json(tokenBody(room, identity, "client")).send();
    }

    HttpCalls.Reply webhook(WebhookFixture fixture) {
        HttpCalls.Call call = http.post(BASE + "/webhook").contentType("application/webhook+json")
                .body(fixture.body());
        if (fixture.authorization() != null) {
            call.header("Authorization", fixture.authorization());
        }
        return call.send();
    }

    HttpCalls.Reply webhook(String fixture) {
        return webhook(WebhookFixture.named(fixture));
    }

    HttpCalls.Reply report(String credential, String room, String agentIdentity) {
        return http.post(BASE + "/agent-report").bearer(credential)
                .json(Map.of("roomName", room, "agentIdentity", agentIdentity)).send();
    }

    static DecodedJWT verified(String jwt) {
        return JWT.require(Algorithm.HMAC256(WebhookFixture.CREDENTIALS.apiSecret()))
                .withIssuer(WebhookFixture.CREDENTIALS.apiKey()).build().verify(jwt);
    }

    static void assertOk(HttpCalls.Reply reply) {
        assertThat(reply.status()).as("%s: %s", reply, reply.text()).isEqualTo(200);
        assertJsonContentType(reply);
        assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
        assertThat(reply.json().get("success").asBoolean()).isTrue();
        assertThat(reply.json().has("data")).isTrue();
    }

    static void assertError(HttpCalls.Reply reply, int status, String code) {
        assertThat(reply.status()).as("%s: %s", reply, reply.text()).isEqualTo(status);
        assertJsonContentType(reply);
        JsonNode json = reply.json();
        assertThat(fieldNames(json)).containsExactly("success", "error");
        assertThat(json.get("success").isBoolean() && !json.get("success").asBoolean()).isTrue();
        assertThat(reply.errorCode()).isEqualTo(code);
        assertThat(reply.errorMessage()).isNotBlank();
    }

    /** {@code application/json; charset=utf-8}, however the server spaces and cases it. */
    static void assertJsonContentType(HttpCalls.Reply reply) {
        assertThat(reply.header("Content-Type")).isNotNull();
        assertThat(reply.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT))
                .isEqualTo("application/json;charset=utf-8");
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    void assertNoRoomAndNoLaunch() {
        assertThat(engine.manager.rooms()).isEmpty();
        assertThat(engine.launcher.launched()).isEmpty();
    }

    // ---- POST /token --------------------------------------------------------------------------------------------

    @Test
    void tokenLaunchesTheRoomsAgentOnceAndThenReportsItRunning() {
        HttpCalls.Reply first = token("room-a", "alice");
        assertOk(first);
        JsonNode data = first.data();
        assertThat(data.get("token").asText()).isNotBlank();
        assertThat(data.get("url").asText()).isEqualTo(TestEngine.LIVEKIT_URL);
        assertThat(data.get("roomName").asText()).isEqualTo("room-a");
        assertThat(data.get("participantIdentity").asText()).isEqualTo("alice");
        assertThat(data.get("agent").get("status").asText()).isEqualTo("launched");
        assertThat(data.get("agent").get("identity").asText())
                .isEqualTo(engine.launcher.spec("room-a").agentIdentity());

        HttpCalls.Reply second = token("room-a", "bob");
        assertOk(second);
        assertThat(second.data().get("agent").get("status").asText()).isEqualTo("running");
        assertThat(second.data().get("participantIdentity").asText()).isEqualTo("bob");
        assertThat(engine.launcher.launched()).hasSize(1);
        assertThat(engine.manager.rooms()).singleElement()
                .satisfies(room -> assertThat(room.roomName()).isEqualTo("room-a"));
    }

    @Test
    void tokenIsSignedWithTheApiSecretForItsRoomAndIdentityOnly() {
        DecodedJWT jwt = verified(token("room-a", "alice").data().get("token").asText());
        assertThat(jwt.getSubject()).isEqualTo("alice");
        assertThat(jwt.getClaim("name").asString()).isEqualTo("Name of alice");
        assertThat(jwt.getClaim("video").asMap()).containsEntry("room", "room-a").containsEntry("roomJoin", true)
                .containsEntry("canPublish", true).containsEntry("canSubscribe", true)
                .doesNotContainKey("roomAdmin");
    }

    @Test
    void tokenForANewRoomIsQueuedWhenEveryAgentSlotIsTaken() {
        use(config -> config.maxTotalAgents(1));
        assertThat(token("room-a", "alice").data().get("agent").get("status").asText()).isEqualTo("launched");

        HttpCalls.Reply queued = token("room-b", "bob");
        assertOk(queued);
        assertThat(queued.data().get("agent").get("status").asText()).isEqualTo("queued");
        assertThat(verified(queued.data().get("token").asText()).getClaim("video").asMap())
                .containsEntry("room", "room-b");
        assertThat(engine.launcher.launched()).extracting(AgentSpec::roomName).containsExactly("room-a");
    }

    @Test
    void tokenForANewRoomSaysRejectedWhenTheEngineTracksAsManyRoomsAsAllowed() {
        use(config -> config.maxRooms(1));
        assertThat(token("room-a", "alice").data().get("agent").get("status").asText()).isEqualTo("launched");

        HttpCalls.Reply rejected = token("room-b", "bob");
        assertOk(rejected);
        assertThat(rejected.data().get("agent").get("status").asText()).isEqualTo("rejected");
        assertThat(rejected.data().get("agent").get("message").asText()).isNotBlank();
        assertThat(engine.manager.rooms()).extracting(room -> room.roomName()).containsExactly("room-a");
        assertThat(engine.launcher.launched()).hasSize(1);
    }

    @Test
    void coachTokenNeedsTheAdminCredentialAndGrantsRoomAdmin() {
        HttpCalls.Reply refused = http.post(BASE + "/token").json(tokenBody("room-a", "coach-1", "coach")).send();
        assertError(refused, 403, "forbidden");
        refused = http.post(BASE + "/token").bearer("not-the-admin-token-at-all")
                .json(tokenBody("room-a", "coach-1", "coach")).send();
        assertError(refused, 403, "forbidden");
        assertNoRoomAndNoLaunch();

        HttpCalls.Reply allowed = http.post(BASE + "/token").admin().json(tokenBody("room-a", "coach-1", "coach"))
                .send();
        assertOk(allowed);
        assertThat(verified(allowed.data().get("token").asText()).getClaim("video").asMap())
                .containsEntry("room", "room-a").containsEntry("roomAdmin", true);
        assertThat(allowed.data().get("agent").get("status").asText()).isEqualTo("launched");
    }

    @Test
    void identitiesReservedForAgentsAreNeverGrantedNotEvenToTheAdmin() {
        assertOk(token("room-a", "alice"));
        String agentIdentity = engine.launcher.spec("room-a").agentIdentity();
        HttpCalls.Reply refused = http.post(BASE + "/token").json(tokenBody("room-a", agentIdentity, "client")).send();
        assertError(refused, 400, "invalid_participant_identity");
        assertThat(refused.errorMessage()).contains("reserved for agents");
        for (String identity : List.of("ai-agent-someone", "agent-AJ_1234", "ai-x")) {
            assertError(http.post(BASE + "/token").admin().json(tokenBody("room-b", identity, "client")).send(), 400,
                    "invalid_participant_identity");
            assertError(http.post(BASE + "/token").admin().json(tokenBody("room-b", identity, "coach")).send(), 400,
                    "invalid_participant_identity");
        }
        assertThat(engine.manager.rooms()).extracting(room -> room.roomName()).containsExactly("room-a");
        assertThat(engine.launcher.launched()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"roomName\":", "{roomName: 'a'}", "not json", "{\"roomName\":\"a\",}", "",
        "{\"roomName\":\"a\" \"role\":\"client\"}"})
    void tokenWithMalformedJsonIs400(String body) {
        assertError(http.post(BASE + "/token").contentType("application/json").body(body).send(), 400,
                "malformed_json");
        assertNoRoomAndNoLaunch();
    }

    @Test
    void tokenWithMoreAfterTheJsonObjectIs400() {
        String body = new String(HttpCalls.json(tokenBody("room-a", "alice", "client")), StandardCharsets.UTF_8)
                + " {\"roomName\":\"room-b\"}";
        assertError(http.post(BASE + "/token").contentType("application/json").body(body).send(), 400,
                "malformed_json");
        assertNoRoomAndNoLaunch();
    }

    @Test
    void tokenWithBytesThatAreNotUtf8Is400() {
        byte[] body = {'{', '"', 'r', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertError(http.post(BASE + "/token").contentType("application/json").body(body).send(), 400,
                "malformed_json");
        assertNoRoomAndNoLaunch();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"roomName\":\"a\",\"participantIdentity\":\"b\",\"role\":\"client\"}]",
        "\"room-a\"", "42", "true", "null"})
    void tokenWithJsonThatIsNotAnObjectIs400(String body) {
        assertError(http.post(BASE + "/token").contentType("application/json").body(body).send(), 400,
                "malformed_json");
        assertNoRoomAndNoLaunch();
    }

    static Stream<Arguments> invalidTokenFields() {
        String tooLong = "x".repeat(257);
        return Stream.of(
                Arguments.of("roomName", null, "invalid_room_name"),
                Arguments.of("roomName", "", "invalid_room_name"),
                Arguments.of("roomName", "   ", "invalid_room_name"),
                Arguments.of("roomName", tooLong, "invalid_room_name"),
                Arguments.of("roomName", "bell\u0007room", "invalid_room_name"),
                Arguments.of("roomName", 42, "invalid_room_name"),
                Arguments.of("roomName", List.of("room-a"), "invalid_room_name"),
                Arguments.of("roomName", Map.of("name", "room-a"), "invalid_room_name"),
                Arguments.of("participantIdentity", null, "invalid_participant_identity"),
                Arguments.of("participantIdentity", "", "invalid_participant_identity"),
                Arguments.of("participantIdentity", " \t ", "invalid_participant_identity"),
                Arguments.of("participantIdentity", tooLong, "invalid_participant_identity"),
                Arguments.of("participantIdentity", true, "invalid_participant_identity"),
                Arguments.of("participantName", tooLong, "invalid_participant_name"),
                Arguments.of("participantName", 7.5, "invalid_participant_name"),
                Arguments.of("role", 1, "invalid_role"),
                Arguments.of("metadata", Map.of("plan", "pro"), "invalid_metadata"),
                Arguments.of("attributes", "team=blue", "invalid_attributes"),
                Arguments.of("attributes", Map.of("team", 1), "invalid_attributes"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalidTokenFields")
    void tokenWithAMissingOrInvalidFieldIs400NamingTheField(String field, Object value, String code) {
        Map<String, Object> body = tokenBody("room-a", "alice", "client");
        if (value == null) {
            body.remove(field);
        } else {
            body.put(field, value);
        }
        HttpCalls.Reply reply = http.post(BASE + "/token").json(body).send();
        assertError(reply, 400, code);
        assertThat(reply.errorMessage()).contains(field);
        assertNoRoomAndNoLaunch();
    }

    @ParameterizedTest
    @ValueSource(strings = {"wizard", "CLIENT", "admin"})
    void tokenWithAnUnknownRoleIs400ForTheAdmin(String role) {
        HttpCalls.Reply reply = http.post(BASE + "/token").admin().json(tokenBody("room-a", "alice", role)).send();
        assertError(reply, 400, "invalid_role");
        assertThat(reply.errorMessage()).contains("role");
        assertNoRoomAndNoLaunch();
    }

    @Test
    void tokenWithoutARoleIs400ForTheAdmin() {
        Map<String, Object> body = tokenBody("room-a", "alice", "client");
        body.remove("role");
        assertError(http.post(BASE + "/token").admin().json(body).send(), 400, "invalid_role");
        assertNoRoomAndNoLaunch();
    }

    @ParameterizedTest
    @ValueSource(strings = {"wizard", ""})
    void tokenWithAnUnknownOrMissingRoleIs400ForAnyone(String role) {
        Map<String, Object> body = tokenBody("room-a", "alice", role);
        if (role.isEmpty()) {
            body.remove("role");
        }
        assertError(http.post(BASE + "/token").json(body).send(), 400, "invalid_role");
        assertNoRoomAndNoLaunch();
    }

    @Test
    void tokenAcceptsNamesOfTheLongestAllowedLength() {
        String room = "r".repeat(256);
        Map<String, Object> body = tokenBody(room, "i".repeat(256), "client");
        body.put("participantName", "n".repeat(256));
        HttpCalls.Reply reply = http.post(BASE + "/token").json(body).send();
        assertOk(reply);
        assertThat(reply.data().get("roomName").asText()).isEqualTo(room);
        assertThat(engine.manager.room(room)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/jsonx",
        "application/webhook+json", "multipart/form-data; boundary=x", "json"})
    void tokenWithAnotherContentTypeIs415(String contentType) {
        HttpCalls.Reply reply = http.post(BASE + "/token").contentType(contentType)
                .body(HttpCalls.json(tokenBody("room-a", "alice", "client"))).send();
        assertError(reply, 415, "unsupported_media_type");
        assertNoRoomAndNoLaunch();
    }

    @Test
    void tokenWithoutAContentTypeIs415() {
        HttpCalls.Reply reply = http.post(BASE + "/token").body(HttpCalls.json(tokenBody("room-a", "alice", "client")))
                .send();
        assertError(reply, 415, "unsupported_media_type");
        assertNoRoomAndNoLaunch();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"})
    void tokenAcceptsJsonContentTypesWithParametersAndAnyCase(String contentType) {
        assertOk(http.post(BASE + "/token").contentType(contentType)
                .body(HttpCalls.json(tokenBody("room-a", "alice", "client"))).send());
    }

    @Test
    void tokenBodyOver16KiBIs413AndAtTheLimitIsRead() {
        byte[] atLimit = paddedJson(tokenBody("room-a", "alice", "client"), 16 * 1024);
        byte[] overLimit = paddedJson(tokenBody("room-a", "alice", "client"), 16 * 1024 + 1);

        assertError(http.post(BASE + "/token").contentType("application/json").body(overLimit).chunked().send(), 413,
                "payload_too_large");
        assertThat(statusOfADeclaredLengthOverTheLimit("/token", 16 * 1024 + 1)).isEqualTo(413);
        assertNoRoomAndNoLaunch();

        assertOk(http.post(BASE + "/token").contentType("application/json").body(atLimit).send());
    }

    /** {@code value} as JSON followed by spaces up to exactly {@code length} bytes. */
    static byte[] paddedJson(Object value, int length) {
        byte[] json = HttpCalls.json(value);
        byte[] padded = new byte[length];
        System.arraycopy(json, 0, padded, 0, json.length);
        Arrays.fill(padded, json.length, length, (byte) ' ');
        return padded;
    }

    @Test
    void tokenReadsAChunkedBody() {
        assertOk(http.post(BASE + "/token").contentType("application/json")
                .body(HttpCalls.json(tokenBody("room-a", "alice", "client"))).chunked().send());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH", "OPTIONS"})
    void tokenWithAnotherMethodIs405AllowingPost(String method) {
        HttpCalls.Call call = http.call(method, BASE + "/token");
        if (!method.equals("GET") && !method.equals("OPTIONS")) {
            call.json(tokenBody("room-a", "alice", "client"));
        }
        HttpCalls.Reply reply = call.send();
        assertError(reply, 405, "method_not_allowed");
        assertThat(reply.header("Allow")).isEqualTo("POST");
        assertNoRoomAndNoLaunch();
    }

    @Test
    void headOfTokenIs405WithoutABody() {
        HttpCalls.Reply reply = http.call("HEAD", BASE + "/token").send();
        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.header("Allow")).isEqualTo("POST");
        assertThat(reply.body()).isEmpty();
    }

    // ---- POST /webhook ------------------------------------------------------------------------------------------

    @Test
    void webhookIsAppliedOnceAndItsRedeliveriesAreDuplicates() {
        HttpCalls.Reply applied = webhook("participant_joined_standard");
        assertOk(applied);
        assertThat(applied.data().get("event").asText()).isEqualTo("participant_joined");
        assertThat(applied.data().get("eventId").asText()).isEqualTo("EV_joinStandard01");
        assertThat(applied.data().get("outcome").asText()).isEqualTo("applied");
        assertThat(engine.manager.room("room-interop").orElseThrow().humanCount()).isEqualTo(1);

        assertThat(webhook("participant_joined_standard").data().get("outcome").asText()).isEqualTo("duplicate");
        assertThat(webhook("participant_joined_bearer").data().get("outcome").asText()).isEqualTo("duplicate");
        assertThat(engine.manager.room("room-interop").orElseThrow().humanCount()).isEqualTo(1);
        assertThat(engine.manager.stats().eventsDuplicate()).isEqualTo(2);
    }

    @Test
    void aWebhookTheEngineCannotRememberIs503SoThatLiveKitSendsItAgainAndChangesNothing() {
        use(config -> config.eventIdMemory(2));
        assertOk(webhook("participant_joined_standard"));
        assertOk(webhook("participant_left"));
        TestEngine.State before = engine.state();

        HttpCalls.Reply refused = webhook("room_finished");
        assertError(refused, 503, "event_memory_full");
        assertThat(refused.header("Retry-After")).isEqualTo("10");
        assertThat(engine.manager.room("room-interop").orElseThrow().state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(engine.manager.rooms()).isEqualTo(before.rooms());
        assertThat(engine.manager.stats().eventsRefused()).isEqualTo(1);
        assertThat(http.get(BASE + "/stats").admin().send().data().get("eventsRefused").asLong()).isEqualTo(1);
        assertThat(webhook("participant_joined_standard").data().get("outcome").asText()).isEqualTo("duplicate");
    }

    @Test
    void aWebhookForAManagerThatIsNotRunningIs503() {
        engine.manager.close();
        HttpCalls.Reply refused = webhook("room_started");
        assertError(refused, 503, "not_running");
        assertThat(refused.header("Retry-After")).isEqualTo("10");
    }

    @Test
    void webhooksTheEngineDoesNotUseAreAcknowledgedAsUnusedAndCounted() {
        for (String fixture : List.of("track_published", "egress_started", "unknown_event_agent_job_started",
                "track_published")) {
            HttpCalls.Reply reply = webhook(fixture);
            assertOk(reply);
            assertThat(reply.data().get("outcome").asText()).isEqualTo("unused");
        }
        assertThat(engine.manager.rooms()).isEmpty();
        JsonNode unused = http.get(BASE + "/stats").admin().send().data().get("webhooksUnused");
        assertThat(unused.get("track_published").asLong()).isEqualTo(2);
        assertThat(unused.get("egress_started").asLong()).isEqualTo(1);
        assertThat(unused.get("agent_job_started").asLong()).isEqualTo(1);
    }

    @Test
    void webhooksDriveTheRoomThroughItsGracePeriodToItsEnd() {
        token("room-interop", "client-alice");
        String agent = engine.launcher.spec("room-interop").agentIdentity();
        assertOk(webhook("participant_joined_standard"));
        JsonNode room = http.get(BASE + "/rooms/room-interop").admin().send().data();
        assertThat(room.get("state").asText()).isEqualTo("active");
        assertThat(room.get("humanCount").asInt()).isEqualTo(1);

        assertThat(webhook("participant_left").data().get("outcome").asText()).isEqualTo("applied");
        room = http.get(BASE + "/rooms/room-interop").admin().send().data();
        assertThat(room.get("state").asText()).isEqualTo("grace_period");
        assertThat(room.get("humanCount").asInt()).isZero();
        assertThat(room.get("graceRemaining").asLong()).isEqualTo(60_000);

        assertThat(webhook("room_finished").data().get("outcome").asText()).isEqualTo("applied");
        assertThat(engine.launcher.stopped()).containsExactly(agent);
        assertError(http.get(BASE + "/rooms/room-interop").admin().send(), 404, "room_not_found");
    }

    static Stream<WebhookFixture> acceptedFixtures() {
        return WebhookFixture.all().stream().filter(fixture -> !fixture.rejected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedFixtures")
    void everyAuthenticWebhookFixtureIs200(WebhookFixture fixture) {
        HttpCalls.Reply reply = webhook(fixture);
        assertOk(reply);
        assertThat(reply.data().get("event").asText()).isNotBlank();
        assertThat(reply.data().get("outcome").asText()).isIn("applied", "duplicate", "ignored", "unused");
    }

    static Stream<WebhookFixture> rejectedFixtures() {
        return WebhookFixture.all().stream().filter(WebhookFixture::rejected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedFixtures")
    void everyRejectedWebhookFixtureIs401OrForABadBody400AndChangesNothing(WebhookFixture fixture) {
        token("room-interop", "client-alice");
        TestEngine.State before = engine.state();

        HttpCalls.Reply reply = webhook(fixture);
        if (fixture.rejection().equals("MALFORMED_BODY")) {
            assertError(reply, 400, "malformed_webhook");
        } else {
            assertError(reply, 401, "invalid_webhook_signature");
        }
        assertThat(engine.state()).isEqualTo(before);
        JsonNode rejected = http.get(BASE + "/stats").admin().send().data().get("webhooksRejected");
        assertThat(rejected.get(fixture.rejection().toLowerCase(Locale.ROOT)).asLong()).isEqualTo(1);
        assertThat(rejected.size()).isEqualTo(7);
    }

    @Test
    void theBadBodyFixturesAre400() {
        assertError(webhook("reject_body_not_json"), 400, "malformed_webhook");
        assertError(webhook("reject_body_not_a_webhook"), 400, "malformed_webhook");
        assertThat(engine.state().stats().eventsApplied()).isZero();
    }

    @Test
    void webhookWithoutTheWebhookOrJsonContentTypeIs415AndChangesNothing() {
        WebhookFixture fixture = WebhookFixture.named("participant_joined_standard");
        HttpCalls.Reply reply = http.post(BASE + "/webhook").contentType("text/plain")
                .header("Authorization", fixture.authorization()).body(fixture.body()).send();
        assertError(reply, 415, "unsupported_media_type");
        reply = http.post(BASE + "/webhook").header("Authorization", fixture.authorization()).body(fixture.body())
                .send();
        assertError(reply, 415, "unsupported_media_type");
        assertThat(engine.manager.rooms()).isEmpty();

        reply = http.post(BASE + "/webhook").contentType("application/json")
                .header("Authorization", fixture.authorization()).body(fixture.body()).send();
        assertThat(reply.data().get("outcome").asText()).isEqualTo("applied");
    }

    @Test
    void webhookBodyOver1MiBIs413() {
        WebhookFixture fixture = WebhookFixture.named("participant_joined_standard");
        byte[] huge = new byte[1024 * 1024 + 1];
        Arrays.fill(huge, (byte) ' ');
        HttpCalls.Reply reply = http.post(BASE + "/webhook").contentType("application/webhook+json")
                .header("Authorization", fixture.authorization()).body(huge).chunked().send();
        assertError(reply, 413, "payload_too_large");
        assertThat(statusOfADeclaredLengthOverTheLimit("/webhook", 1024 * 1024 + 1)).isEqualTo(413);
        assertThat(engine.manager.rooms()).isEmpty();
    }

    /**
     * The status answered to a POST to {@code route} whose {@code Content-Length} is {@code length}, sent over a
     * plain socket. The servlet answers on the declared length alone, so Jetty gets only the headers: an answer
     * then shows that it did not wait for the body. The JDK binding reads up to the limit first, so it gets the
     * whole body.
     */
    int statusOfADeclaredLengthOverTheLimit(String route, int length) {
        URI uri = server.uri(BASE + route);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nContent-Type:"
                    + " application/json\r\nContent-Length: " + length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            if (binding() == ApiServer.Binding.JDK_HTTP_SERVER) {
                out.write(new byte[length]);
            }
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertThat(statusLine).startsWith("HTTP/1.1 ");
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aBodyOverTheLimitIsAnswered413EvenWhenSentWholeAtOnce() {
        for (int size : new int[] {16 * 1024 + 1, 100_000, 1_000_000}) {
            for (int i = 0; i < 20; i++) {
                assertError(http.post(BASE + "/token").contentType("application/json").body(new byte[size]).send(),
                        413, "payload_too_large");
                assertOk(http.get(BASE + "/health").send());
                assertOk(http.post(BASE + "/token").json(tokenBody("room-a", "alice", "client")).send());
            }
        }
    }

    @Test
    void webhooksAreNotHeldToTheOtherRoutesLimit() {
        byte[] body = paddedJson(Map.of("event", "participant_joined"), 100 * 1024);
        HttpCalls.Reply unsigned = http.post(BASE + "/webhook").contentType("application/webhook+json").body(body)
                .send();
        assertError(unsigned, 401, "invalid_webhook_signature");
        HttpCalls.Reply forged = http.post(BASE + "/webhook").contentType("application/webhook+json")
                .header("Authorization", WebhookFixture.named("participant_joined_standard").authorization())
                .body(body).chunked().send();
        assertError(forged, 401, "invalid_webhook_signature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE"})
    void webhookWithAnotherMethodIs405AllowingPost(String method) {
        HttpCalls.Reply reply = http.call(method, BASE + "/webhook").send();
        assertError(reply, 405, "method_not_allowed");
        assertThat(reply.header("Allow")).isEqualTo("POST");
    }

    // ---- admin routes ------------------------------------------------------------------------------------------

    static Stream<Arguments> adminRoutes() {
        return Stream.of(
                Arguments.of("GET", "/rooms"),
                Arguments.of("GET", "/rooms/room-a"),
                Arguments.of("GET", "/rooms/no-such-room"),
                Arguments.of("GET", "/stats"),
                Arguments.of("POST", "/rooms/room-a/close"),
                Arguments.of("POST", "/rooms/no-such-room/close"),
                Arguments.of("POST", "/gc"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("adminRoutes")
    void adminRoutesAre401WithoutABearerTokenAnd403WithAWrongOne(String method, String route) {
        token("room-a", "alice");
        TestEngine.State before = engine.state();

        for (String authorization : new String[] {null, "", "Bearer", "Bearer   ", "Basic YWRtaW46YWRtaW4=",
            TestEngine.ADMIN_TOKEN, "Token " + TestEngine.ADMIN_TOKEN, "Bearer:" + TestEngine.ADMIN_TOKEN}) {
            HttpCalls.Call call = http.call(method, BASE + route);
            if (authorization != null) {
                call.header("Authorization", authorization);
            }
            assertError(call.send(), 401, "unauthorized");
        }
        for (String token : new String[] {"wrong-admin-token-0123456789", TestEngine.ADMIN_TOKEN + "x",
            TestEngine.ADMIN_TOKEN.substring(1), TestEngine.ADMIN_TOKEN.toUpperCase(Locale.ROOT),
            WebhookFixture.CREDENTIALS.apiSecret(), engine.launcher.spec("room-a").credential()}) {
            assertError(http.call(method, BASE + route).bearer(token).send(), 403, "forbidden");
        }
        assertThat(engine.state()).isEqualTo(before);
    }

    @Test
    void adminSchemeNameIsCaseInsensitive() {
        assertOk(http.get(BASE + "/stats").header("Authorization", "bearer " + TestEngine.ADMIN_TOKEN).send());
        assertOk(http.get(BASE + "/stats").header("Authorization", "BEARER " + TestEngine.ADMIN_TOKEN).send());
    }

    @Test
    void roomsListsEveryRoomWithTheDocumentedFields() {
        assertThat(http.get(BASE + "/rooms").admin().send().data().get("rooms").size()).isZero();
        token("room-b", "bob");
        token("room-a", "alice");

        HttpCalls.Reply reply = http.get(BASE + "/rooms").admin().send();
        assertOk(reply);
        JsonNode rooms = reply.data().get("rooms");
        assertThat(rooms.size()).isEqualTo(2);
        assertThat(rooms.get(0).get("roomName").asText()).isEqualTo("room-a");
        assertThat(rooms.get(1).get("roomName").asText()).isEqualTo("room-b");
        JsonNode room = rooms.get(0);
        assertThat(fieldNames(room)).contains("roomName", "state", "humanCount", "participantCount", "hasAgent",
                "agentIdentity", "createdAt", "lastActivity", "graceRemaining");
        assertThat(room.get("state").asText()).isEqualTo("starting");
        assertThat(room.get("humanCount").asInt()).isZero();
        assertThat(room.get("participantCount").asInt()).isZero();
        assertThat(room.get("hasAgent").asBoolean()).isTrue();
        assertThat(room.get("agentIdentity").asText()).isEqualTo(engine.launcher.spec("room-a").agentIdentity());
        assertThat(room.get("createdAt").asText()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(room.get("lastActivity").asText()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(room.get("graceRemaining").isNull()).isTrue();
    }

    @Test
    void roomByNameHasTheSameFieldsAsTheList() {
        token("room-a", "alice");
        HttpCalls.Reply reply = http.get(BASE + "/rooms/room-a").admin().send();
        assertOk(reply);
        assertThat(reply.data()).isEqualTo(http.get(BASE + "/rooms").admin().send().data().get("rooms").get(0));
    }

    @Test
    void unknownRoomIs404() {
        token("room-a", "alice");
        TestEngine.State before = engine.state();
        assertError(http.get(BASE + "/rooms/room-b").admin().send(), 404, "room_not_found");
        assertError(http.post(BASE + "/rooms/room-b/close").admin().send(), 404, "room_not_found");
        assertError(http.get(BASE + "/rooms/ROOM-A").admin().send(), 404, "room_not_found");
        assertThat(engine.state()).isEqualTo(before);
    }

    static Stream<String> unusualRoomNames() {
        return Stream.of("my room", "café au lait", "a+b", "rock&roll=yes", "what?#hash", "日本語の部屋",
                "semi;colon", "quote\"d", "emoji 🎉", "x".repeat(256));
    }

    @ParameterizedTest
    @MethodSource("unusualRoomNames")
    void roomNamesWithSpacesAndPercentEncodedCharactersWork(String name) {
        assertOk(token(name, "alice"));
        String agent = engine.launcher.spec(name).agentIdentity();
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");

        HttpCalls.Reply room = http.get(BASE + "/rooms/" + encoded).admin().send();
        assertOk(room);
        assertThat(room.data().get("roomName").asText()).isEqualTo(name);

        HttpCalls.Reply closed = http.post(BASE + "/rooms/" + encoded + "/close").admin().send();
        assertOk(closed);
        assertThat(closed.data().get("roomName").asText()).isEqualTo(name);
        assertThat(engine.launcher.stopped()).containsExactly(agent);
    }

    @ParameterizedTest
    @ValueSource(strings = {"50% off", "a/b", "%2F", "100%25"})
    void roomNamesWithPercentSignsAndSlashesWorkWhereTheContainerPassesThemOn(String name) {
        assumeTrue(binding() == ApiServer.Binding.JDK_HTTP_SERVER,
                "Jetty answers 400 to %25 and %2F in a path by default, before the servlet sees the request");
        roomNamesWithSpacesAndPercentEncodedCharactersWork(name);
    }

    @Test
    void aPlusSignInThePathIsAPlusSign() {
        assertOk(token("a+b", "alice"));
        assertThat(http.get(BASE + "/rooms/a+b").admin().send().data().get("roomName").asText()).isEqualTo("a+b");
        assertError(http.get(BASE + "/rooms/a%20b").admin().send(), 404, "room_not_found");
    }

    @Test
    void statsHasTheDocumentedFields() {
        token("room-interop", "client-alice");
        token("room-b", "bob");
        webhook("participant_joined_standard");

        HttpCalls.Reply reply = http.get(BASE + "/stats").admin().send();
        assertOk(reply);
        JsonNode stats = reply.data();
        assertThat(fieldNames(stats)).contains("totalRooms", "activeRooms", "roomsInGrace", "totalAgents",
                "totalParticipants");
        assertThat(stats.get("totalRooms").asInt()).isEqualTo(2);
        assertThat(stats.get("activeRooms").asInt()).isEqualTo(1);
        assertThat(stats.get("roomsInGrace").asInt()).isZero();
        assertThat(stats.get("totalAgents").asInt()).isEqualTo(2);
        assertThat(stats.get("totalParticipants").asInt()).isEqualTo(1);

        webhook("participant_left");
        stats = http.get(BASE + "/stats").admin().send().data();
        assertThat(stats.get("activeRooms").asInt()).isZero();
        assertThat(stats.get("roomsInGrace").asInt()).isEqualTo(1);
        assertThat(stats.get("totalParticipants").asInt()).isZero();
    }

    @Test
    void closeStopsTheRoomsAgentAndForgetsTheRoom() {
        token("room-a", "alice");
        token("room-b", "bob");
        String agent = engine.launcher.spec("room-a").agentIdentity();

        HttpCalls.Reply reply = http.post(BASE + "/rooms/room-a/close").admin().send();
        assertOk(reply);
        assertThat(reply.data().get("roomName").asText()).isEqualTo("room-a");
        assertThat(reply.data().get("closing").asBoolean()).isTrue();
        assertThat(engine.launcher.stopped()).containsExactly(agent);
        assertThat(engine.manager.rooms()).extracting(room -> room.roomName()).containsExactly("room-b");
        assertError(http.get(BASE + "/rooms/room-a").admin().send(), 404, "room_not_found");
        assertError(http.post(BASE + "/rooms/room-a/close").admin().send(), 404, "room_not_found");
    }

    @Test
    void gcRunsMaintenanceNow() {
        token("room-a", "alice");
        HttpCalls.Reply reply = http.post(BASE + "/gc").admin().send();
        assertOk(reply);
        assertThat(fieldNames(reply.data())).contains("roomsChecked", "timersRepaired", "orphansStopped",
                "deadAgents", "roomsClosing");
        assertThat(reply.data().get("roomsChecked").asInt()).isEqualTo(1);
        assertThat(engine.manager.room("room-a")).isPresent();
    }

    static Stream<Arguments> routesWithTheWrongMethod() {
        return Stream.of(
                Arguments.of("POST", "/rooms", "GET"),
                Arguments.of("DELETE", "/rooms/room-a", "GET"),
                Arguments.of("POST", "/rooms/room-a", "GET"),
                Arguments.of("PUT", "/stats", "GET"),
                Arguments.of("GET", "/rooms/room-a/close", "POST"),
                Arguments.of("DELETE", "/rooms/room-a/close", "POST"),
                Arguments.of("GET", "/gc", "POST"),
                Arguments.of("POST", "/health", "GET"),
                Arguments.of("GET", "/agent-report", "POST"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routesWithTheWrongMethod")
    void routesWithTheWrongMethodAre405NamingTheAllowedOne(String method, String route, String allowed) {
        token("room-a", "alice");
        TestEngine.State before = engine.state();
        HttpCalls.Reply reply = http.call(method, BASE + route).admin().send();
        assertError(reply, 405, "method_not_allowed");
        assertThat(reply.header("Allow")).isEqualTo(allowed);
        assertThat(engine.state()).isEqualTo(before);
    }

    // ---- POST /agent-report -------------------------------------------------------------------------------------

    @Test
    void agentReportWithItsLaunchCredentialMarksTheAgentReady() {
        token("room-a", "alice");
        AgentSpec spec = engine.launcher.spec("room-a");
        assertThat(engine.manager.room("room-a").orElseThrow().agentState()).isNotEqualTo(AgentState.READY);

        HttpCalls.Reply reply = report(spec.credential(), "room-a", spec.agentIdentity());
        assertOk(reply);
        assertThat(reply.data().get("accepted").asBoolean()).isTrue();
        assertThat(engine.manager.room("room-a").orElseThrow().agentState()).isEqualTo(AgentState.READY);
        assertThat(http.get(BASE + "/rooms/room-a").admin().send().data().get("agentState").asText())
                .isEqualTo("ready");
    }

    @Test
    void agentReportWithAWrongMissingOrForeignCredentialIs401AndChangesNothing() {
        token("room-a", "alice");
        token("room-b", "bob");
        AgentSpec a = engine.launcher.spec("room-a");
        AgentSpec b = engine.launcher.spec("room-b");
        TestEngine.State before = engine.state();

        assertError(report("wrong-credential", "room-a", a.agentIdentity()), 401, "unauthorized");
        assertError(report(a.credential() + "x", "room-a", a.agentIdentity()), 401, "unauthorized");
        assertError(report(TestEngine.ADMIN_TOKEN, "room-a", a.agentIdentity()), 401, "unauthorized");
        assertError(report(b.credential(), "room-a", a.agentIdentity()), 401, "unauthorized");
        assertError(report(b.credential(), "room-a", b.agentIdentity()), 401, "unauthorized");
        assertError(report(a.credential(), "room-b", b.agentIdentity()), 401, "unauthorized");
        assertError(report(a.credential(), "room-a", b.agentIdentity()), 401, "unauthorized");
        assertError(report(a.credential(), "room-c", a.agentIdentity()), 401, "unauthorized");
        assertError(http.post(BASE + "/agent-report")
                .json(Map.of("roomName", "room-a", "agentIdentity", a.agentIdentity())).send(), 401, "unauthorized");
        assertError(http.post(BASE + "/agent-report").header("Authorization", a.credential())
                .json(Map.of("roomName", "room-a", "agentIdentity", a.agentIdentity())).send(), 401, "unauthorized");
        assertThat(engine.state()).isEqualTo(before);
    }

    @Test
    void agentReportWithABadBodyIs400AndChangesNothing() {
        token("room-a", "alice");
        AgentSpec spec = engine.launcher.spec("room-a");
        TestEngine.State before = engine.state();

        assertError(http.post(BASE + "/agent-report").bearer(spec.credential()).contentType("application/json")
                .body("{\"roomName\":").send(), 400, "malformed_json");
        assertError(http.post(BASE + "/agent-report").bearer(spec.credential()).contentType("application/json")
                .body("[\"room-a\"]").send(), 400, "malformed_json");
        assertError(http.post(BASE + "/agent-report").bearer(spec.credential())
                .json(Map.of("agentIdentity", spec.agentIdentity())).send(), 400, "invalid_room_name");
        assertError(http.post(BASE + "/agent-report").bearer(spec.credential())
                .json(Map.of("roomName", "room-a")).send(), 400, "invalid_agent_identity");
        assertError(http.post(BASE + "/agent-report").bearer(spec.credential())
                .json(Map.of("roomName", "room-a", "agentIdentity", 5)).send(), 400, "invalid_agent_identity");
        assertError(http.post(BASE + "/agent-report").bearer(spec.credential())
                .json(Map.of("roomName", "r".repeat(257), "agentIdentity", spec.agentIdentity())).send(), 400,
                "invalid_room_name");
        assertError(http.post(BASE + "/agent-report").bearer(spec.credential()).contentType("text/plain")
                .body(HttpCalls.json(Map.of("roomName", "room-a", "agentIdentity", spec.agentIdentity()))).send(),
                415, "unsupported_media_type");
        assertThat(engine.state()).isEqualTo(before);
    }

    // ---- health and routing ------------------------------------------------------------------------------------

    @Test
    void healthIsOpenToAnyone() {
        HttpCalls.Reply reply = http.get(BASE + "/health").send();
        assertOk(reply);
        assertThat(reply.data().get("status").asText()).isEqualTo("ok");
        assertOk(http.get(BASE + "/health").bearer("whatever-token").send());
    }

    @Test
    void readinessIs200WhileRunningAnd503FromTheMomentADrainIsCalledWhileLivenessStays200() throws Exception {
        stop();
        serve(TestEngine.create(UnaryOperator.identity(), Executors.newSingleThreadExecutor()));
        HttpCalls.Reply ready = http.get(BASE + "/health/ready").send();
        assertOk(ready);
        assertThat(ready.data().get("status").asText()).isEqualTo("ready");
        assertThat(ready.data().get("state").asText()).isEqualTo("running");
        assertThat(token("room-a", "alice").data().get("agent").get("status").asText()).isEqualTo("launched");

        CountDownLatch busy = new CountDownLatch(1);
        CompletableFuture<Void> drained;
        try {
            engine.engineThread().execute(() -> {
                try {
                    busy.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            drained = engine.manager.drainAsync(Duration.ofMinutes(5)).toCompletableFuture();

            HttpCalls.Reply notReady = http.get(BASE + "/health/ready").send();
            assertError(notReady, 503, "not_ready");
            assertThat(notReady.header("Retry-After")).isEqualTo("1");
            HttpCalls.Reply live = http.get(BASE + "/health").send();
            assertOk(live);
            assertThat(live.data().get("status").asText()).isEqualTo("ok");
            assertThat(live.data().get("state").asText()).isEqualTo("draining");
        } finally {
            busy.countDown();
        }

        HttpCalls.Reply refused = token("room-b", "bob");
        assertError(refused, 503, "draining");
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.text()).doesNotContain("\"token\"");
        HttpCalls.Reply served = token("room-a", "carol");
        assertOk(served);
        assertThat(verified(served.data().get("token").asText()).getClaim("video").asMap())
                .containsEntry("room", "room-a");
        assertThat(served.data().get("agent").get("status").asText()).isEqualTo("running");
        assertThat(engine.launcher.launched()).extracting(AgentSpec::roomName).containsExactly("room-a");
        assertThat(engine.manager.rooms()).extracting(room -> room.roomName()).containsExactly("room-a");
        JsonNode stats = http.get(BASE + "/stats").admin().send().data();
        assertThat(stats.get("state").asText()).isEqualTo("draining");
        assertThat(stats.get("hostedAgents").asInt()).isEqualTo(1);
        assertError(http.get(BASE + "/health/ready").send(), 503, "not_ready");
        assertThat(drained).isNotDone();
    }

    @Test
    void queryStringsAreNotPartOfTheRoute() {
        assertOk(http.post(BASE + "/token?roomName=room-b&role=coach").json(tokenBody("room-a", "alice", "client"))
                .send());
        assertThat(engine.manager.rooms()).extracting(room -> room.roomName()).containsExactly("room-a");
        assertOk(http.get(BASE + "/rooms/room-a?verbose=true").admin().send());
        assertOk(http.get(BASE + "/health?").send());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/nope", "/tokens", "/token/extra", "/rooms/room-a/open",
        "/rooms/room-a/close/now", "/stats/", "/health/", "/%74oken", "/TOKEN", "/rooms/room-a/"})
    void unknownRoutesUnderTheBasePathAre404(String route) {
        token("room-a", "alice");
        TestEngine.State before = engine.state();
        assertError(http.post(BASE + route).admin().json(Map.of()).send(), 404, "not_found");
        assertError(http.get(BASE + route).admin().send(), 404, "not_found");
        assertThat(engine.state()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/health", "/api/health", "/api/livekitx/health", "/api/other/token",
        "/API/LIVEKIT/health"})
    void pathsOutsideTheBasePathAre404(String path) {
        HttpCalls.Reply reply = http.get(path).admin().send();
        assertThat(reply.status()).as("%s: %s", reply, reply.text()).isEqualTo(404);
        assertThat(reply.text()).doesNotContain("\"success\":true");
    }
}
