package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.livekit.DefaultParticipantClassifier;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import io.github.agentlifecycle.livekit.WebhookEventMapper;
import io.github.agentlifecycle.livekit.WebhookException;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What the simulator sends is what a receiver of real LiveKit webhooks accepts, and nothing else. */
class WebhookEventsTest {
    private static final LiveKitCredentials CREDENTIALS = new LiveKitCredentials("APIsimKey", "sim-secret-0123456789");
    private final WebhookVerifier verifier = WebhookVerifier.builder(CREDENTIALS).build();
    private final WebhookEventMapper mapper = new WebhookEventMapper(DefaultParticipantClassifier.builder().build());
    private final WebhookSigner signer = new WebhookSigner(CREDENTIALS, Clock.systemUTC());
    private final WebhookEvents events = new WebhookEvents("room-1", Clock.systemUTC());

    private RoomEvent receive(byte[] body) throws WebhookException {
        return mapper.map(verifier.receive(body, signer.authorization(body))).orElseThrow();
    }

    @Test
    void joinsAndLeavesReachTheEngineWithSessionIdentityAndRole() throws WebhookException {
        String session = events.newSessionId();

        RoomEvent joined = receive(events.participantJoined(session, "alice", "STANDARD"));
        RoomEvent agent = receive(events.participantJoined(events.newSessionId(), "ai-agent-x", "AGENT"));
        RoomEvent left = receive(events.participantLeft(session, "alice", "STANDARD"));

        assertThat(joined).isInstanceOfSatisfying(RoomEvent.ParticipantJoined.class, e -> {
            assertThat(e.roomName()).isEqualTo("room-1");
            assertThat(e.participant().sessionId()).isEqualTo(session).startsWith("PA_");
            assertThat(e.participant().identity()).isEqualTo("alice");
            assertThat(e.participant().role()).isEqualTo(ParticipantRole.HUMAN);
            assertThat(e.eventId()).startsWith("EV_");
            assertThat(e.roomInstanceId()).startsWith("RM_");
        });
        assertThat(agent).isInstanceOfSatisfying(RoomEvent.ParticipantJoined.class,
                e -> assertThat(e.participant().role()).isEqualTo(ParticipantRole.AGENT));
        assertThat(left).isInstanceOfSatisfying(RoomEvent.ParticipantLeft.class,
                e -> assertThat(e.participant().sessionId()).isEqualTo(session));
        assertThat(((RoomEvent.ParticipantJoined) joined).eventId())
                .isNotEqualTo(((RoomEvent.ParticipantLeft) left).eventId());
    }

    @Test
    void roomEventsNameTheSameRoomInstance() throws WebhookException {
        RoomEvent started = receive(events.roomStarted());
        RoomEvent finished = receive(events.roomFinished());

        assertThat(((RoomEvent.RoomStarted) started).roomInstanceId())
                .isEqualTo(((RoomEvent.RoomFinished) finished).roomInstanceId());
    }

    @Test
    void aSignatureCoversExactlyItsBodyAndOnlyTheRightSecretSigns() {
        byte[] body = events.participantJoined(events.newSessionId(), "alice", "STANDARD");
        String authorization = signer.authorization(body);
        byte[] other = events.participantJoined(events.newSessionId(), "mallory", "STANDARD");
        WebhookSigner forger = new WebhookSigner(new LiveKitCredentials("APIsimKey", "guessed-secret"),
                Clock.systemUTC());

        assertThatThrownBy(() -> verifier.verify(other, authorization)).isInstanceOfSatisfying(
                WebhookException.class, e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.HASH_MISMATCH));
        assertThatThrownBy(() -> verifier.verify(body, forger.authorization(body))).isInstanceOfSatisfying(
                WebhookException.class, e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.BAD_SIGNATURE));
    }

    @Test
    void signaturesExpireAfterFiveMinutes() {
        Instant signedAt = Instant.now().minus(Duration.ofMinutes(6));
        WebhookSigner past = new WebhookSigner(CREDENTIALS, Clock.fixed(signedAt, ZoneOffset.UTC));
        byte[] body = events.roomStarted();

        assertThatThrownBy(() -> verifier.verify(body, past.authorization(body))).isInstanceOfSatisfying(
                WebhookException.class, e -> assertThat(e.reason()).isEqualTo(WebhookException.Reason.EXPIRED));
    }
}
