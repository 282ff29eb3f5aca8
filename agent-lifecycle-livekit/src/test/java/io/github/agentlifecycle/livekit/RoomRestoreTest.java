package io.github.agentlifecycle.livekit;

import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.LIST_PARTICIPANTS;
import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.LIST_ROOMS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Failure;
import io.github.agentlifecycle.livekit.RoomReconciler.Report;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels.ParticipantInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RoomReconciler#restore()} with agents bound to this host (a process launcher): after a restart, a room
 * LiveKit lists with people in it gets a new agent at once, while rooms with nobody, or only a recorder, are left
 * alone; a room whose participants cannot be listed is skipped; LiveKit being down is reported, changes nothing,
 * and the periodic rounds restore once LiveKit answers, then go back to repairing membership only; a manager that
 * is not running adopts nothing and the report says so.
 */
class RoomRestoreTest {
    private final ManualClock clock = new ManualClock();
    private final RecordingLauncher launcher = new RecordingLauncher();
    private final List<AgentManager> managers = new ArrayList<>();
    private final List<RoomReconciler> reconcilers = new ArrayList<>();
    private FakeLiveKitServer liveKit;
    private AgentManager manager;

    @BeforeEach
    void setUp() {
        liveKit = FakeLiveKitServer.start();
        manager = manager(launcher);
    }

    @AfterEach
    void tearDown() throws Exception {
        reconcilers.forEach(RoomReconciler::close);
        for (AgentManager each : managers) {
            CompletableFuture<Void> closed = each.closeAsync().toCompletableFuture();
            clock.advance(Duration.ofMinutes(1));
            closed.get(10, TimeUnit.SECONDS);
        }
        liveKit.close();
    }

    @Test
    void roomWithPeopleGetsAnAgentAtOnceAndRoomsWithNobodyAreLeftAlone() {
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", ParticipantInfos.human("PA_alice", "alice"));
        liveKit.addRoom("empty", "RM_empty");
        liveKit.addRoom("left", "RM_left");
        liveKit.addParticipant("left", ParticipantInfos.human("PA_bob", "bob").toBuilder()
                .setState(ParticipantInfo.State.DISCONNECTED).build());

        Report report = reconciler().restore();

        assertThat(report).isEqualTo(new Report(3, 1, 0, 0, 1, null));
        assertThat(launcher.launched()).extracting(AgentSpec::roomName).containsExactly("lobby");
        RoomSnapshot lobby = room("lobby");
        assertThat(lobby.state()).isEqualTo(RoomState.ACTIVE);
        assertThat(lobby.humanCount()).isEqualTo(1);
        assertThat(lobby.agentState()).isEqualTo(AgentState.RUNNING);
        assertThat(manager.room("empty")).isEmpty();
        assertThat(manager.room("left")).isEmpty();
    }

    @Test
    void processAgentsStopWithTheirManagerAndTheNextOneGivesTheRoomANewAgentAtOnce() {
        RecordingLauncher before = new RecordingLauncher();
        AgentManager previous = manager(before);
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", ParticipantInfos.human("PA_alice", "alice"));
        previous.ensureAgent("lobby");
        assertThat(previous.apply(new RoomEvent.ParticipantJoined("lobby", new RoomEvent.Participant("PA_alice",
                "alice", ParticipantRole.HUMAN), "RM_lobby", null, null))).isEqualTo(EventOutcome.APPLIED);

        previous.close();
        assertThat(before.stopped()).containsExactly(before.launched().get(0).agentIdentity());

        assertThat(reconciler().restore().adopted()).isEqualTo(1);
        assertThat(launcher.launched()).extracting(AgentSpec::roomName).containsExactly("lobby");
        assertThat(room("lobby").humanCount()).isEqualTo(1);
    }

    @Test
    void roomWithOnlyARecorderIsNotAdopted() {
        liveKit.addRoom("recorded", "RM_recorded");
        liveKit.addParticipant("recorded", ParticipantInfos.egress("PA_rec", "EG_recorder"));

        Report report = reconciler().restore();

        assertThat(report.adopted()).isZero();
        assertThat(report.error()).isNull();
        assertThat(launcher.launched()).isEmpty();
        assertThat(manager.room("recorded")).hasValueSatisfying(
                room -> assertThat(room.agentState()).isEqualTo(AgentState.NONE));
    }

