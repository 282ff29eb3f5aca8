package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.joined;
import static io.github.agentlifecycle.core.TestManagers.left;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code maxTotalAgents}: rooms beyond the cap wait in FIFO order; stopping agents keep their slot. */
class CapacityTest {
    private final TestManagers t = new TestManagers(AgentManagerConfig.builder().maxTotalAgents(2).build());

    @AfterEach
    void noViolations() {
        assertThat(t.launcher.violations()).isEmpty();
    }

    @Test
    void roomsBeyondTheCapQueueInArrivalOrderAndGetTheNextFreeSlot() {
        assertThat(t.readyAgent("r1").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(t.readyAgent("r2").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        EnsureResult third = t.manager.ensureAgent("r3");
        EnsureResult fourth = t.manager.ensureAgent("r4");
        assertThat(third.status()).isEqualTo(EnsureResult.Status.QUEUED);
        assertThat(third.room().agentState()).isEqualTo(AgentState.QUEUED);
        assertThat(fourth.status()).isEqualTo(EnsureResult.Status.QUEUED);
        assertThat(t.events(LifecycleEvent.CapacityQueued.class)).containsExactly(
                new LifecycleEvent.CapacityQueued("r3", 1), new LifecycleEvent.CapacityQueued("r4", 2));
        assertThat(t.manager.stats().queuedRooms()).isEqualTo(2);
        assertThat(t.manager.ensureAgent("r3").status()).isEqualTo(EnsureResult.Status.QUEUED);

        t.manager.closeRoom("r2");
        assertThat(t.launcher.liveIn("r3")).hasSize(1);
        assertThat(t.launcher.launchesIn("r4")).isEmpty();

        t.manager.closeRoom("r1");
        assertThat(t.launcher.liveIn("r4")).hasSize(1);
        assertThat(t.launcher.live()).hasSize(2);
    }

    @Test
    void stoppingAgentKeepsItsSlotUntilItHasExited() {
        t.launcher.hangNext();
        t.readyAgent("r1");
        t.readyAgent("r2");
        t.manager.ensureAgent("r3");
        t.manager.closeRoom("r1");
        assertThat(t.manager.stats().totalAgents()).isEqualTo(2);
        assertThat(t.launcher.launchesIn("r3")).isEmpty();

        t.clock.advance(Duration.ofSeconds(10));
        assertThat(t.launcher.liveIn("r1")).isEmpty();
        assertThat(t.launcher.liveIn("r3")).hasSize(1);
    }

    @Test
    void queuedRoomThatNoLongerNeedsAnAgentLeavesTheQueue() {
        t.readyAgent("r1");
        t.readyAgent("r2");
        t.manager.ensureAgent("r3");
        t.manager.ensureAgent("r4");
        t.manager.closeRoom("r3");
        assertThat(t.manager.stats().queuedRooms()).isEqualTo(1);

        t.manager.closeRoom("r1");
        assertThat(t.launcher.liveIn("r4")).hasSize(1);
        assertThat(t.launcher.launchesIn("r3")).isEmpty();
    }

    @Test
    void roomInBackoffKeepsItsSlotSoQueuedRoomsDoNotOvertakeARestart() {
        t.readyAgent("r1");
        t.manager.apply(joined("r1", "PA_1", "client-1"));
        t.readyAgent("r2");
        t.manager.ensureAgent("r3");
        t.launcher.last("r1").crash();
        assertThat(t.launcher.launchesIn("r3")).isEmpty();
        t.clock.advance(Duration.ofSeconds(1));
        assertThat(t.launcher.liveIn("r1")).hasSize(1);
    }

    @Test
    void slotFreedByGraceExpiryGoesToTheQueue() {
        t.readyAgent("r1");
        t.manager.apply(joined("r1", "PA_1", "client-1"));
        t.readyAgent("r2");
        t.manager.ensureAgent("r3");
        t.manager.apply(left("r1", "PA_1", "client-1"));
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(t.manager.room("r1")).isEmpty();
        assertThat(t.launcher.liveIn("r3")).hasSize(1);
    }

    @Test
    void tooManyRoomsRejectsTokenRequestsForNewRoomsOnly() {
        TestManagers small = new TestManagers(AgentManagerConfig.builder().maxRooms(2).build());
        small.manager.ensureAgent("r1");
        small.manager.ensureAgent("r2");
        EnsureResult rejected = small.manager.ensureAgent("r3");
        assertThat(rejected.status()).isEqualTo(EnsureResult.Status.REJECTED);
        assertThat(rejected.message()).contains("maxRooms");
        assertThat(small.manager.room("r3")).isEmpty();
        assertThat(small.manager.ensureAgent("r1").status()).isEqualTo(EnsureResult.Status.RUNNING);
    }
}
