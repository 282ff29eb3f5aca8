package io.github.agentlifecycle.livekit;

import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.LIST_PARTICIPANTS;
import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.LIST_ROOMS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.livekit.RoomReconciler.Report;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Failure;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import livekit.LivekitModels.ParticipantInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RoomReconciler} against {@link FakeLiveKitServer} and a real {@link AgentManager} on a manual clock: a
 * session LiveKit no longer lists leaves, a room LiveKit no longer has finishes, a participant the engine missed
 * joins with the role the classifier gives it; rooms still waiting for their first human and sessions LiveKit
 * still lists are left alone, also when webhooks arrive while a round runs; LiveKit failures (HTTP errors,
 * dropped connections, a read timeout) are reported, change nothing, and the next round repairs; {@code start()}
 * runs rounds periodically and {@code close()} stops them; every call is signed.
 */
class RoomReconcilerTest {
    private final ManualClock clock = new ManualClock();
    private final RecordingLauncher launcher = new RecordingLauncher();
    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final List<RoomReconciler> reconcilers = new ArrayList<>();
    private FakeLiveKitServer liveKit;
    private AgentManager manager;
    private RoomReconciler reconciler;

    @BeforeEach
    void setUp() {
        liveKit = FakeLiveKitServer.start();
        manager = AgentManager.builder(launcher)
                .clock(clock)
                .executor(Runnable::run)
                .listener(events::add)
                .build();
        manager.start();
        reconciler = reconciler(builder -> builder);
    }

    @AfterEach
    void tearDown() throws Exception {
        reconcilers.forEach(RoomReconciler::close);
        CompletableFuture<Void> closed = manager.closeAsync().toCompletableFuture();
        clock.advance(Duration.ofMinutes(1));
        closed.get(10, TimeUnit.SECONDS);
        liveKit.close();
    }

