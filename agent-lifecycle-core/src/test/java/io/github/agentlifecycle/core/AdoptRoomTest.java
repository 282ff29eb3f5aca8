package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.agentJoined;
import static io.github.agentlifecycle.core.TestManagers.joined;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Rooms found in progress at start ({@link AgentManager#adoptRoom}) and what close leaves of remote agents. */
class AdoptRoomTest {
    private final TestManagers t = new TestManagers();

    @Test
    void anEmptyRoomFoundAtStartGetsItsAgentUntilItsGracePeriodEnds() {
        t.manager.apply(agentJoined("room-a", "PA_agent", "agent-job-1"));
        t.clock.advance(Duration.ofSeconds(10));

        EnsureResult adopted = t.manager.adoptRoom("room-a");

        assertThat(adopted.status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        RoomSnapshot room = t.room("room-a");
        assertThat(room.state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(room.graceRemaining()).isEqualTo(Duration.ofSeconds(60));
        assertThat(t.events(LifecycleEvent.GraceStarted.class)).hasSize(1);

        t.clock.advance(Duration.ofSeconds(60).minusNanos(1));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        t.clock.advanceNanos(1);

        assertThat(t.launcher.liveIn("room-a")).isEmpty();
        assertThat(t.manager.room("room-a")).isEmpty();
        assertThat(t.events(LifecycleEvent.RoomClosed.class))
                .containsExactly(new LifecycleEvent.RoomClosed("room-a", CloseReason.GRACE_EXPIRED));
        assertThat(t.events(LifecycleEvent.JoinTimedOut.class)).isEmpty();
    }

    @Test
    void someoneWhoReturnsWithinTheGracePeriodKeepsTheAdoptedAgent() {
        t.manager.adoptRoom("room-a");
        t.heartbeat("room-a");
        t.clock.advance(Duration.ofSeconds(59));
        t.manager.apply(joined("room-a", "PA_1", "client-1"));

        t.clock.advance(Duration.ofMinutes(10));

        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.ACTIVE);
    }

    @Test
    void aRoomWithPeopleFoundAtStartGetsAnAgentAndNoDeadline() {
        t.manager.apply(joined("room-a", "PA_1", "client-1"));

        EnsureResult adopted = t.manager.adoptRoom("room-a");

        assertThat(adopted.status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.ACTIVE);
        t.heartbeat("room-a");
        t.clock.advance(Duration.ofHours(1));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(t.manager.adoptRoom("room-a").status()).isEqualTo(EnsureResult.Status.RUNNING);
        assertThat(t.launcher.launchesIn("room-a")).hasSize(1);
    }

    @Test
    void closeStopsHostBoundAgentsButLeavesRemoteOnesRunning() {
        ManualClock clock = new ManualClock();
        RecordingLauncher recording = new RecordingLauncher(clock, 50);
        AgentManager manager = AgentManager.builder(new RemoteAgents(recording)).clock(clock)
                .executor(Runnable::run).build();
        manager.start();
        manager.ensureAgent("room-a");
        manager.apply(joined("room-a", "PA_1", "client-1"));

        manager.close();

        assertThat(manager.state()).isEqualTo(ManagerState.CLOSED);
        assertThat(recording.liveIn("room-a")).hasSize(1);
        assertThat(recording.last("room-a").stopRequests()).isZero();

        t.manager.ensureAgent("room-b");
        t.manager.close();
        assertThat(t.launcher.live()).isEmpty();
    }

    /** Agents that live elsewhere, as LiveKit dispatches do. */
    private record RemoteAgents(RecordingLauncher launcher) implements AgentLauncher {
        @Override
        public CompletionStage<AgentHandle> launch(AgentSpec spec) {
            return launcher.launch(spec);
        }

        @Override
        public boolean hostBound() {
            return false;
        }
    }
}
