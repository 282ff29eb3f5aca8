package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.alive;
import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.filesIn;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentExited;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentFailed;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentLaunchFailed;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentLaunched;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentLaunching;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentRestarting;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts through an {@link AgentManager} (system clock, its own loop thread) with real processes: an agent that
 * crashes with exit code 1 is relaunched as a new process after backoff delays that grow by the policy's factor
 * until the restart budget is spent; a command that cannot be started shows as {@code AgentLaunchFailed} with the
 * operating system's error, and the same restart policy applies.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid and coreutils")
class ProcessAgentRestartTest {
    private static final String ROOM = "room-a";

    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    private final EventLog events = new EventLog();
    private final List<Long> launchingAt = new ArrayList<>();

    private AgentManager manager(ProcessAgentLauncher.Builder launcher, RestartPolicy policy) {
        AgentManagerConfig config = AgentManagerConfig.builder()
                .restartPolicy(policy)
                .agentStopTimeout(Duration.ofSeconds(2))
                .build();
        AgentManager manager = processes.closeLater(AgentManager.builder(launcher
                        .stateDirectory(dir.resolve("state"))
                        .outputSink(new CollectingSink())
                        .build())
                .config(config)
                .listener(events)
                .listener(event -> {
                    if (event instanceof AgentLaunching) {
                        synchronized (launchingAt) {
                            launchingAt.add(System.nanoTime());
                        }
                    }
                })
                .listener(processes.agentTracker())
                .build());
        manager.start();
        return manager;
    }

    private void humanJoins(AgentManager manager) {
        assertThat(manager.ensureAgent(ROOM).status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(manager.apply(RoomEvent.participantJoined(ROOM, "PA_1", "client-1", ParticipantRole.HUMAN)))
                .isEqualTo(EventOutcome.APPLIED);
    }

    @Test
    void crashingAgentIsRelaunchedAsANewProcessWithGrowingBackoff() throws Exception {
        Path crashes = Files.createDirectories(dir.resolve("crash"));
        Path agent = script(dir, "agent.sh", """
                while [ ! -e "$CRASHES/$AGENT_IDENTITY" ]; do sleep 0.01; done
                exit 1""");
        AgentManager manager = manager(
                ProcessAgentLauncher.builder(sh(agent)).environment("CRASHES", crashes.toString()),
                RestartPolicy.builder().initialDelay(Duration.ofMillis(100)).factor(2).maxDelay(Duration.ofSeconds(2))
                        .maxRestarts(4).build());
        humanJoins(manager);

        for (int attempt = 1; attempt <= 5; attempt++) {
            int launches = attempt;
            await(() -> events.of(AgentLaunched.class).size() == launches, "launch " + launches);
            AgentLaunched launched = events.of(AgentLaunched.class).get(attempt - 1);
            assertThat(manager.heartbeat(ROOM, launched.agentIdentity())).isTrue();
            assertThat(alive(launched.pid())).isTrue();
            Files.createFile(crashes.resolve(launched.agentIdentity()));
            await(() -> events.of(AgentExited.class).size() == launches, "crash " + launches);
        }
        await(() -> !events.of(AgentFailed.class).isEmpty(), "the restart budget to be spent");

        List<Duration> delays = events.of(AgentRestarting.class).stream().map(AgentRestarting::delay).toList();
        assertThat(delays).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(800));
        assertThat(events.of(AgentLaunching.class)).extracting(AgentLaunching::attempt).containsExactly(1, 2, 3, 4, 5);
        synchronized (launchingAt) {
            for (int i = 0; i < delays.size(); i++) {
                assertThat(Duration.ofNanos(launchingAt.get(i + 1) - launchingAt.get(i)))
                        .as("time between launch %d and launch %d", i + 1, i + 2)
                        .isGreaterThanOrEqualTo(delays.get(i));
            }
        }
        List<Long> pids = events.of(AgentLaunched.class).stream().map(AgentLaunched::pid).toList();
        assertThat(pids).hasSize(5).doesNotHaveDuplicates().noneMatch(RealProcesses::alive);
        assertThat(events.of(AgentExited.class)).allSatisfy(exited -> {
            assertThat(exited.exit()).isEqualTo(AgentExit.exited(1, false));
            assertThat(exited.expected()).isFalse();
        });
        assertThat(manager.room(ROOM).orElseThrow().agentState()).isEqualTo(AgentState.FAILED);
        assertThat(filesIn(dir.resolve("state"))).isEmpty();
    }

    @Test
    void commandThatCannotStartIsAFailedLaunchRetriedUnderTheRestartPolicy() {
        Path missing = dir.resolve("missing-agent");
        AgentManager manager = manager(ProcessAgentLauncher.builder(missing.toString()),
                RestartPolicy.builder().initialDelay(Duration.ofMillis(50)).factor(3).maxRestarts(2).build());
        humanJoins(manager);

        await(() -> !events.of(AgentFailed.class).isEmpty(), "the restart budget to be spent");

        assertThat(events.of(AgentLaunchFailed.class)).hasSize(3).allSatisfy(failed -> {
            assertThat(failed.roomName()).isEqualTo(ROOM);
            assertThat(failed.error()).contains(missing.toString()).contains("No such file or directory");
        });
        assertThat(events.of(AgentRestarting.class)).extracting(AgentRestarting::delay)
                .containsExactly(Duration.ofMillis(50), Duration.ofMillis(150));
        assertThat(events.of(LifecycleEvent.AgentLaunched.class)).isEmpty();
        ManagerStats stats = manager.stats();
        assertThat(stats.agentLaunchFailures()).isEqualTo(3);
        assertThat(stats.totalAgents()).isZero();
        assertThat(manager.room(ROOM).orElseThrow().agentState()).isEqualTo(AgentState.FAILED);
    }
}
