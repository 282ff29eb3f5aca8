package io.github.agentlifecycle.livekit;

import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.CREATE_DISPATCH;
import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.DELETE_DISPATCH;
import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.REMOVE_PARTICIPANT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent.GraceCancelled;
import io.github.agentlifecycle.core.spi.LifecycleEvent.GraceStarted;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Request;
import io.github.agentlifecycle.livekit.RoomReconciler.Report;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitAgentDispatch.CreateAgentDispatchRequest;
import livekit.LivekitAgentDispatch.DeleteAgentDispatchRequest;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import livekit.LivekitRoom.RoomParticipantIdentity;
import livekit.LivekitWebhook.WebhookEvent;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A backend running agents through LiveKit agent dispatch restarts: closing the first manager leaves its dispatches
 * and agents in their rooms, and a second manager that {@linkplain RoomReconciler#restore() restores} adopts them
 * without creating a dispatch, counts the people in each room, starts the grace period of a room only its agent is
 * left in at the restore, and honours grace periods from then on, to the millisecond on a manual clock. No room
 * ever has two dispatches.
 */
class DispatchRestartTest {
    private static final String AGENT = "coach-bot";
    private static final Duration GRACE = AgentManagerConfig.defaults().gracePeriod();
    private static final Duration MS = Duration.ofMillis(1);
    private static final AtomicInteger EVENT_IDS = new AtomicInteger();

    private final ManualClock clock = new ManualClock();
    private final WebhookEventMapper mapper = new WebhookEventMapper(ParticipantClassifier.standard());
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private FakeLiveKitServer liveKit;

    @BeforeEach
    void setUp() {
        liveKit = FakeLiveKitServer.start();
        liveKit.addRoom("alpha", "RM_alpha");
        liveKit.addRoom("beta", "RM_beta");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        liveKit.close();
    }

    @Test
    void restartEndsNoConversationStartsNoSecondAgentAndGraceStartsAtTheRestart() throws Exception {
        AgentDispatchLauncher firstLauncher = launcher();
        AgentManager first = manager(firstLauncher);
        ParticipantInfo alice = ParticipantInfos.human("PA_alice", "alice");
        ParticipantInfo bob = ParticipantInfos.human("PA_bob", "bob");
        ParticipantInfo alphaAgent = ParticipantInfos.agent("PA_job_alpha", "agent-AJ_alpha", AGENT);
        ParticipantInfo betaAgent = ParticipantInfos.agent("PA_job_beta", "agent-AJ_beta", AGENT);
        for (String room : List.of("alpha", "beta")) {
            assertThat(first.ensureAgent(room).status()).isEqualTo(EnsureResult.Status.LAUNCHED);
            Await.until(room + " dispatched", () -> agentState(first, room) == AgentState.RUNNING);
        }
        joined(first, firstLauncher, "alpha", alphaAgent);
        joined(first, firstLauncher, "alpha", alice);
        joined(first, firstLauncher, "beta", betaAgent);
        joined(first, firstLauncher, "beta", bob);
        left(first, firstLauncher, "beta", bob);
        assertThat(room(first, "beta").state()).isEqualTo(RoomState.GRACE_PERIOD);
        clock.advance(GRACE.minusSeconds(20));

        first.close();

        assertThat(liveKit.count(DELETE_DISPATCH)).isZero();
        assertThat(liveKit.count(REMOVE_PARTICIPANT)).isZero();
        assertOneDispatchPerRoom();
        clock.advance(Duration.ofSeconds(50));

        AgentDispatchLauncher secondLauncher = launcher();
        AgentManager second = manager(secondLauncher);
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        second.addListener(events::add);
        RoomReconciler reconciler = RoomReconciler.builder(liveKit.url(), liveKit.credentials(), second).build();
        closeables.add(reconciler);
        Report report = reconciler.restore();

        assertThat(report).isEqualTo(new Report(2, 3, 0, 0, 2, null));
        assertThat(events).as("people are counted before their room is adopted")
                .filteredOn(e -> e instanceof GraceStarted || e instanceof GraceCancelled)
                .containsExactly(new GraceStarted("beta", GRACE));
        Await.until("both adopted agents ready", () -> agentState(second, "alpha") == AgentState.READY
                && agentState(second, "beta") == AgentState.READY);
        assertOneDispatchPerRoom();
        RoomSnapshot alpha = room(second, "alpha");
        assertThat(alpha.state()).isEqualTo(RoomState.ACTIVE);
        assertThat(alpha.humanCount()).isEqualTo(1);
        RoomSnapshot beta = room(second, "beta");
        assertThat(beta.state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(beta.humanCount()).isZero();
        assertThat(beta.graceRemaining()).isEqualTo(GRACE);

        clock.advance(GRACE.minus(MS));
        assertThat(room(second, "beta").state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(liveKit.count(DELETE_DISPATCH)).isZero();
        clock.advance(MS);
        Await.until("beta's agent stopped", () -> liveKit.dispatches("beta").isEmpty()
                && liveKit.participants("beta").isEmpty());
        assertThat(deletedDispatchRooms()).containsExactly("beta");
        assertThat(removedParticipants()).containsExactly("agent-AJ_beta");
        assertThat(room(second, "alpha").agentState()).isEqualTo(AgentState.READY);

        left(second, secondLauncher, "alpha", alice);
        assertThat(room(second, "alpha").graceRemaining()).isEqualTo(GRACE);
        clock.advance(GRACE.minus(MS));
        assertThat(room(second, "alpha").state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(liveKit.dispatches("alpha")).hasSize(1);
        clock.advance(MS);
        Await.until("alpha's agent stopped", () -> liveKit.dispatches("alpha").isEmpty()
                && liveKit.participants("alpha").isEmpty());
        assertThat(deletedDispatchRooms()).containsExactly("beta", "alpha");
        assertThat(removedParticipants()).containsExactly("agent-AJ_beta", "agent-AJ_alpha");
        assertOneDispatchPerRoom();
    }

    /** Every room had one dispatch at most, ever: only the first manager created any, one per room. */
    private void assertOneDispatchPerRoom() {
        assertThat(liveKit.requests(CREATE_DISPATCH)).extracting(request ->
                ((CreateAgentDispatchRequest) request.request()).getRoom())
                .containsExactlyInAnyOrder("alpha", "beta");
        for (String room : List.of("alpha", "beta")) {
            assertThat(liveKit.dispatches(room)).extracting(AgentDispatch::getAgentName).hasSizeLessThanOrEqualTo(1);
        }
    }

    private List<String> deletedDispatchRooms() {
        return liveKit.requests(DELETE_DISPATCH).stream()
                .map(request -> ((DeleteAgentDispatchRequest) request.request()).getRoom()).toList();
    }

    private List<String> removedParticipants() {
        return liveKit.requests(REMOVE_PARTICIPANT).stream()
                .map(Request::request).map(request -> ((RoomParticipantIdentity) request).getIdentity()).toList();
    }

    private AgentDispatchLauncher launcher() {
        return AgentDispatchLauncher.builder(liveKit.url(), liveKit.credentials(), AGENT)
                .pollInterval(Duration.ofHours(1))
                .build();
    }

    private AgentManager manager(AgentDispatchLauncher launcher) {
        AgentManager manager = AgentManager.builder(launcher).clock(clock).executor(Runnable::run).build();
        closeables.add(manager);
        manager.start();
        return manager;
    }

    /** The participant joins the room in LiveKit, and the webhook saying so reaches the launcher and the manager. */
    private void joined(AgentManager manager, AgentDispatchLauncher launcher, String room, ParticipantInfo who)
            throws Exception {
        liveKit.addParticipant(room, who);
        deliver(manager, launcher, webhook("participant_joined", room, who));
    }

    private void left(AgentManager manager, AgentDispatchLauncher launcher, String room, ParticipantInfo who)
            throws Exception {
        liveKit.removeParticipant(room, who.getIdentity());
        deliver(manager, launcher, webhook("participant_left", room, who));
    }

    private void deliver(AgentManager manager, AgentDispatchLauncher launcher, WebhookEvent event) throws Exception {
        launcher.observe(event);
        assertThat(manager.apply(mapper.map(event).orElseThrow())).isEqualTo(EventOutcome.APPLIED);
    }

    private static WebhookEvent webhook(String type, String room, ParticipantInfo participant) {
        return WebhookEvent.newBuilder()
                .setEvent(type)
                .setId("EV_" + EVENT_IDS.incrementAndGet())
                .setRoom(Room.newBuilder().setName(room).setSid("RM_" + room))
                .setParticipant(participant)
                .build();
    }

    private static RoomSnapshot room(AgentManager manager, String name) {
        return manager.room(name).orElseThrow(() -> new AssertionError("room " + name + " is not tracked"));
    }

    private static @Nullable AgentState agentState(AgentManager manager, String room) {
        return manager.room(room).map(RoomSnapshot::agentState).orElse(null);
    }
}
