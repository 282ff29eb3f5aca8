package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.joined;
import static io.github.agentlifecycle.core.TestManagers.left;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Drains on a manual clock: a room that waits for its agent when the drain begins (restarting after a crash, or
 * queued for a slot) keeps the drain going and gets its agent, as it would without the drain.
 */
class DrainTest {

    @Test
    void aRoomWhoseAgentRestartsAfterACrashKeepsTheDrainGoingAndGetsItsAgentBack() {
        TestManagers t = new TestManagers();
        t.readyAgent("r1");
        t.manager.apply(joined("r1", "PA_1", "alice"));
        t.launcher.last("r1").crash();
        assertThat(t.room("r1").agentState()).isEqualTo(AgentState.BACKOFF);

        CompletableFuture<Void> drained = t.manager.drainAsync(Duration.ofMinutes(10)).toCompletableFuture();
        assertThat(t.manager.state()).isEqualTo(ManagerState.DRAINING);
        assertThat(drained).isNotDone();

        t.clock.advance(Duration.ofSeconds(1));
        assertThat(t.launcher.liveIn("r1")).hasSize(1);
        assertThat(t.launcher.launchesIn("r1")).hasSize(2);
        assertThat(t.heartbeat("r1")).isTrue();
        assertThat(t.manager.state()).isEqualTo(ManagerState.DRAINING);

        t.manager.apply(left("r1", "PA_1", "alice"));
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(drained).isCompleted();
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.events(LifecycleEvent.RoomClosed.class)).extracting(LifecycleEvent.RoomClosed::reason)
                .containsExactly(CloseReason.GRACE_EXPIRED);
    }

    @Test
    void aRoomQueuedForASlotKeepsTheDrainGoingAndGetsTheSlotWhenItFrees() {
        TestManagers t = new TestManagers(AgentManagerConfig.builder().maxTotalAgents(1).build());
        t.readyAgent("r1");
        t.manager.apply(joined("r1", "PA_1", "alice"));
        assertThat(t.manager.ensureAgent("r2").status()).isEqualTo(EnsureResult.Status.QUEUED);
        t.manager.apply(joined("r2", "PA_2", "bob"));

        CompletableFuture<Void> drained = t.manager.drainAsync(Duration.ofMinutes(10)).toCompletableFuture();
        t.manager.apply(left("r1", "PA_1", "alice"));
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(t.manager.room("r1")).isEmpty();
        assertThat(t.launcher.liveIn("r2")).as("r2's agent, in the slot r1 freed").hasSize(1);
        assertThat(t.manager.state()).isEqualTo(ManagerState.DRAINING);
        assertThat(drained).isNotDone();

        t.heartbeat("r2");
        t.manager.apply(left("r2", "PA_2", "bob"));
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(drained).isCompleted();
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.events(LifecycleEvent.RoomClosed.class)).extracting(LifecycleEvent.RoomClosed::reason)
                .containsExactly(CloseReason.GRACE_EXPIRED, CloseReason.GRACE_EXPIRED);
    }
}
