package io.github.agentlifecycle.livekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import io.github.agentlifecycle.livekit.testing.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import livekit.LivekitWebhook.WebhookEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LiveKit-signed webhooks applied to a real engine. */
class LiveKitWebhooksTest {
    private final ManualClock clock = new ManualClock();
    private final List<WebhookEvent> observed = new ArrayList<>();
    private final AgentManager manager = AgentManager.builder(new RecordingLauncher()).clock(clock)
            .executor(Runnable::run).build();
    private final LiveKitWebhooks webhooks = LiveKitWebhooks
            .builder(WebhookVerifier.builder(WebhookFixture.CREDENTIALS).build(), manager)
            .observer(observed::add)
            .build();

    LiveKitWebhooksTest() {
        manager.start();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private LiveKitWebhooks.Result deliver(String fixture) throws WebhookException {
        WebhookFixture f = WebhookFixture.named(fixture);
        return webhooks.handle(f.body(), f.authorization());
    }

    @Test
    void joinsAndLeavesDriveTheRoomAndRedeliveriesAreDuplicates() throws WebhookException {
        manager.ensureAgent("room-interop");
        assertThat(deliver("participant_joined_standard").outcome()).isEqualTo(EventOutcome.APPLIED);
        assertThat(manager.room("room-interop").orElseThrow().humanCount()).isEqualTo(1);
        assertThat(deliver("participant_joined_standard").outcome()).isEqualTo(EventOutcome.DUPLICATE);
        assertThat(deliver("participant_joined_bearer").outcome()).isEqualTo(EventOutcome.DUPLICATE);
        assertThat(manager.room("room-interop").orElseThrow().humanCount()).isEqualTo(1);
        assertThat(observed).extracting(WebhookEvent::getId).containsExactly("EV_joinStandard01");

        assertThat(deliver("participant_left").outcome()).isEqualTo(EventOutcome.APPLIED);
        assertThat(manager.room("room-interop").orElseThrow().state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(deliver("room_finished").outcome()).isEqualTo(EventOutcome.APPLIED);
        assertThat(manager.room("room-interop")).isEmpty();
    }

    @Test
    void agentsAndRecordersDoNotCountAsHumans() throws WebhookException {
        deliver("participant_joined_agent");
        deliver("participant_joined_egress");
        deliver("participant_joined_sip");
        assertThat(manager.room("room-interop").orElseThrow().humanCount()).isEqualTo(1);
        assertThat(manager.room("room-interop").orElseThrow().participantCount()).isEqualTo(3);
    }

    @Test
    void onlyAParticipantOfKindAgentMakesTheRoomsAgentReadyWhateverTheOthersAreCalled() throws Exception {
        manager.ensureAgent("room-x");
        String agentIdentity = manager.room("room-x").orElseThrow().agentIdentity();

        handle(joined("EV_impostor", "PA_impostor", agentIdentity, ParticipantInfo.Kind.STANDARD));
        RoomSnapshot room = manager.room("room-x").orElseThrow();
        assertThat(room.agentState()).isEqualTo(AgentState.RUNNING);
        assertThat(room.humanCount()).isZero();

        handle(joined("EV_agent", "PA_agent", agentIdentity, ParticipantInfo.Kind.AGENT));
        assertThat(manager.room("room-x").orElseThrow().agentState()).isEqualTo(AgentState.READY);
    }

    @Test
    void aWebhookReplayedWhileItsSignatureIsValidIsADuplicateHoweverManyEventsCameInBetween() throws Exception {
        deliver("participant_joined_standard");
        deliver("participant_left");
        deliver("room_finished");
        assertThat(manager.room("room-interop")).isEmpty();
        for (int i = 0; i < 10_001; i++) {
            handle(WebhookEvent.newBuilder().setEvent("room_finished").setId("EV_other" + i)
                    .setRoom(Room.newBuilder().setName("room-" + i)).build());
        }

        assertThat(deliver("participant_joined_standard").outcome()).isEqualTo(EventOutcome.DUPLICATE);
        assertThat(deliver("participant_left").outcome()).isEqualTo(EventOutcome.DUPLICATE);
        assertThat(manager.room("room-interop")).isEmpty();
    }

    @Test
    void aLateJoinOfAFinishedRoomInstanceDoesNotBringTheRoomBack() throws Exception {
        deliver("participant_joined_standard");
        deliver("room_finished");
        assertThat(manager.room("room-interop")).isEmpty();

        WebhookEvent late = WebhookEvent.newBuilder().setEvent("participant_joined").setId("EV_late")
                .setRoom(Room.newBuilder().setName("room-interop").setSid("RM_interop0001"))
                .setParticipant(ParticipantInfo.newBuilder().setSid("PA_late").setIdentity("bob"))
                .build();
        assertThat(handle(late).outcome()).isEqualTo(EventOutcome.IGNORED);
        assertThat(manager.room("room-interop")).isEmpty();

        WebhookEvent next = late.toBuilder().setId("EV_next")
                .setRoom(Room.newBuilder().setName("room-interop").setSid("RM_interop0002")).build();
        assertThat(handle(next).outcome()).isEqualTo(EventOutcome.APPLIED);
        assertThat(manager.room("room-interop").orElseThrow().humanCount()).isEqualTo(1);
    }

    private static WebhookEvent joined(String eventId, String sessionId, String identity, ParticipantInfo.Kind kind) {
        return WebhookEvent.newBuilder().setEvent("participant_joined").setId(eventId)
                .setRoom(Room.newBuilder().setName("room-x").setSid("RM_x"))
                .setParticipant(ParticipantInfo.newBuilder().setSid(sessionId).setIdentity(identity).setKind(kind))
                .build();
    }

    private LiveKitWebhooks.Result handle(WebhookEvent event) throws Exception {
        byte[] body = JsonFormat.printer().print(event).getBytes(StandardCharsets.UTF_8);
        return webhooks.handle(body, WebhookSigner.authorization(body));
    }

    @Test
    void eventsTheEngineDoesNotUseAreAcknowledgedAndCounted() throws WebhookException {
        assertThat(deliver("track_published").unused()).isTrue();
        assertThat(deliver("egress_started").unused()).isTrue();
        assertThat(deliver("unknown_event_agent_job_started").unused()).isTrue();
        assertThat(deliver("track_published").unused()).isTrue();
        assertThat(webhooks.unusedEventCounts()).containsEntry("track_published", 2L)
                .containsEntry("egress_started", 1L).containsEntry("agent_job_started", 1L);
        assertThat(manager.rooms()).isEmpty();
        assertThat(observed).hasSize(4);
    }

    @Test
    void rejectedRequestsChangeNothing() {
        for (String fixture : List.of("reject_forged_signature", "reject_tampered_body", "reject_expired",
                "reject_body_not_a_webhook", "reject_missing_authorization")) {
            assertThatThrownBy(() -> deliver(fixture)).isInstanceOf(WebhookException.class);
        }
        assertThat(manager.rooms()).isEmpty();
        assertThat(manager.stats().eventsApplied()).isZero();
        assertThat(observed).isEmpty();
        assertThat(webhooks.rejectedCounts()).containsOnly(
                Map.entry(WebhookException.Reason.MISSING_AUTHORIZATION, 1L),
                Map.entry(WebhookException.Reason.INVALID_TOKEN, 0L),
                Map.entry(WebhookException.Reason.BAD_SIGNATURE, 1L),
                Map.entry(WebhookException.Reason.EXPIRED, 1L),
                Map.entry(WebhookException.Reason.NOT_YET_VALID, 0L),
                Map.entry(WebhookException.Reason.HASH_MISMATCH, 1L),
                Map.entry(WebhookException.Reason.MALFORMED_BODY, 1L));
    }
}
