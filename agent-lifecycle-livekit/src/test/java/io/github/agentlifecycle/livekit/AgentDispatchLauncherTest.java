package io.github.agentlifecycle.livekit;

import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.CREATE_DISPATCH;
import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.DELETE_DISPATCH;
import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.LIST_DISPATCH;
import static io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint.REMOVE_PARTICIPANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Endpoint;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Failure;
import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer.Request;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AgentDispatchLauncher} against {@link FakeLiveKitServer}: a launch lists before it creates, so it creates
 * exactly one dispatch (with the agent name and the metadata function's output) or adopts the one of its agent
 * name that exists; failed LiveKit calls fail the launch naming the call; webhooks about the agent participant
 * report readiness and end the handle, as does the room finishing or the dispatch disappearing from a poll; stop
 * deletes the dispatch and removes the agent participant; and, driven by a real {@link AgentManager}, a token
 * request leads to one dispatch and closing the room to its deletion.
 */
class AgentDispatchLauncherTest {
    private static final String AGENT = "coach-bot";
    private static final Duration NO_POLL = Duration.ofHours(1);
    private static final AtomicInteger EVENT_IDS = new AtomicInteger();

    private final RecordingContext context = new RecordingContext();
    private final List<AgentDispatchLauncher> launchers = new ArrayList<>();
    private final List<AgentManager> managers = new ArrayList<>();
    private FakeLiveKitServer liveKit;

    @BeforeEach
    void setUp() {
        liveKit = FakeLiveKitServer.start();
    }

    @AfterEach
    void tearDown() {
        managers.forEach(AgentManager::close);
        launchers.forEach(AgentDispatchLauncher::close);
        liveKit.close();
    }

    @Test
    void launchCreatesOneDispatchCarryingTheAgentNameAndTheMetadata() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);

        AgentHandle handle = launch(launcher, spec("hall", 1));

        assertThat(handle.agentIdentity()).isEqualTo("ai-agent-hall");
        assertThat(handle.isAlive()).isTrue();
        assertThat(liveKit.requests()).extracting(Request::endpoint).containsExactly(LIST_DISPATCH, CREATE_DISPATCH);
        CreateAgentDispatchRequest create = (CreateAgentDispatchRequest) liveKit.requests(CREATE_DISPATCH).get(0)
                .request();
        assertThat(create.getRoom()).isEqualTo("hall");
        assertThat(create.getAgentName()).isEqualTo(AGENT);
        assertThat(create.getMetadata()).isEqualTo("{\"room\":\"hall\",\"attempt\":1}");
        assertThat(liveKit.dispatches("hall")).singleElement()
                .satisfies(dispatch -> assertThat(dispatch.getAgentName()).isEqualTo(AGENT));
        assertThat(liveKit.authFailures()).isEmpty();
        assertThat(liveKit.requests()).allSatisfy(request -> assertThat(request.videoGrant())
                .containsEntry("roomAdmin", true)
                .containsEntry("room", "hall"));
    }

    @Test
    void launchAdoptsTheDispatchOfItsAgentNameThatAlreadyExists() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        liveKit.addDispatch("hall", "other-bot", "");
        AgentDispatch existing = liveKit.addDispatch("hall", AGENT, "from an earlier host");

        AgentHandle handle = launch(launcher, spec("hall", 1));

        assertThat(liveKit.count(CREATE_DISPATCH)).isZero();
        assertThat(liveKit.dispatches("hall")).hasSize(2);
        handle.stop(Duration.ofSeconds(5));
        assertThat(exitOf(handle).stopRequested()).isTrue();
        assertThat(liveKit.requests(DELETE_DISPATCH)).extracting(r -> ((DeleteAgentDispatchRequest) r.request())
                .getDispatchId()).containsExactly(existing.getId());
        assertThat(liveKit.dispatches("hall")).extracting(AgentDispatch::getAgentName).containsExactly("other-bot");
    }

    @Test
    void adoptedDispatchWhoseAgentAlreadyJoinedIsReadyAndRemovedOnStop() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        liveKit.addRoom("hall", "RM_hall");
        liveKit.addDispatch("hall", AGENT, "from an earlier host");
        liveKit.addParticipant("hall", agentParticipant("PA_job", "agent-AJ_7", AGENT));

        AgentHandle handle = launch(launcher, spec("hall", 1));

        Await.until("readiness reported", () -> context.ready.contains("hall/ai-agent-hall"));
        handle.stop(Duration.ofSeconds(5));
        assertThat(exitOf(handle)).isEqualTo(AgentExit.exited(0, true));
        assertThat(liveKit.requests(REMOVE_PARTICIPANT)).singleElement().satisfies(request ->
                assertThat(((RoomParticipantIdentity) request.request()).getIdentity()).isEqualTo("agent-AJ_7"));
        assertThat(liveKit.count(CREATE_DISPATCH)).isZero();
    }

    @Test
    void dispatchOfAnotherAgentNameIsNotAdopted() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        liveKit.addDispatch("hall", "other-bot", "");

        launch(launcher, spec("hall", 1));

        assertThat(liveKit.count(CREATE_DISPATCH)).isEqualTo(1);
        assertThat(liveKit.dispatches("hall")).extracting(AgentDispatch::getAgentName)
                .containsExactly("other-bot", AGENT);
    }

    @Test
    void relaunchInARoomWhoseDispatchStillExistsCreatesNoSecondOne() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);

        launch(launcher, spec("hall", 1));
        launch(launcher, spec("hall", 2));

        assertThat(liveKit.count(CREATE_DISPATCH)).isEqualTo(1);
        assertThat(liveKit.dispatches("hall")).hasSize(1);
    }

    static Stream<Arguments> launchFailures() {
        return Stream.of(
                Arguments.of(CREATE_DISPATCH, Failure.answering(500), "LiveKit answered HTTP 500 to createDispatch"),
                Arguments.of(LIST_DISPATCH, Failure.answering(500), "LiveKit answered HTTP 500 to listDispatch"),
                Arguments.of(LIST_DISPATCH, Failure.answering(404), "LiveKit answered HTTP 404 to listDispatch"),
                Arguments.of(CREATE_DISPATCH, Failure.droppedConnection(), "end of stream"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("launchFailures")
    void failedCallFailsTheLaunchWithAMessageNamingItAndCreatesNothing(Endpoint endpoint, Failure failure,
            String message) throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        liveKit.fail(endpoint, failure);

        assertThatThrownBy(() -> launch(launcher, spec("hall", 1)))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot dispatch agent " + AGENT + " to room hall: ")
                .hasMessageContaining(message);
        assertThat(liveKit.dispatches("hall")).isEmpty();

        liveKit.recover();
        launch(launcher, spec("hall", 2));
        assertThat(liveKit.dispatches("hall")).hasSize(1);
    }

    @Test
    void createWhoseAnswerIsLostOnceLeavesOneDispatch() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        liveKit.failNext(CREATE_DISPATCH, Failure.lostAnswer());

        try {
            launch(launcher, spec("hall", 1));
        } catch (ExecutionException failedLaunch) {
            launch(launcher, spec("hall", 2));
        }

        assertThat(liveKit.dispatches("hall")).hasSize(1);
        assertThat(liveKit.count(CREATE_DISPATCH)).isEqualTo(1);
    }

    @Test
    void agentJoiningReportsReadinessAndItsLeavingEndsTheHandle() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        AgentHandle handle = launch(launcher, spec("hall", 1));
        ParticipantInfo agent = agentParticipant("PA_job", "agent-AJ_1", AGENT);

        launcher.observe(event("participant_joined", "hall", human("PA_alice", "alice")));
        launcher.observe(event("participant_joined", "hall", agentParticipant("PA_other", "agent-AJ_9", "other-bot")));
        launcher.observe(event("participant_joined", "foyer", agent));
        ParticipantInfo impostor = agent.toBuilder().setSid("PA_impostor").setIdentity("mallory")
                .setKind(ParticipantInfo.Kind.STANDARD).build();
        launcher.observe(event("participant_joined", "hall", impostor));
        launcher.observe(event("participant_left", "hall", impostor));
        assertThat(context.ready).isEmpty();
        assertThat(handle.onExit().toCompletableFuture()).isNotDone();

        launcher.observe(event("participant_joined", "hall", agent));
        assertThat(context.ready).containsExactly("hall/ai-agent-hall");

        launcher.observe(event("participant_left", "hall", human("PA_alice", "alice")));
        assertThat(handle.onExit().toCompletableFuture()).isNotDone();

        launcher.observe(event("participant_left", "hall", agent));
        assertThat(exitOf(handle)).isEqualTo(AgentExit.lost(false, "agent participant left the room"));
        assertThat(handle.isAlive()).isFalse();
        Await.until("the ended agent's dispatch deleted", () -> liveKit.dispatches("hall").isEmpty());
    }

    @Test
    void agentWhoseConnectionIsAbortedEndsTheHandle() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        AgentHandle handle = launch(launcher, spec("hall", 1));
        ParticipantInfo agent = agentParticipant("PA_job", "agent-AJ_1", AGENT);

        launcher.observe(event("participant_joined", "hall", agent));
        launcher.observe(event("participant_connection_aborted", "hall", agent));

        assertThat(exitOf(handle)).isEqualTo(AgentExit.lost(false, "agent participant left the room"));
    }

    @Test
    void roomFinishingEndsTheHandle() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        AgentHandle handle = launch(launcher, spec("hall", 1));

        launcher.observe(event("room_finished", "foyer", null));
        assertThat(handle.onExit().toCompletableFuture()).isNotDone();
        launcher.observe(event("room_finished", "hall", null));

        assertThat(exitOf(handle)).isEqualTo(AgentExit.lost(false, "room finished"));
    }

    @Test
    void lateRoomFinishedOfAnEarlierInstanceDoesNotEndTheHandle() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        AgentHandle handle = launch(launcher, spec("hall", 1));
        launcher.observe(event("participant_joined", "hall", "RM_current", agentParticipant("PA_job", "agent-AJ_1",
                AGENT)));

        launcher.observe(event("room_finished", "hall", "RM_earlier", null));

        assertThat(handle.onExit().toCompletableFuture()).isNotDone();
        assertThat(liveKit.count(DELETE_DISPATCH)).isZero();
    }

    @Test
    void stopDeletesTheDispatchAndRemovesTheAgentParticipant() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        liveKit.addRoom("hall", "RM_hall");
        AgentHandle handle = launch(launcher, spec("hall", 1));
        String dispatchId = liveKit.dispatches("hall").get(0).getId();
        ParticipantInfo agent = agentParticipant("PA_job", "agent-AJ_1", AGENT);
        liveKit.addParticipant("hall", agent);
        launcher.observe(event("participant_joined", "hall", agent));

        handle.stop(Duration.ofSeconds(5));

        assertThat(exitOf(handle)).isEqualTo(AgentExit.exited(0, true));
        assertThat(liveKit.requests(DELETE_DISPATCH)).singleElement().satisfies(request -> {
            DeleteAgentDispatchRequest delete = (DeleteAgentDispatchRequest) request.request();
            assertThat(delete.getRoom()).isEqualTo("hall");
            assertThat(delete.getDispatchId()).isEqualTo(dispatchId);
        });
        assertThat(liveKit.requests(REMOVE_PARTICIPANT)).singleElement().satisfies(request -> {
            RoomParticipantIdentity remove = (RoomParticipantIdentity) request.request();
            assertThat(remove.getRoom()).isEqualTo("hall");
            assertThat(remove.getIdentity()).isEqualTo("agent-AJ_1");
        });
        assertThat(liveKit.dispatches("hall")).isEmpty();
        assertThat(liveKit.participants("hall")).isEmpty();

        handle.stop(Duration.ofSeconds(5));
        assertThat(liveKit.count(DELETE_DISPATCH)).isEqualTo(1);
    }

    @Test
    void stopWhoseDeleteFailsStillEndsTheHandle() throws Exception {
        AgentDispatchLauncher launcher = started(NO_POLL);
        AgentHandle handle = launch(launcher, spec("hall", 1));
        liveKit.fail(DELETE_DISPATCH, Failure.answering(500));

        handle.stop(Duration.ofSeconds(5));

        AgentExit exit = exitOf(handle);
        assertThat(exit.kind()).isEqualTo(AgentExit.Kind.LOST);
        assertThat(exit.stopRequested()).isTrue();
        assertThat(exit.detail()).contains("LiveKit answered HTTP 500 to deleteDispatch");
    }

    @Test
    void dispatchDisappearingEndsTheHandleAtTheNextPollButAFailingPollDoesNot() throws Exception {
        AgentDispatchLauncher launcher = started(Duration.ofMillis(50));
        AgentHandle handle = launch(launcher, spec("hall", 1));
        String dispatchId = liveKit.dispatches("hall").get(0).getId();

        liveKit.fail(LIST_DISPATCH, Failure.answering(500));
        int before = liveKit.count(LIST_DISPATCH);
        Await.until("two failing polls", () -> liveKit.count(LIST_DISPATCH) >= before + 2);
        assertThat(handle.onExit().toCompletableFuture()).isNotDone();
        liveKit.recover();

        liveKit.removeDispatch("hall", dispatchId);

        assertThat(exitOf(handle)).isEqualTo(AgentExit.lost(false, "dispatch disappeared"));
    }

    @Test
    void aLiveKitThatIsStuckFailsTheLaunchWithinTheCallTimeout() throws Exception {
        try (TricklingServer stuck = new TricklingServer()) {
            AgentDispatchLauncher launcher = AgentDispatchLauncher.builder(stuck.url(), liveKit.credentials(), AGENT)
                    .pollInterval(NO_POLL)
                    .callTimeout(Duration.ofMillis(500))
                    .build();
            launchers.add(launcher);
            launcher.start(context);

            assertThatThrownBy(() -> launch(launcher, spec("hall", 1)))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("listDispatch failed: timeout");
        }
    }

    @Test
    void launchAfterCloseFails() {
        AgentDispatchLauncher launcher = started(NO_POLL);
        launcher.close();

        assertThatThrownBy(() -> launch(launcher, spec("hall", 1)))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(RejectedExecutionException.class)
                .cause()
                .hasMessage("launcher is closed");
        assertThat(liveKit.requests()).isEmpty();
    }

    @Test
    void managerRequestLeadsToOneDispatchAndClosingTheRoomDeletesIt() {
        AgentDispatchLauncher launcher = built(Duration.ofMillis(100));
        AgentManager manager = AgentManager.builder(launcher).build();
        managers.add(manager);
        manager.start();
        liveKit.addRoom("hall", "RM_hall");

        assertThat(manager.ensureAgent("hall").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        Await.until("the dispatch launched", () -> agentState(manager, "hall") == AgentState.RUNNING);
        assertThat(manager.ensureAgent("hall").status()).isEqualTo(EnsureResult.Status.RUNNING);
        assertThat(liveKit.count(CREATE_DISPATCH)).isEqualTo(1);
        ParticipantInfo agent = agentParticipant("PA_job", "agent-AJ_1", AGENT);
        liveKit.addParticipant("hall", agent);
        launcher.observe(event("participant_joined", "hall", agent));
        Await.until("the agent ready", () -> agentState(manager, "hall") == AgentState.READY);

        assertThat(manager.closeRoom("hall")).isTrue();

        Await.until("the room closed", () -> manager.room("hall").isEmpty());
        assertThat(liveKit.count(DELETE_DISPATCH)).isEqualTo(1);
        assertThat(liveKit.count(REMOVE_PARTICIPANT)).isEqualTo(1);
        assertThat(liveKit.count(CREATE_DISPATCH)).isEqualTo(1);
        assertThat(liveKit.dispatches("hall")).isEmpty();
    }

    private AgentDispatchLauncher built(Duration pollInterval) {
        AgentDispatchLauncher launcher = AgentDispatchLauncher.builder(liveKit.url(), liveKit.credentials(), AGENT)
                .metadata(spec -> "{\"room\":\"" + spec.roomName() + "\",\"attempt\":" + spec.attempt() + "}")
                .pollInterval(pollInterval)
                .build();
        launchers.add(launcher);
        return launcher;
    }

    private AgentDispatchLauncher started(Duration pollInterval) {
        AgentDispatchLauncher launcher = built(pollInterval);
        launcher.start(context);
        return launcher;
    }

    private static AgentSpec spec(String room, int attempt) {
        return new AgentSpec(room, "ai-agent-" + room, "credential-" + room, attempt);
    }

    private static AgentHandle launch(AgentDispatchLauncher launcher, AgentSpec spec) throws Exception {
        return launcher.launch(spec).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static AgentExit exitOf(AgentHandle handle) throws Exception {
        return handle.onExit().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static @Nullable AgentState agentState(AgentManager manager, String room) {
        return manager.room(room).map(RoomSnapshot::agentState).orElse(null);
    }

    private static WebhookEvent event(String type, String room, @Nullable ParticipantInfo participant) {
        return event(type, room, "RM_" + room, participant);
    }

    private static WebhookEvent event(String type, String room, String roomSid,
            @Nullable ParticipantInfo participant) {
        WebhookEvent.Builder event = WebhookEvent.newBuilder()
                .setEvent(type)
                .setId("EV_" + EVENT_IDS.incrementAndGet())
                .setCreatedAt(System.currentTimeMillis() / 1000)
                .setRoom(Room.newBuilder().setName(room).setSid(roomSid));
        if (participant != null) {
            event.setParticipant(participant);
        }
        return event.build();
    }

    private static ParticipantInfo agentParticipant(String sid, String identity, String agentName) {
        return ParticipantInfo.newBuilder()
                .setSid(sid)
                .setIdentity(identity)
                .setKind(ParticipantInfo.Kind.AGENT)
                .setState(ParticipantInfo.State.ACTIVE)
                .putAttributes(DefaultParticipantClassifier.AGENT_NAME_ATTRIBUTE, agentName)
                .build();
    }

    private static ParticipantInfo human(String sid, String identity) {
        return ParticipantInfo.newBuilder()
                .setSid(sid)
                .setIdentity(identity)
                .setKind(ParticipantInfo.Kind.STANDARD)
                .setState(ParticipantInfo.State.ACTIVE)
                .build();
    }

    /** Records what the launcher reports to the engine. */
    private static final class RecordingContext implements LauncherContext {
        final List<String> ready = new CopyOnWriteArrayList<>();

        @Override
        public Clock clock() {
            return Clock.system();
        }

        @Override
        public void agentReady(String roomName, String agentIdentity) {
            ready.add(roomName + "/" + agentIdentity);
        }

        @Override
        public void publish(LifecycleEvent event) {}
    }
}
