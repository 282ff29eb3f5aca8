package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.joined;
import static io.github.agentlifecycle.core.TestManagers.left;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Draining a manager that keeps rooms in memory, on a manual clock. */
class DrainTest {
    private static final Duration LONG = Duration.ofMinutes(30);
    private final TestManagers t = new TestManagers();

    @AfterEach
    void noViolations() {
        assertThat(t.launcher.violations()).isEmpty();
    }

    @Test
    void aDrainWithNoRoomsClosesAtOnce() {
        CompletableFuture<Void> drained = t.manager.drainAsync(LONG).toCompletableFuture();

        assertThat(drained).isCompleted();
        assertThat(t.manager.state()).isEqualTo(ManagerState.CLOSED);
    }

    @Test
    void takesNoNewRoomButServesItsRoomsUntilTheyEndThenCloses() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.readyAgent("room-b");
        t.manager.apply(joined("room-b", "PA_2", "client-2"));

        CompletableFuture<Void> drained = t.manager.drainAsync(LONG).toCompletableFuture();

        assertThat(t.manager.state()).isEqualTo(ManagerState.DRAINING);
        EnsureResult refused = t.manager.ensureAgent("room-c");
        assertThat(refused.status()).isEqualTo(EnsureResult.Status.DRAINING);
        assertThat(t.launcher.launchesIn("room-c")).isEmpty();
        assertThat(t.manager.room("room-c")).isEmpty();
        assertThat(t.manager.ensureAgent("room-a").status()).isEqualTo(EnsureResult.Status.RUNNING);
        ManagerStats stats = t.manager.stats();
        assertThat(stats.state()).isEqualTo(ManagerState.DRAINING);
        assertThat(stats.hostedAgents()).isEqualTo(2);

        t.manager.apply(left("room-a", "PA_1", "client-1"));
        t.clock.advance(Duration.ofSeconds(30));
        t.manager.apply(joined("room-a", "PA_3", "client-1"));
        t.manager.apply(left("room-b", "PA_2", "client-2"));
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(t.launcher.liveIn("room-b")).isEmpty();
        assertThat(drained).isNotDone();
        assertThat(t.manager.stats().hostedAgents()).isEqualTo(1);

        t.manager.apply(left("room-a", "PA_3", "client-1"));
        t.clock.advance(Duration.ofSeconds(60));

        assertThat(drained).isCompleted();
        assertThat(t.manager.state()).isEqualTo(ManagerState.CLOSED);
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.events(LifecycleEvent.RoomClosed.class)).extracting(LifecycleEvent.RoomClosed::reason)
                .containsOnly(CloseReason.GRACE_EXPIRED);
    }

    @Test
    void aCrashedAgentOfARoomItServesIsRestartedWhileItDrains() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        CompletableFuture<Void> drained = t.manager.drainAsync(LONG).toCompletableFuture();

        t.launcher.last("room-a").crash();
        t.clock.advance(Duration.ofSeconds(5));

        assertThat(t.launcher.launchesIn("room-a")).hasSize(2);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(drained).isNotDone();
    }

    @Test
    void aRoomWaitingForASlotIsServedBeforeTheDrainEnds() {
        TestManagers capped = new TestManagers(AgentManagerConfig.builder().maxTotalAgents(1).build());
        capped.readyAgent("room-a");
        capped.manager.apply(joined("room-a", "PA_1", "client-1"));
        assertThat(capped.manager.ensureAgent("room-b").status()).isEqualTo(EnsureResult.Status.QUEUED);
        capped.manager.apply(joined("room-b", "PA_2", "client-2"));
        CompletableFuture<Void> drained = capped.manager.drainAsync(LONG).toCompletableFuture();

        capped.manager.apply(left("room-a", "PA_1", "client-1"));
        capped.clock.advance(Duration.ofSeconds(60));

        assertThat(capped.launcher.liveIn("room-b")).hasSize(1);
        assertThat(drained).isNotDone();
        capped.manager.apply(left("room-b", "PA_2", "client-2"));
        capped.clock.advance(Duration.ofSeconds(60));
        assertThat(drained).isCompleted();
    }

    @Test
    void atTheTimeoutWhatIsLeftIsStoppedAsByClose() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        CompletableFuture<Void> drained = t.manager.drainAsync(Duration.ofMinutes(10)).toCompletableFuture();

        t.clock.advance(Duration.ofMinutes(10).minusNanos(1));
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
        assertThat(drained).isNotDone();
        t.clock.advanceNanos(1);

        assertThat(t.launcher.liveIn("room-a")).isEmpty();
        assertThat(drained).isCompleted();
        assertThat(t.events(LifecycleEvent.RoomClosed.class))
                .containsExactly(new LifecycleEvent.RoomClosed("room-a", CloseReason.SHUTDOWN));
    }

    @Test
    void closeDuringADrainClosesAtOnceAndASecondDrainChangesNothing() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        CompletableFuture<Void> drained = t.manager.drainAsync(LONG).toCompletableFuture();
        CompletableFuture<Void> again = t.manager.drainAsync(Duration.ZERO).toCompletableFuture();
        assertThat(again).isNotDone();
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);

        t.manager.close();

        assertThat(drained).isCompleted();
        assertThat(again).isCompleted();
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.manager.state()).isEqualTo(ManagerState.CLOSED);
    }

    @Test
    void aManagerNeverStartedDrainsAtOnceAndANegativeTimeoutIsRefused() {
        AgentManager fresh = AgentManager.builder(t.launcher).clock(t.clock).executor(Runnable::run).build();
        assertThat(fresh.state()).isEqualTo(ManagerState.NEW);
        assertThatThrownBy(() -> fresh.drainAsync(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");

        fresh.drain(LONG);

        assertThat(fresh.state()).isEqualTo(ManagerState.CLOSED);
    }
}
