package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.agentJoined;
import static io.github.agentlifecycle.core.TestManagers.joined;
import static io.github.agentlifecycle.core.TestManagers.left;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The state chart, grace by timer and the join timeout, on a manual clock. */
class RoomLifecycleTest {
    private final TestManagers t = new TestManagers();

    @AfterEach
    void noViolations() {
        assertThat(t.launcher.violations()).isEmpty();
    }

    @Test
    void walksTheStateChartFromTokenToRemoval() {
        EnsureResult first = t.manager.ensureAgent("room-a");
        assertThat(first.status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(first.room().state()).isEqualTo(RoomState.STARTING);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.RUNNING);

        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.ACTIVE);

        String agentIdentity = t.launcher.last("room-a").spec.agentIdentity();
        t.manager.apply(agentJoined("room-a", "PA_agent", agentIdentity));
        RoomSnapshot active = t.room("room-a");
        assertThat(active.agentState()).isEqualTo(AgentState.READY);
        assertThat(active.humanCount()).isEqualTo(1);
        assertThat(active.participantCount()).isEqualTo(2);
        assertThat(active.agentIdentity()).isEqualTo(agentIdentity);
        assertThat(active.agentPid()).isEqualTo(t.launcher.last("room-a").pid);

        t.manager.apply(left("room-a", "PA_1", "client-1"));
        RoomSnapshot grace = t.room("room-a");
        assertThat(grace.state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(grace.graceRemaining()).isEqualTo(Duration.ofSeconds(60));
        assertThat(grace.hasAgent()).isTrue();

        t.clock.advance(Duration.ofSeconds(60));
        assertThat(t.manager.room("room-a")).isEmpty();
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.events(LifecycleEvent.RoomClosed.class))
                .containsExactly(new LifecycleEvent.RoomClosed("room-a", CloseReason.GRACE_EXPIRED));
    }

    @Test
    void repeatedTokenRequestsKeepOneAgent() {
        t.manager.ensureAgent("room-a");
        EnsureResult again = t.manager.ensureAgent("room-a");
        assertThat(again.status()).isEqualTo(EnsureResult.Status.RUNNING);
        assertThat(t.launcher.launchesIn("room-a")).hasSize(1);
    }

    @Test
    void graceEndsExactlyAtTheDeadlineNotAtTheNextGcTick() {
        t.readyAgent("room-a");
        t.clock.advance(Duration.ofSeconds(7));
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.clock.advance(Duration.ofSeconds(5));
        t.manager.apply(left("room-a", "PA_1", "client-1"));

        t.clock.advance(Duration.ofSeconds(60).minusNanos(1));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(t.room("room-a").graceRemaining()).isEqualTo(Duration.ofNanos(1));

        t.clock.advanceNanos(1);
        assertThat(t.launcher.liveIn("room-a")).isEmpty();
        assertThat(t.launcher.last("room-a").stopRequests()).isEqualTo(1);
        assertThat(t.manager.room("room-a")).isEmpty();
    }

    @Test
    void rejoinDuringGraceCancelsIt() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.manager.apply(left("room-a", "PA_1", "client-1"));
        t.clock.advance(Duration.ofSeconds(45));

        t.manager.apply(joined("room-a", "PA_2", "client-1"));
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.ACTIVE);
        assertThat(t.room("room-a").graceRemaining()).isNull();
        assertThat(t.events(LifecycleEvent.GraceCancelled.class))
                .containsExactly(new LifecycleEvent.GraceCancelled("room-a", Duration.ofSeconds(15)));

        t.clock.advance(Duration.ofMinutes(30));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(t.launcher.launchesIn("room-a")).hasSize(1);
    }

    @Test
    void tokenRoomWaitsForItsFirstHumanUntilTheJoinTimeoutDespiteGcSweeps() {
        t.readyAgent("room-a");
        t.clock.advance(Duration.ofMinutes(5).minusNanos(1));
        t.manager.runMaintenance();
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.STARTING);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);

        t.clock.advanceNanos(1);
        assertThat(t.manager.room("room-a")).isEmpty();
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.events(LifecycleEvent.JoinTimedOut.class)).hasSize(1);
        assertThat(t.events(LifecycleEvent.RoomClosed.class))
                .containsExactly(new LifecycleEvent.RoomClosed("room-a", CloseReason.JOIN_TIMEOUT));
    }

    @Test
    void firstJoinEndsTheJoinTimeout() {
        t.readyAgent("room-a");
        t.clock.advance(Duration.ofMinutes(4));
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.clock.advance(Duration.ofHours(2));
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.ACTIVE);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
    }

    @Test
    void roomSeenOnlyThroughWebhooksIsEmptyAndForgottenAfterTheJoinTimeout() {
        t.manager.apply(RoomEvent.roomStarted("room-b", "RM_1"));
        RoomSnapshot room = t.room("room-b");
        assertThat(room.state()).isEqualTo(RoomState.EMPTY);
        assertThat(room.roomInstanceId()).isEqualTo("RM_1");
        assertThat(t.launcher.launches()).isEmpty();

        t.clock.advance(Duration.ofMinutes(5));
        assertThat(t.manager.room("room-b")).isEmpty();
    }

    @Test
    void tokenDuringGraceKeepsTheRoomForTheNewcomer() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.manager.apply(left("room-a", "PA_1", "client-1"));
        t.clock.advance(Duration.ofSeconds(50));
        t.manager.ensureAgent("room-a");

        t.clock.advance(Duration.ofSeconds(10));
        assertThat(t.events(LifecycleEvent.GraceExpired.class)).hasSize(1);
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.STARTING);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);

        t.clock.advance(Duration.ofMinutes(5).minusSeconds(10));
        assertThat(t.manager.room("room-a")).isEmpty();
        assertThat(t.launcher.live()).isEmpty();
    }

    @Test
    void zeroGracePeriodStopsTheAgentWhenTheLastHumanLeaves() {
        TestManagers zero = new TestManagers(AgentManagerConfig.builder().gracePeriod(Duration.ZERO).build());
        zero.manager.ensureAgent("room-a");
        zero.manager.apply(joined("room-a", "PA_1", "client-1"));
        zero.manager.apply(left("room-a", "PA_1", "client-1"));
        assertThat(zero.manager.room("room-a")).isEmpty();
        assertThat(zero.launcher.live()).isEmpty();
    }

    @Test
    void removedRoomsLeaveNoTimersBehind() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.manager.apply(left("room-a", "PA_1", "client-1"));
        int withRoom = t.clock.pendingTimers();
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(t.manager.room("room-a")).isEmpty();
        // what is kept of the closed room is forgotten after the replay window
        t.clock.advance(t.manager.config().replayWindow());
        // only the periodic GC and health check remain
        assertThat(t.clock.pendingTimers()).isEqualTo(2).isLessThan(withRoom);
    }
}
