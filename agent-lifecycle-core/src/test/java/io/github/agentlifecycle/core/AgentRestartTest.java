package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.joined;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Crashes, startup and heartbeat timeouts, the backoff and the restart budget, on a manual clock. */
class AgentRestartTest {
    private TestManagers t = new TestManagers();

    @AfterEach
    void noViolations() {
        assertThat(t.launcher.violations()).isEmpty();
    }

    private void activeRoom() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
    }

    @Test
    void crashWithHumansPresentRelaunchesAfterExponentialBackoff() {
        activeRoom();
        t.launcher.last("room-a").crash();
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.BACKOFF);

        t.clock.advance(Duration.ofMillis(999));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(1);
        t.clock.advance(Duration.ofMillis(1));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(2);
        assertThat(t.launcher.last("room-a").spec.attempt()).isEqualTo(2);

        t.launcher.last("room-a").crash();
        t.clock.advance(Duration.ofMillis(1999));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(2);
        t.clock.advance(Duration.ofMillis(1));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(3);

        assertThat(t.events(LifecycleEvent.AgentRestarting.class).stream().map(LifecycleEvent.AgentRestarting::delay))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(t.room("room-a").agentRestarts()).isEqualTo(2);
    }

    @Test
    void backoffIsCappedAtTheMaximumDelay() {
        t = new TestManagers(AgentManagerConfig.builder()
                .restartPolicy(RestartPolicy.builder().maxRestarts(20).build()).build());
        activeRoom();
        for (int i = 0; i < 8; i++) {
            t.launcher.last("room-a").crash();
            t.clock.advance(Duration.ofSeconds(30));
        }
        List<Duration> delays = t.events(LifecycleEvent.AgentRestarting.class).stream()
                .map(LifecycleEvent.AgentRestarting::delay).collect(Collectors.toList());
        assertThat(delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    @Test
    void backoffStartsOverAfterStableRunning() {
        activeRoom();
        t.launcher.last("room-a").crash();
        t.clock.advance(Duration.ofSeconds(1));
        t.launcher.last("room-a").crash();
        t.clock.advance(Duration.ofSeconds(2));
        t.heartbeat("room-a");
        t.clock.advance(Duration.ofSeconds(60));
        t.launcher.last("room-a").crash();
        assertThat(t.events(LifecycleEvent.AgentRestarting.class).stream().map(LifecycleEvent.AgentRestarting::delay))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    @Test
    void spentRestartBudgetMarksTheAgentFailedUntilTheNextTokenRequest() {
        activeRoom();
        for (int i = 0; i < 5; i++) {
            t.launcher.last("room-a").crash();
            t.clock.advance(Duration.ofSeconds(30));
        }
        assertThat(t.launcher.launchesIn("room-a")).hasSize(6);
        t.launcher.last("room-a").crash();

        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.FAILED);
        assertThat(t.events(LifecycleEvent.AgentFailed.class))
                .containsExactly(new LifecycleEvent.AgentFailed("room-a", 5, Duration.ofMinutes(10)));
        t.clock.advance(Duration.ofHours(1));
        t.manager.runMaintenance();
        assertThat(t.launcher.launchesIn("room-a")).hasSize(6);
        assertThat(t.manager.stats().failedAgents()).isEqualTo(1);

        EnsureResult retry = t.manager.ensureAgent("room-a");
        assertThat(retry.status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
    }

    @Test
    void restartsOutsideTheWindowNoLongerCount() {
        activeRoom();
        for (int i = 0; i < 5; i++) {
            t.launcher.last("room-a").crash();
            t.clock.advance(Duration.ofSeconds(30));
            t.heartbeat("room-a");
        }
        t.clock.advance(Duration.ofMinutes(10));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(6);
        t.launcher.last("room-a").crash();
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.BACKOFF);
    }

    @Test
    void cleanExitWithoutStopRequestIsIntentionalByDefault() {
        activeRoom();
        t.launcher.last("room-a").exitWith(0);
        t.clock.advance(Duration.ofMinutes(1));
        RoomSnapshot room = t.room("room-a");
        assertThat(room.agentState()).isEqualTo(AgentState.NONE);
        assertThat(room.hasAgent()).isFalse();
        assertThat(t.launcher.launchesIn("room-a")).hasSize(1);

        assertThat(t.manager.ensureAgent("room-a").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
    }

    @Test
    void cleanExitCanBeTreatedAsACrash() {
        t = new TestManagers(AgentManagerConfig.builder().restartOnCleanExit(true).build());
        activeRoom();
        t.launcher.last("room-a").exitWith(0);
        t.clock.advance(Duration.ofSeconds(1));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(2);
    }

    @Test
    void crashWhileWaitingForTheFirstHumanIsRestarted() {
        t.readyAgent("room-a");
        t.launcher.last("room-a").crash();
        t.clock.advance(Duration.ofSeconds(1));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.STARTING);
    }

    @Test
    void crashDuringGraceIsNotRestartedUntilAHumanReturns() {
        activeRoom();
        t.manager.apply(TestManagers.left("room-a", "PA_1", "client-1"));
        t.launcher.last("room-a").crash();
        t.clock.advance(Duration.ofSeconds(30));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(1);
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.NONE);

        t.manager.apply(joined("room-a", "PA_2", "client-1"));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
    }

    @Test
    void tokenRequestDuringGraceBringsBackACrashedAgent() {
        activeRoom();
        t.manager.apply(TestManagers.left("room-a", "PA_1", "client-1"));
        t.launcher.last("room-a").crash();
        assertThat(t.manager.ensureAgent("room-a").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
    }

    @Test
    void agentNotReadyWithinTheStartupTimeoutIsStoppedAndRelaunched() {
        t.manager.ensureAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        RecordingLauncher.Agent first = t.launcher.last("room-a");

        t.clock.advance(Duration.ofSeconds(30).minusNanos(1));
        assertThat(first.stopRequests()).isZero();
        t.clock.advanceNanos(1);
        assertThat(first.stopRequests()).isEqualTo(1);
        assertThat(first.live()).isFalse();
        assertThat(t.events(LifecycleEvent.AgentStopping.class))
                .containsExactly(new LifecycleEvent.AgentStopping("room-a", first.spec.agentIdentity(),
                        StopReason.STARTUP_TIMEOUT));

        t.clock.advance(Duration.ofSeconds(1));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(2);
        t.heartbeat("room-a");
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.READY);
    }

    @Test
    void agentJoiningTheRoomCountsAsReady() {
        t.manager.ensureAgent("room-a");
        String identity = t.launcher.last("room-a").spec.agentIdentity();
        t.manager.apply(TestManagers.agentJoined("room-a", "PA_agent", identity));
        t.clock.advance(Duration.ofMinutes(2));
        assertThat(t.launcher.last("room-a").stopRequests()).isZero();
        assertThat(t.events(LifecycleEvent.AgentReady.class))
                .containsExactly(new LifecycleEvent.AgentReady("room-a", identity, LifecycleEvent.ReadySignal.JOINED));
    }

    @Test
    void hungAgentIsKilledAfterTheStopTimeoutAndHoldsItsSlotUntilThen() {
        t = new TestManagers(AgentManagerConfig.builder().maxTotalAgents(1).build());
        t.launcher.hangNext();
        t.readyAgent("room-a");
        t.manager.closeRoom("room-a");
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.CLOSING);

        assertThat(t.manager.ensureAgent("room-b").status()).isEqualTo(EnsureResult.Status.QUEUED);
        t.clock.advance(Duration.ofSeconds(10).minusNanos(1));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(t.launcher.launchesIn("room-b")).isEmpty();

        t.clock.advanceNanos(1);
        assertThat(t.manager.room("room-a")).isEmpty();
        assertThat(t.launcher.liveIn("room-b")).hasSize(1);
    }

    @Test
    void agentThatNeverExitsAfterStopIsAskedAgainAndKeepsItsRoomClosing() {
        t.launcher.stuckNext();
        t.readyAgent("room-a");
        RecordingLauncher.Agent stuck = t.launcher.last("room-a");
        t.manager.closeRoom("room-a");

        t.clock.advance(Duration.ofSeconds(20));
        assertThat(t.events(LifecycleEvent.AgentStopOverdue.class)).hasSize(1);
        assertThat(stuck.stopRequests()).isEqualTo(2);
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.CLOSING);
        assertThat(t.manager.stats().totalAgents()).isEqualTo(1);

        stuck.exitWith(137);
        assertThat(t.manager.room("room-a")).isEmpty();
        assertThat(t.manager.stats().totalAgents()).isZero();
    }

    @Test
    void failedLaunchFollowsTheRestartPolicy() {
        t.launcher.failNext("no such file: /opt/agent");
        t.manager.ensureAgent("room-a");
        assertThat(t.events(LifecycleEvent.AgentLaunchFailed.class)).hasSize(1);
        assertThat(t.events(LifecycleEvent.AgentLaunchFailed.class).get(0).error())
                .isEqualTo("no such file: /opt/agent");
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.BACKOFF);
        t.clock.advance(Duration.ofSeconds(1));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
    }

    @Test
    void hungAgentIsDetectedByTheHeartbeatTimeout() {
        t = new TestManagers(AgentManagerConfig.builder().heartbeatTimeout(Duration.ofSeconds(15)).build());
        activeRoom();
        t.clock.advance(Duration.ofSeconds(10));
        t.heartbeat("room-a");
        t.clock.advance(Duration.ofSeconds(15).minusNanos(1));
        assertThat(t.launcher.last("room-a").stopRequests()).isZero();
        t.clock.advanceNanos(1);
        assertThat(t.events(LifecycleEvent.AgentStopping.class).get(0).reason())
                .isEqualTo(StopReason.HEARTBEAT_TIMEOUT);
        t.clock.advance(Duration.ofSeconds(1));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(2);
    }

    @Test
    void healthCheckFindsAgentsThatDiedWithoutAnExitReport() {
        activeRoom();
        t.launcher.last("room-a").vanish();
        MaintenanceReport report = t.manager.runMaintenance();
        assertThat(report.deadAgents()).isEqualTo(1);
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.BACKOFF);
        t.clock.advance(Duration.ofSeconds(1));
        assertThat(t.launcher.launchesIn("room-a")).hasSize(2);
    }

    @Test
    void periodicHealthCheckRunsWithoutBeingAsked() {
        activeRoom();
        t.launcher.last("room-a").vanish();
        t.clock.advance(Duration.ofSeconds(10));
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.BACKOFF);
    }
}
