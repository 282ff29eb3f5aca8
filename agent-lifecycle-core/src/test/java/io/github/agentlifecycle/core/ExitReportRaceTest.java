package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.joined;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * An agent's exit reported by its handle while the engine is busy: the report waits in the engine's queue, and a
 * health check that runs first (a maintenance request queued earlier, or the periodic one) finds the handle no
 * longer alive. The exit is then handled with the status the handle reported, not as an agent found dead without
 * an exit report, so a clean exit stays clean (no restart) and nothing is logged as lost. The engine runs on an
 * executor the test drains by hand, on a manual clock.
 */
class ExitReportRaceTest {
    private final ManualClock clock = new ManualClock();
    private final RecordingLauncher launcher = new RecordingLauncher(clock, 10);
    /** Engine tasks held back while {@link #holding}; otherwise they run at once on the calling thread. */
    private final Queue<Runnable> held = new ArrayDeque<>();
    private boolean holding;
    private final List<LifecycleEvent> events = new ArrayList<>();
    private final AgentManager manager = AgentManager.builder(launcher)
            .clock(clock)
            .executor(task -> {
                if (holding) {
                    held.add(task);
                } else {
                    task.run();
                }
            })
            .listener(events::add)
            .build();

    /** Runs the held engine tasks and stops holding; returns the value of {@code stage}. */
    private <T> T release(CompletionStage<T> stage) {
        holding = false;
        for (Runnable task; (task = held.poll()) != null; ) {
            task.run();
        }
        CompletableFuture<T> future = stage.toCompletableFuture();
        assertThat(future).isDone();
        return future.join();
    }

    private String startWithReadyAgentAndAHuman() {
        manager.start();
        manager.ensureAgent("room-a");
        String identity = launcher.last("room-a").spec.agentIdentity();
        manager.heartbeat("room-a", identity);
        manager.apply(joined("room-a", "PA_1", "client-1"));
        assertThat(manager.room("room-a").orElseThrow().agentState()).isEqualTo(AgentState.READY);
        return identity;
    }

    @Test
    void cleanExitReportedJustBeforeAHealthCheckIsNotRestarted() {
        String identity = startWithReadyAgentAndAHuman();

        holding = true;
        CompletionStage<MaintenanceReport> maintenance = manager.runMaintenanceAsync();
        launcher.last("room-a").exitWith(0);
        MaintenanceReport report = release(maintenance);

        assertThat(report.deadAgents()).isZero();
        assertThat(events).filteredOn(LifecycleEvent.AgentExited.class::isInstance).containsExactly(
                new LifecycleEvent.AgentExited("room-a", identity, AgentExit.exited(0, false), false));
        assertThat(events).noneMatch(LifecycleEvent.AgentRestarting.class::isInstance);
        assertThat(manager.room("room-a").orElseThrow().agentState()).isEqualTo(AgentState.NONE);
        assertThat(launcher.launchesIn("room-a")).hasSize(1);
        assertThat(launcher.violations()).isEmpty();
    }

    @Test
    void crashReportedJustBeforeAHealthCheckKeepsItsExitCode() {
        String identity = startWithReadyAgentAndAHuman();

        holding = true;
        CompletionStage<MaintenanceReport> maintenance = manager.runMaintenanceAsync();
        launcher.last("room-a").exitWith(3);
        MaintenanceReport report = release(maintenance);

        assertThat(report.deadAgents()).isZero();
        assertThat(events).filteredOn(LifecycleEvent.AgentExited.class::isInstance).containsExactly(
                new LifecycleEvent.AgentExited("room-a", identity, AgentExit.exited(3, false), false));
        assertThat(manager.room("room-a").orElseThrow().agentState()).isEqualTo(AgentState.BACKOFF);
        assertThat(launcher.violations()).isEmpty();
    }
}