    @Test
    void sessionsLiveKitNoLongerListsLeaveAndTheLastHumanLeavingStartsTheGracePeriod() {
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", participant("PA_bob", "bob", ParticipantInfo.Kind.STANDARD));
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);
        join("lobby", "RM_lobby", "PA_bob", "bob", ParticipantRole.HUMAN);

        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 0, 1, 0, 0, null));
        assertThat(room("lobby").state()).isEqualTo(RoomState.ACTIVE);
        assertThat(room("lobby").participants()).extracting(Participant::sessionId).containsExactly("PA_bob");

        liveKit.removeParticipant("lobby", "bob");
        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 0, 1, 0, 0, null));

        RoomSnapshot lobby = room("lobby");
        assertThat(lobby.state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(lobby.participants()).isEmpty();
        assertThat(lobby.graceRemaining()).isEqualTo(AgentManagerConfig.defaults().gracePeriod());
        assertThat(liveKit.requests()).extracting(Request::endpoint)
                .containsExactly(LIST_ROOMS, LIST_PARTICIPANTS, LIST_ROOMS, LIST_PARTICIPANTS);
        assertThat(liveKit.requests(LIST_PARTICIPANTS)).extracting(Request::room).containsOnly("lobby");
    }

    @Test
    void roomLiveKitNoLongerHasIsFinishedAndItsAgentStopped() {
        liveKit.addRoom("elsewhere", "RM_elsewhere");
        manager.ensureAgent("gone");
        join("gone", "RM_gone", "PA_alice", "alice", ParticipantRole.HUMAN);
        String agent = launcher.launched().get(0).agentIdentity();

        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 0, 0, 1, 0, null));

        assertThat(manager.room("gone")).isEmpty();
        assertThat(events).contains(new LifecycleEvent.RoomClosing("gone", CloseReason.ROOM_FINISHED),
                new LifecycleEvent.RoomClosed("gone", CloseReason.ROOM_FINISHED));
        assertThat(launcher.stopped()).containsExactly(agent);
        assertThat(liveKit.requests(LIST_PARTICIPANTS)).extracting(Request::room).containsExactly("elsewhere");
        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 0, 0, 0, 0, null));
    }

    @Test
    void participantsTheEngineMissedJoinWithTheRoleTheClassifierGivesThem() {
        manager.ensureAgent("studio");
        liveKit.addRoom("studio", "RM_studio");
        liveKit.addParticipant("studio", participant("PA_alice", "alice", ParticipantInfo.Kind.STANDARD));
        liveKit.addParticipant("studio", participant("PA_job", "agent-AJ_1", ParticipantInfo.Kind.AGENT));
        liveKit.addParticipant("studio", participant("PA_rec", "EG_rec", ParticipantInfo.Kind.EGRESS));
        liveKit.addParticipant("studio", participant("PA_old", "bob", ParticipantInfo.Kind.STANDARD).toBuilder()
                .setState(ParticipantInfo.State.DISCONNECTED).build());

        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 3, 0, 0, 0, null));

        RoomSnapshot studio = room("studio");
        assertThat(studio.participants()).containsExactlyInAnyOrder(
                new Participant("PA_alice", "alice", ParticipantRole.HUMAN),
                new Participant("PA_job", "agent-AJ_1", ParticipantRole.AGENT),
                new Participant("PA_rec", "EG_rec", ParticipantRole.OTHER));
        assertThat(studio.state()).isEqualTo(RoomState.ACTIVE);
        assertThat(studio.humanCount()).isEqualTo(1);
        assertThat(studio.roomInstanceId()).isEqualTo("RM_studio");
        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 0, 0, 0, 0, null));
    }

    @Test
    void theConfiguredClassifierDecidesHowAMissedParticipantCounts() {
        RoomReconciler custom = reconciler(builder -> builder.classifier(
                info -> new ParticipantClassifier.Classification(ParticipantRole.OTHER, "observer")));
        liveKit.addRoom("studio", "RM_studio");
        liveKit.addParticipant("studio", participant("PA_alice", "alice", ParticipantInfo.Kind.STANDARD));

        assertThat(custom.runOnce()).isEqualTo(new Report(1, 1, 0, 0, 0, null));

        assertThat(room("studio").participants())
                .containsExactly(new Participant("PA_alice", "alice", ParticipantRole.OTHER));
        assertThat(room("studio").humanCount()).isZero();
    }

    @Test
    void roomWaitingForItsFirstHumanThatLiveKitNeverListedIsLeftAlone() {
        manager.ensureAgent("fresh");
        RoomSnapshot before = room("fresh");

        assertThat(reconciler.runOnce()).isEqualTo(new Report(0, 0, 0, 0, 0, null));

        assertThat(room("fresh")).isEqualTo(before);
        assertThat(before.state()).isEqualTo(RoomState.STARTING);
        assertThat(before.agentState()).isEqualTo(AgentState.RUNNING);
        assertThat(launcher.stopped()).isEmpty();
        assertThat(liveKit.count(LIST_PARTICIPANTS)).isZero();
    }

    @Test
    void sessionsLiveKitStillListsAreKept() {
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", participant("PA_alice", "alice", ParticipantInfo.Kind.STANDARD));
        liveKit.addParticipant("lobby", participant("PA_job", "agent-AJ_1", ParticipantInfo.Kind.AGENT));
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);
        join("lobby", "RM_lobby", "PA_job", "agent-AJ_1", ParticipantRole.AGENT);
        RoomSnapshot before = room("lobby");

        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 0, 0, 0, 0, null));

        assertThat(room("lobby")).isEqualTo(before);
    }

    @Test
    void sessionThatJoinsTheEngineWhileARoundRunsIsNotTakenForOneThatLeft() {
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", participant("PA_alice", "alice", ParticipantInfo.Kind.STANDARD));
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);
        liveKit.beforeNext(LIST_PARTICIPANTS, () -> manager.apply(joined("lobby", "RM_lobby", "PA_bob", "bob",
                ParticipantRole.HUMAN)));

        Report report = reconciler.runOnce();

        assertThat(report.leaves()).isZero();
        assertThat(room("lobby").participants()).extracting(Participant::sessionId)
                .containsExactlyInAnyOrder("PA_alice", "PA_bob");
    }

    @Test
    void sessionWhoseLeaveArrivesWhileARoundRunsIsNotBroughtBack() {
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", participant("PA_alice", "alice", ParticipantInfo.Kind.STANDARD));
        liveKit.addParticipant("lobby", participant("PA_carol", "carol", ParticipantInfo.Kind.STANDARD));
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);
        liveKit.beforeNext(LIST_PARTICIPANTS, () -> manager.apply(new RoomEvent.ParticipantLeft("lobby",
                new Participant("PA_carol", "carol", ParticipantRole.HUMAN), false, "RM_lobby", null, null)));

        reconciler.runOnce();

        assertThat(room("lobby").participants()).extracting(Participant::sessionId).containsExactly("PA_alice");
    }

    @Test
    void reportCountsOnlyJoinsTheEngineApplied() {
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", participant("PA_alice", "alice", ParticipantInfo.Kind.STANDARD));
        liveKit.addParticipant("lobby", participant("PA_carol", "carol", ParticipantInfo.Kind.STANDARD));
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);
        liveKit.beforeNext(LIST_PARTICIPANTS, () -> manager.apply(new RoomEvent.ParticipantLeft("lobby",
                new Participant("PA_carol", "carol", ParticipantRole.HUMAN), false, "RM_lobby", null, null)));

        Report report = reconciler.runOnce();

        assertThat(room("lobby").participants()).extracting(Participant::sessionId).containsExactly("PA_alice");
        assertThat(report.joins()).isZero();
    }

    @Test
    void roomRecreatedUnderANewSidIsTrackedAsTheNewInstance() {
        join("lobby", "RM_old", "PA_alice1", "alice", ParticipantRole.HUMAN);
        liveKit.addRoom("lobby", "RM_new");
        liveKit.addParticipant("lobby", participant("PA_alice2", "alice", ParticipantInfo.Kind.STANDARD));

        reconciler.runOnce();

        assertThat(room("lobby").participants()).extracting(Participant::sessionId).containsExactly("PA_alice2");
        assertThat(manager.apply(new RoomEvent.RoomFinished("lobby", "RM_new", "EV_finished", null)))
                .isEqualTo(EventOutcome.APPLIED);
        assertThat(manager.room("lobby")).isEmpty();
    }

    static Stream<Arguments> listRoomsFailures() {
        return Stream.of(
                Arguments.of(Failure.answering(500), "LiveKit answered HTTP 500 to listRooms"),
                Arguments.of(Failure.answering(404), "LiveKit answered HTTP 404 to listRooms"),
                Arguments.of(Failure.droppedConnection(), "end of stream"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listRoomsFailures")
    void failedListRoomsIsReportedChangesNothingAndTheNextRoundRepairs(Failure failure, String error) {
        liveKit.addRoom("lobby", "RM_lobby");
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);
        join("gone", "RM_gone", "PA_bob", "bob", ParticipantRole.HUMAN);
        List<RoomSnapshot> before = manager.rooms();
        liveKit.fail(LIST_ROOMS, failure);

        Report report = reconciler.runOnce();

        assertThat(report.error()).contains(error);
        assertThat(report).isEqualTo(new Report(0, 0, 0, 0, 0, report.error()));
        assertThat(manager.rooms()).isEqualTo(before);
        assertThat(liveKit.count(LIST_PARTICIPANTS)).isZero();

        liveKit.recover();
        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 0, 1, 1, 0, null));
        assertThat(room("lobby").state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(manager.room("gone")).isEmpty();
    }

    static Stream<Arguments> listParticipantsFailures() {
        return Stream.of(
                Arguments.of(Failure.answering(404), "LiveKit answered HTTP 404 to listParticipants(lobby)"),
                Arguments.of(Failure.answering(500), "LiveKit answered HTTP 500 to listParticipants(lobby)"),
                Arguments.of(Failure.droppedConnection(), "end of stream"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listParticipantsFailures")
    void failedListParticipantsOfOneRoomLeavesThatRoomAloneAndTheNextRoundRepairsIt(Failure failure,
            String error) {
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addRoom("studio", "RM_studio");
        liveKit.addParticipant("lobby", participant("PA_carol", "carol", ParticipantInfo.Kind.STANDARD));
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);
        join("studio", "RM_studio", "PA_bob", "bob", ParticipantRole.HUMAN);
        RoomSnapshot lobbyBefore = room("lobby");
        liveKit.fail(LIST_PARTICIPANTS, "lobby", failure);

        Report report = reconciler.runOnce();

        assertThat(report.error()).contains(error);
        assertThat(report).isEqualTo(new Report(2, 0, 1, 0, 0, report.error()));
        assertThat(room("lobby")).isEqualTo(lobbyBefore);
        assertThat(room("studio").state()).isEqualTo(RoomState.GRACE_PERIOD);

        liveKit.recover();
        assertThat(reconciler.runOnce()).isEqualTo(new Report(2, 1, 1, 0, 0, null));
        assertThat(room("lobby").participants()).extracting(Participant::sessionId).containsExactly("PA_carol");
    }

    @Test
    void listRoomsThatNeverAnswersTimesOutIsReportedAndChangesNothing() {
        liveKit.addRoom("lobby", "RM_lobby");
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);
        List<RoomSnapshot> before = manager.rooms();
        liveKit.fail(LIST_ROOMS, Failure.delayedBy(Duration.ofMinutes(5)));

        long started = System.nanoTime();
        Report report = reconciler.runOnce();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(report.error()).containsIgnoringCase("timeout");
        assertThat(took).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(30));
        assertThat(manager.rooms()).isEqualTo(before);

        liveKit.recover();
        assertThat(reconciler.runOnce()).isEqualTo(new Report(1, 0, 1, 0, 0, null));
    }

    @Test
    void startRunsRoundsPeriodicallyAndCloseStopsThem() {
        RoomReconciler periodic = reconciler(builder -> builder.interval(Duration.ofMillis(50)));
        liveKit.addRoom("lobby", "RM_lobby");
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);

        periodic.start();
        Await.until("alice's leave repaired", () -> room("lobby").state() == RoomState.GRACE_PERIOD);
        liveKit.addParticipant("lobby", participant("PA_bob", "bob", ParticipantInfo.Kind.STANDARD));
        Await.until("bob's join repaired", () -> room("lobby").state() == RoomState.ACTIVE);
        liveKit.fail(LIST_ROOMS, Failure.answering(500));
        int failing = liveKit.count(LIST_ROOMS);
        Await.until("two rounds after a failing one", () -> liveKit.count(LIST_ROOMS) >= failing + 2);
        liveKit.recover();
        liveKit.removeParticipant("lobby", "bob");
        Await.until("bob's leave repaired after LiveKit recovered",
                () -> room("lobby").state() == RoomState.GRACE_PERIOD);

        periodic.close();
        Await.until("the reconciler thread ended", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals("livekit-reconciler") && thread.isAlive()));
        int rounds = liveKit.count(LIST_ROOMS);
        liveKit.addParticipant("lobby", participant("PA_dave", "dave", ParticipantInfo.Kind.STANDARD));
        assertThat(reconciler.runOnce().joins()).isEqualTo(1);
        assertThat(liveKit.count(LIST_ROOMS)).isEqualTo(rounds + 1);
    }

    @Test
    void everyCallIsSignedWithTheGrantItNeeds() {
        liveKit.addRoom("lobby", "RM_lobby");

        reconciler.runOnce();

        assertThat(liveKit.authFailures()).isEmpty();
        assertThat(liveKit.requests(LIST_ROOMS).get(0).videoGrant()).containsEntry("roomList", true);
        assertThat(liveKit.requests(LIST_PARTICIPANTS).get(0).videoGrant())
                .containsEntry("roomAdmin", true)
                .containsEntry("room", "lobby");
    }

    @Test
    void callsSignedWithAnotherSecretAreRejectedAndReported() {
        RoomReconciler forged = reconciler(liveKit.url(),
                new LiveKitCredentials(FakeLiveKitServer.API_KEY, "another-secret-of-at-least-32-bytes"));
        liveKit.addRoom("lobby", "RM_lobby");
        join("lobby", "RM_lobby", "PA_alice", "alice", ParticipantRole.HUMAN);

        Report report = forged.runOnce();

        assertThat(report.error()).isEqualTo("LiveKit answered HTTP 401 to listRooms");
        assertThat(liveKit.authFailures()).hasSize(1);
        assertThat(room("lobby").state()).isEqualTo(RoomState.ACTIVE);
    }

    @Test
    void websocketUrlIsServedOverHttp() {
        RoomReconciler ws = reconciler(liveKit.url().replace("http://", "ws://"), liveKit.credentials());
        liveKit.addRoom("lobby", "RM_lobby");

        assertThat(ws.runOnce()).isEqualTo(new Report(1, 0, 0, 0, 0, null));
    }

    private RoomReconciler reconciler(UnaryOperator<RoomReconciler.Builder> configure) {
        RoomReconciler built = configure.apply(RoomReconciler.builder(liveKit.url(), liveKit.credentials(), manager))
                .build();
        reconcilers.add(built);
        return built;
    }

    private RoomReconciler reconciler(String url, LiveKitCredentials credentials) {
        RoomReconciler built = RoomReconciler.builder(url, credentials, manager).build();
        reconcilers.add(built);
        return built;
    }

    private RoomSnapshot room(String name) {
        return manager.room(name).orElseThrow(() -> new AssertionError("room " + name + " is not tracked"));
    }

    private void join(String room, String roomSid, String sid, String identity, ParticipantRole role) {
        assertThat(manager.apply(joined(room, roomSid, sid, identity, role))).isEqualTo(EventOutcome.APPLIED);
    }

    private static RoomEvent joined(String room, String roomSid, String sid, String identity, ParticipantRole role) {
        return new RoomEvent.ParticipantJoined(room, new Participant(sid, identity, role), roomSid, null, null);
    }

    private static ParticipantInfo participant(String sid, String identity, ParticipantInfo.Kind kind) {
        return ParticipantInfo.newBuilder()
                .setSid(sid)
                .setIdentity(identity)
                .setKind(kind)
                .setState(ParticipantInfo.State.ACTIVE)
                .build();
    }
}
