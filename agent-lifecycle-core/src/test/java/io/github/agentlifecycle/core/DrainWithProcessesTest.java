package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.alive;
import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.filesIn;
import static io.github.agentlifecycle.core.RealProcesses.get;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentExited;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentLaunched;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentLaunching;
import io.github.agentlifecycle.core.spi.LifecycleEvent.RoomClosed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draining an {@link AgentManager} (system clock, its own loop thread) whose agents are real processes: from the
 * call on the manager is {@code DRAINING} and starts no process for a new room, while the agents of the rooms it
 * serves keep running until their people leave and the grace period ends; the drain completes, and the manager is
 * closed, once the last of them has exited. A drain that times out stops the agents of the rooms still in use.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid and coreutils")
class DrainWithProcessesTest {
    private static final Duration GRACE = Duration.ofSeconds(1);

    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    private final EventLog events = new EventLog();
    private AgentManager manager;

    @BeforeEach
    void startManager() throws Exception {
        Path agent = script(dir, "agent.sh", """
                sleep 1000 &
                wait""");
        manager = processes.closeLater(AgentManager.builder(ProcessAgentLauncher.builder(sh(agent))
                        .stateDirectory(dir.resolve("state"))
                        .outputSink(new CollectingSink())
                        .build())
                .config(AgentManagerConfig.builder()
                        .gracePeriod(GRACE)
                        .agentStopTimeout(Duration.ofSeconds(2))
                        .build())
                .listener(events)
                .listener(processes.agentTracker())
                .build());
        manager.start();
    }

    /** A token request and a person in {@code room}; returns the pid of its agent once the agent is ready. */
    private long roomInUse(String room) {
        assertThat(manager.ensureAgent(room).status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(manager.apply(RoomEvent.participantJoined(room, "PA_" + room, "client-" + room,
                ParticipantRole.HUMAN))).isEqualTo(EventOutcome.APPLIED);
        await(() -> launchedIn(room) != null, "the agent of " + room + " to start");
        AgentLaunched launched = launchedIn(room);
        assertThat(manager.heartbeat(room, launched.agentIdentity())).isTrue();
        assertThat(manager.room(room).orElseThrow().agentState()).isEqualTo(AgentState.READY);
        assertThat(alive(launched.pid())).isTrue();
        return launched.pid();
    }

    private AgentLaunched launchedIn(String room) {
        return events.of(AgentLaunched.class).stream().filter(e -> e.roomName().equals(room)).findFirst()
                .orElse(null);
    }

    private void personLeaves(String room) {
        assertThat(manager.apply(RoomEvent.participantLeft(room, "PA_" + room, "client-" + room,
                ParticipantRole.HUMAN))).isEqualTo(EventOutcome.APPLIED);
    }

    private List<String> roomsLaunched() {
        return events.of(AgentLaunching.class).stream().map(AgentLaunching::roomName).toList();
    }

    @Test
    void drainTakesNoNewRoomAndClosesOnceTheRoomsItServesHaveEnded() throws Exception {
        long a = roomInUse("room-a");
        long b = roomInUse("room-b");

        CompletableFuture<Void> drained = manager.drainAsync(Duration.ofMinutes(5)).toCompletableFuture();
        assertThat(manager.state()).isEqualTo(ManagerState.DRAINING);

        EnsureResult refused = manager.ensureAgent("room-c");
        assertThat(refused.status()).isEqualTo(EnsureResult.Status.DRAINING);
        assertThat(refused.room()).isNull();
        assertThat(manager.room("room-c")).isEmpty();
        assertThat(manager.ensureAgent("room-a").status()).isEqualTo(EnsureResult.Status.RUNNING);
        assertThat(manager.heartbeat("room-b", launchedIn("room-b").agentIdentity())).isTrue();
        assertThat(manager.stats().state()).isEqualTo(ManagerState.DRAINING);
        assertThat(manager.stats().hostedAgents()).isEqualTo(2);
        assertThat(alive(a)).isTrue();
        assertThat(alive(b)).isTrue();
        assertThat(drained).isNotDone();

        personLeaves("room-a");
        await(() -> !alive(a), "the agent of room-a to stop after its grace period");
        await(() -> manager.room("room-a").isEmpty(), "room-a to close");
        assertThat(alive(b)).isTrue();
        assertThat(manager.room("room-b").orElseThrow().agentState()).isEqualTo(AgentState.READY);
        assertThat(manager.state()).isEqualTo(ManagerState.DRAINING);
        assertThat(drained).isNotDone();

        personLeaves("room-b");
        get(drained);
        assertThat(List.of(a, b)).noneMatch(RealProcesses::alive)
                .allSatisfy(pid -> assertThat(RealProcesses.sessionOrGroupMembers(pid)).isEmpty());
        assertThat(manager.state()).isEqualTo(ManagerState.CLOSED);
        assertThat(events.of(RoomClosed.class)).extracting(RoomClosed::roomName, RoomClosed::reason)
                .containsExactly(tuple("room-a", CloseReason.GRACE_EXPIRED),
                        tuple("room-b", CloseReason.GRACE_EXPIRED));
        assertThat(events.of(AgentExited.class)).hasSize(2)
                .allSatisfy(exited -> assertThat(exited.exit().stopRequested()).isTrue());
        assertThat(roomsLaunched()).containsExactly("room-a", "room-b");
        assertThat(filesIn(dir.resolve("state"))).isEmpty();
    }

    @Test
    void drainTimeoutStopsTheAgentsOfRoomsStillInUse() throws Exception {
        long a = roomInUse("room-a");
        long b = roomInUse("room-b");

        long drainCalled = System.nanoTime();
        CompletableFuture<Void> drained = manager.drainAsync(Duration.ofSeconds(2)).toCompletableFuture();
        assertThat(manager.state()).isEqualTo(ManagerState.DRAINING);
        assertThat(manager.ensureAgent("room-c").status()).isEqualTo(EnsureResult.Status.DRAINING);
        assertThat(drained).isNotDone();
        assertThat(alive(a)).isTrue();
        assertThat(alive(b)).isTrue();

        get(drained);
        assertThat(Duration.ofNanos(System.nanoTime() - drainCalled)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(List.of(a, b)).noneMatch(RealProcesses::alive)
                .allSatisfy(pid -> assertThat(RealProcesses.sessionOrGroupMembers(pid)).isEmpty());
        assertThat(manager.state()).isEqualTo(ManagerState.CLOSED);
        assertThat(events.of(RoomClosed.class)).extracting(RoomClosed::reason)
                .containsExactly(CloseReason.SHUTDOWN, CloseReason.SHUTDOWN);
        assertThat(events.of(RoomClosed.class)).extracting(RoomClosed::roomName)
                .containsExactlyInAnyOrder("room-a", "room-b");
        assertThat(events.of(AgentExited.class)).hasSize(2)
                .allSatisfy(exited -> assertThat(exited.exit().stopRequested()).isTrue());
        assertThat(roomsLaunched()).containsExactly("room-a", "room-b");
        assertThat(filesIn(dir.resolve("state"))).isEmpty();
    }
}
