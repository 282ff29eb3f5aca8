package io.github.agentlifecycle.livekit;

import static io.github.agentlifecycle.livekit.testing.WebhookSigner.authorization;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import livekit.LivekitWebhook.WebhookEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Webhook authentication and reading against requests signed by LiveKit's own packages, plus the clock leeway
 * on tokens signed here.
 */
class WebhookVerifierTest {
    private final WebhookVerifier verifier = WebhookVerifier.builder(WebhookFixture.CREDENTIALS).build();
    private final WebhookEventMapper mapper = new WebhookEventMapper(ParticipantClassifier.standard());

    static List<WebhookFixture> accepted() {
        return WebhookFixture.all().stream().filter(f -> !f.rejected()).collect(Collectors.toList());
    }

    static List<WebhookFixture> rejected() {
        return WebhookFixture.all().stream().filter(WebhookFixture::rejected).collect(Collectors.toList());
    }

    @Test
    void everyEventTypeAndVariantIsCovered() {
        assertThat(accepted()).hasSizeGreaterThanOrEqualTo(19);
        assertThat(rejected()).extracting(WebhookFixture::reason)
                .contains(WebhookException.Reason.values());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void readsWhatLiveKitSigned(WebhookFixture fixture) throws WebhookException {
        WebhookEvent event = verifier.receive(fixture.body(), fixture.authorization());
        assertThat(event.getEvent()).isEqualTo(fixture.expect().get("event").asText());
        assertThat(event.getId()).isEqualTo(fixture.expect().get("id").asText());
        assertThat(event.getCreatedAt()).isEqualTo(fixture.expect().get("createdAt").asLong());
        if (!fixture.expect().get("room").isNull()) {
            assertThat(event.getRoom().getName()).isEqualTo(fixture.expect().get("room").asText());
            assertThat(event.getRoom().getSid()).isEqualTo(fixture.expect().get("roomSid").asText());
        }
        if (fixture.expect().has("participantSid")) {
            assertThat(event.getParticipant().getSid()).isEqualTo(fixture.expect().get("participantSid").asText());
            assertThat(event.getParticipant().getIdentity()).isEqualTo(fixture.expect().get("identity").asText());
            assertThat(event.getParticipant().getKind().name()).isEqualTo(fixture.expect().get("kind").asText());
            Map<String, String> attributes = new java.util.TreeMap<>();
            fixture.expect().get("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
            assertThat(event.getParticipant().getAttributesMap()).isEqualTo(attributes);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithTheRightReason(WebhookFixture fixture) {
        assertThatThrownBy(() -> verifier.receive(fixture.body(), fixture.authorization()))
                .isInstanceOfSatisfying(WebhookException.class,
                        e -> assertThat(e.reason()).isEqualTo(fixture.reason()))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(WebhookFixture.CREDENTIALS.apiSecret()));
    }

    @Test
    void rejectsAMissingHeaderAsMissing() {
        byte[] body = WebhookFixture.named("room_started").body();
        for (String missing : new String[] {null, "", "   "}) {
            assertThatThrownBy(() -> verifier.receive(body, missing)).isInstanceOfSatisfying(WebhookException.class,
                    e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.MISSING_AUTHORIZATION));
        }
    }

    @Test
    void mapsParticipantEventsWithSessionIdentityAndRole() throws WebhookException {
        assertThat(roleOf("participant_joined_standard")).isEqualTo(ParticipantRole.HUMAN);
        assertThat(roleOf("participant_joined_sip")).isEqualTo(ParticipantRole.HUMAN);
        assertThat(roleOf("participant_joined_coach_prefix")).isEqualTo(ParticipantRole.HUMAN);
        assertThat(roleOf("participant_joined_agent")).isEqualTo(ParticipantRole.AGENT);
        assertThat(roleOf("participant_joined_agent_no_attributes")).isEqualTo(ParticipantRole.AGENT);
        assertThat(roleOf("participant_joined_ai_prefix")).isEqualTo(ParticipantRole.OTHER);
        assertThat(roleOf("participant_joined_egress")).isEqualTo(ParticipantRole.OTHER);
        assertThat(roleOf("participant_joined_ingress")).isEqualTo(ParticipantRole.OTHER);

        RoomEvent.ParticipantJoined joined = (RoomEvent.ParticipantJoined) map("participant_joined_standard").orElseThrow();
        assertThat(joined.roomName()).isEqualTo("room-interop");
        assertThat(joined.roomInstanceId()).isEqualTo("RM_interop0001");
        assertThat(joined.participant().sessionId()).isEqualTo("PA_alice0001");
        assertThat(joined.participant().identity()).isEqualTo("client-alice");
        assertThat(joined.eventId()).isEqualTo("EV_joinStandard01");
        assertThat(joined.occurredAt()).isEqualTo(Instant.ofEpochSecond(1771351907));

        assertThat(map("participant_left").orElseThrow()).isInstanceOfSatisfying(RoomEvent.ParticipantLeft.class,
                left -> assertThat(left.connectionAborted()).isFalse());
        assertThat(map("participant_connection_aborted").orElseThrow())
                .isInstanceOfSatisfying(RoomEvent.ParticipantLeft.class,
                        left -> assertThat(left.connectionAborted()).isTrue());
        assertThat(map("room_started").orElseThrow()).isInstanceOf(RoomEvent.RoomStarted.class);
        assertThat(map("room_finished").orElseThrow()).isInstanceOfSatisfying(RoomEvent.RoomFinished.class,
                finished -> assertThat(finished.roomInstanceId()).isEqualTo("RM_interop0001"));
    }

    @Test
    void variantsMapToTheSameEvent() throws WebhookException {
        RoomEvent plain = map("participant_joined_standard").orElseThrow();
        for (String variant : List.of("participant_joined_snake_case", "participant_joined_numeric_int64",
                "participant_joined_unknown_fields", "participant_joined_bearer")) {
            RoomEvent other = map(variant).orElseThrow();
            assertThat(other).usingRecursiveComparison().ignoringFields("eventId").isEqualTo(plain);
        }
    }

    @Test
    void eventsTheEngineDoesNotUseMapToNothing() throws WebhookException {
        assertThat(map("track_published")).isEmpty();
        assertThat(map("egress_started")).isEmpty();
        assertThat(map("unknown_event_agent_job_started")).isEmpty();
    }

    @Test
    void participantEventWithoutParticipantIsMalformed() throws Exception {
        WebhookEvent incomplete = WebhookEvent.newBuilder().setEvent("participant_joined")
                .setRoom(livekit.LivekitModels.Room.newBuilder().setName("r")).build();
        assertThatThrownBy(() -> mapper.map(incomplete)).isInstanceOfSatisfying(WebhookException.class,
                e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.MALFORMED_BODY));
    }

    @Test
    void toleratesClockSkewWithinTheLeewayOnly() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"), 0);
        WebhookVerifier skewed = WebhookVerifier.builder(WebhookFixture.CREDENTIALS).clock(clock).build();
        byte[] body = "{\"event\":\"room_started\",\"room\":{\"name\":\"r\"}}".getBytes(StandardCharsets.UTF_8);
        Instant now = clock.instant();

        skewed.verify(body, authorization(body, now.plusSeconds(9), now.plusSeconds(300)));
        skewed.verify(body, authorization(body, now.minusSeconds(300), now.minusSeconds(9)));
        assertThatThrownBy(() -> skewed.verify(body, authorization(body, now.plusSeconds(11), now.plusSeconds(300))))
                .isInstanceOfSatisfying(WebhookException.class,
                        e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.NOT_YET_VALID));
        assertThatThrownBy(() -> skewed.verify(body, authorization(body, now.minusSeconds(300), now.minusSeconds(11))))
                .isInstanceOfSatisfying(WebhookException.class,
                        e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.EXPIRED));
    }

    @Test
    void tokenWithoutTheBodyHashIsInvalid() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String noHash = JWT.create().withIssuer("APIinteropKey").withExpiresAt(new Date(System.currentTimeMillis() + 60_000))
                .sign(Algorithm.HMAC256(WebhookFixture.CREDENTIALS.apiSecret()));
        assertThatThrownBy(() -> verifier.verify(body, noHash)).isInstanceOfSatisfying(WebhookException.class,
                e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.INVALID_TOKEN));
    }

    @Test
    void bodyThatIsNotUtf8IsMalformed() throws Exception {
        byte[] body = {(byte) 0xff, (byte) 0xfe, '{', '}'};
        String token = authorization(body);
        assertThatThrownBy(() -> verifier.receive(body, token)).isInstanceOfSatisfying(WebhookException.class,
                e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.MALFORMED_BODY));
    }

    @Test
    void everyMalformedUtf8SequenceIsMalformed() {
        byte[][] sequences = {
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        };
        for (byte[] sequence : sequences) {
            byte[] body = eventWithId(sequence);
            assertThatThrownBy(() -> verifier.parse(body)).isInstanceOfSatisfying(WebhookException.class, e -> {
                assertThat(e.reason()).isEqualTo(WebhookException.Reason.MALFORMED_BODY);
                assertThat(e.getMessage()).isEqualTo("webhook body is not UTF-8");
            });
        }
    }

    @Test
    void bodyThatIsNoEventSaysWhy() {
        for (String json : List.of("{\"event\":", "{\"room\":\"r\"}", "{\"event\":\"x\"} trailing", "[]",
                "{\"createdAt\":\"soon\"}")) {
            assertThatThrownBy(() -> verifier.parse(json.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(WebhookException.class, e -> {
                        assertThat(e.reason()).isEqualTo(WebhookException.Reason.MALFORMED_BODY);
                        assertThat(e.getMessage()).startsWith("webhook body is not a LiveKit event: ")
                                .doesNotContain("\n");
                    });
        }
        assertThatThrownBy(() -> verifier.parse("{\"room\":{\"name\":\"r\"}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(WebhookException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("webhook body names no event"));
    }

    @Test
    void bodyMustBeOneValueOfStrictJson() {
        for (String json : List.of("{\"event\":\"x\"} x", "{\"event\":\"x\"}{}", "{\"event\":\"x\"} {\"event\":\"y\"}",
                "{/* comment */\"event\":\"x\"}", "{'event':'x'}", "{event:\"x\"}", "{\"event\":x}",
                "{\"event\":\"x\";\"id\":\"y\"}", "{\"event\":\"x\",\"createdAt\":NaN}",
                "{\"event\":\"a\",\"event\":\"b\"}", "{\"participant\":{\"kind\":\"AGENT\",\"kind\":\"FOO\"}}",
                "{\"participant\":{\"attributes\":{\"k\":{},\"k\":\"v\"}}}", "{\"event\":\"\\ud800\"}",
                "{\"participant\":{\"attributes\":{\"\\udc00\":\"v\"}}}", "{\"event\":\"\\udc00\\ud800\"}")) {
            assertThatThrownBy(() -> verifier.parse(json.getBytes(StandardCharsets.UTF_8)))
                    .as("rejects %s", json).isInstanceOfSatisfying(WebhookException.class, e -> {
                        assertThat(e.reason()).isEqualTo(WebhookException.Reason.MALFORMED_BODY);
                        assertThat(e.getMessage()).startsWith("webhook body is not a LiveKit event: ")
                                .doesNotContain("\n");
                    });
        }
    }

    @Test
    void pairedSurrogatesAreText() throws WebhookException {
        String json = "{\"event\":\"x\",\"room\":{\"name\":\"\\ud83d\\ude00\"}}";
        assertThat(verifier.parse(json.getBytes(StandardCharsets.UTF_8)).getRoom().getName()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void bodyNestsAtMostAThousandLevelsAlsoInUnknownFields() throws WebhookException {
        String deepest = "{\"event\":\"x\",\"u\":" + "[".repeat(999) + "]".repeat(999) + "}";
        String tooDeep = "{\"event\":\"x\",\"u\":" + "[".repeat(1000) + "]".repeat(1000) + "}";

        assertThat(verifier.parse(deepest.getBytes(StandardCharsets.UTF_8)).getEvent()).isEqualTo("x");
        assertThatThrownBy(() -> verifier.parse(tooDeep.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(WebhookException.class,
                        e -> assertThat(e.getMessage()).contains("nesting depth"));
    }

    private ParticipantRole roleOf(String fixture) throws WebhookException {
        RoomEvent event = map(fixture).orElseThrow();
        return ((RoomEvent.ParticipantJoined) event).participant().role();
    }

    private Optional<RoomEvent> map(String fixture) throws WebhookException {
        WebhookFixture f = WebhookFixture.named(fixture);
        return mapper.map(verifier.receive(f.body(), f.authorization()));
    }

    /** {@code {"event":"room_started","id":"<bytes>"}}; the bytes may also break the JSON. */
    static byte[] eventWithId(byte[] bytes) {
        byte[] prefix = "{\"event\":\"room_started\",\"id\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + bytes.length + 2];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(bytes, 0, body, prefix.length, bytes.length);
        body[body.length - 2] = '"';
        body[body.length - 1] = '}';
        return body;
    }
}