    @Test
    void roomWhoseParticipantsCannotBeListedIsSkippedAndTheOthersAreAdopted() {
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", ParticipantInfos.human("PA_alice", "alice"));
        liveKit.addRoom("studio", "RM_studio");
        liveKit.addParticipant("studio", ParticipantInfos.human("PA_bob", "bob"));
        liveKit.fail(LIST_PARTICIPANTS, "studio", Failure.answering(500));

        Report report = reconciler().restore();

        assertThat(report.error()).isEqualTo("LiveKit answered HTTP 500 to listParticipants(studio)");
        assertThat(report).isEqualTo(new Report(2, 1, 0, 0, 1, report.error()));
        assertThat(launcher.launched()).extracting(AgentSpec::roomName).containsExactly("lobby");
        assertThat(manager.room("studio")).isEmpty();
    }

    @Test
    void liveKitDownIsReportedChangesNothingAndThePeriodicRoundsRestoreOnceItAnswers() {
        assertThat(manager.apply(new RoomEvent.ParticipantJoined("gone", new RoomEvent.Participant("PA_carol",
                "carol", ParticipantRole.HUMAN), "RM_gone", null, null))).isEqualTo(EventOutcome.APPLIED);
        List<RoomSnapshot> before = manager.rooms();
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", ParticipantInfos.human("PA_alice", "alice"));
        liveKit.fail(LIST_ROOMS, Failure.answering(503));
        RoomReconciler reconciler = reconciler(Duration.ofMillis(50));

        Report report = reconciler.restore();

        assertThat(report).isEqualTo(new Report(0, 0, 0, 0, 0, "LiveKit answered HTTP 503 to listRooms"));
        assertThat(manager.rooms()).isEqualTo(before);
        assertThat(launcher.launched()).isEmpty();

        reconciler.start();
        int failed = liveKit.count(LIST_ROOMS);
        Await.until("a periodic round failed too", () -> liveKit.count(LIST_ROOMS) > failed);
        assertThat(launcher.launched()).isEmpty();
        liveKit.recover();
        Await.until("lobby adopted by a periodic round", () -> !launcher.launched().isEmpty());
        assertThat(launcher.launched()).extracting(AgentSpec::roomName).containsExactly("lobby");
        assertThat(manager.room("gone")).isEmpty();

        liveKit.addRoom("later", "RM_later");
        liveKit.addParticipant("later", ParticipantInfos.human("PA_dave", "dave"));
        Await.until("dave's join repaired", () -> manager.room("later").isPresent());
        assertThat(launcher.launched()).extracting(AgentSpec::roomName).containsExactly("lobby");
    }

    @Test
    void managerThatIsNotRunningAdoptsNothingAndTheReportSaysWhy() {
        AgentManager stopped = AgentManager.builder(new RecordingLauncher()).clock(clock).executor(Runnable::run)
                .build();
        liveKit.addRoom("lobby", "RM_lobby");
        liveKit.addParticipant("lobby", ParticipantInfos.human("PA_alice", "alice"));
        RoomReconciler reconciler = RoomReconciler.builder(liveKit.url(), liveKit.credentials(), stopped).build();
        reconcilers.add(reconciler);

        Report report = reconciler.restore();

        assertThat(report).isEqualTo(new Report(1, 0, 0, 0, 0,
                "room lobby not adopted: the agent manager is not running"));
        assertThat(stopped.rooms()).isEmpty();
    }

    private AgentManager manager(RecordingLauncher agents) {
        AgentManager built = AgentManager.builder(agents).clock(clock).executor(Runnable::run).build();
        managers.add(built);
        built.start();
        return built;
    }

    private RoomReconciler reconciler() {
        return reconciler(Duration.ofMinutes(1));
    }

    private RoomReconciler reconciler(Duration interval) {
        RoomReconciler built = RoomReconciler.builder(liveKit.url(), liveKit.credentials(), manager)
                .interval(interval)
                .build();
        reconcilers.add(built);
        return built;
    }

    private RoomSnapshot room(String name) {
        return manager.room(name).orElseThrow(() -> new AssertionError("room " + name + " is not tracked"));
    }
}
