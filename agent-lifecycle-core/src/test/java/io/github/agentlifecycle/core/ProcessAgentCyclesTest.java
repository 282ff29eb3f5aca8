package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.filesIn;
import static io.github.agentlifecycle.core.RealProcesses.pidsIn;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentExited;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentLaunched;
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
 * Many launch/stop cycles through an {@link AgentManager} with real processes (token request, then closing the
 * room, half of the time before the agent has even started): afterwards no agent process or child of one runs and
 * the state directory holds no record.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid and coreutils")
class ProcessAgentCyclesTest {
    private static final int CYCLES = 200;

    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    @Test
    void launchStopCyclesLeaveNoProcessesAndNoRecords() throws Exception {
        Path children = Files.createDirectories(dir.resolve("children"));
        Path state = dir.resolve("state");
        Path agent = script(dir, "agent.sh", """
                sleep 1000 &
                echo $! > "$CHILDREN/$AGENT_IDENTITY"
                wait""");
        EventLog events = new EventLog();
        AgentManager manager = processes.closeLater(AgentManager.builder(ProcessAgentLauncher.builder(sh(agent))
                        .environment("CHILDREN", children.toString())
                        .stateDirectory(state)
                        .outputSink(new CollectingSink())
                        .build())
                .config(AgentManagerConfig.builder().agentStopTimeout(Duration.ofSeconds(5)).build())
                .listener(events)
                .listener(processes.agentTracker())
                .build());
        manager.start();

        for (int cycle = 0; cycle < CYCLES; cycle++) {
            String room = "room-" + cycle;
            assertThat(manager.ensureAgent(room).status()).isEqualTo(EnsureResult.Status.LAUNCHED);
            if (cycle % 2 == 1) {
                String identity = manager.room(room).orElseThrow().agentIdentity();
                // The shell creates the file before it writes the child's pid into it.
                await(() -> !pidsIn(children.resolve(identity)).isEmpty(),
                        "the agent of " + room + " to start its child");
            }
            assertThat(manager.closeRoom(room)).isTrue();
            await(() -> manager.room(room).isEmpty(), room + " to be removed");
        }

        List<Long> agents = events.of(AgentLaunched.class).stream().map(AgentLaunched::pid).toList();
        List<Long> childPids = new ArrayList<>();
        for (String file : filesIn(children)) {
            childPids.addAll(pidsIn(children.resolve(file)));
        }
        assertThat(agents).hasSize(CYCLES).doesNotHaveDuplicates().noneMatch(RealProcesses::alive);
        assertThat(childPids).hasSizeGreaterThanOrEqualTo(CYCLES / 2).noneMatch(RealProcesses::alive);
        assertThat(agents).allSatisfy(pid -> assertThat(RealProcesses.sessionOrGroupMembers(pid)).isEmpty());
        assertThat(events.of(AgentExited.class)).hasSize(CYCLES)
                .allSatisfy(exited -> assertThat(exited.exit().stopRequested()).isTrue());
        assertThat(filesIn(state)).isEmpty();
        assertThat(manager.stats().totalAgents()).isZero();
    }
}
