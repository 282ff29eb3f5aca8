package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.alive;
import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.filesIn;
import static io.github.agentlifecycle.core.RealProcesses.get;
import static io.github.agentlifecycle.core.RealProcesses.pidsIn;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.internal.ProcessTree;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stopping an agent's whole process tree with real processes: an agent that ignores SIGTERM is killed with
 * SIGKILL after the stop timeout; children, grandchildren and a grandchild re-parented away from the agent all die
 * with it; and processes left behind by an agent that exits by itself are stopped (SIGTERM, then SIGKILL after the
 * launcher's stop timeout) before its exit is reported.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid and coreutils")
class ProcessTreeStopTest {
    private static final Duration LEFTOVER_TIMEOUT = Duration.ofMillis(500);

    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    private AgentHandle launch(Path agent) throws Exception {
        ProcessAgentLauncher launcher = processes.closeLater(ProcessAgentLauncher.builder(sh(agent))
                .environment("DIR", dir.toString())
                .stateDirectory(dir.resolve("state"))
                .outputSink(new CollectingSink())
                .build());
        launcher.start(new EventLog(LEFTOVER_TIMEOUT));
        AgentHandle handle = get(launcher.launch(new AgentSpec("room-a", "ai-agent-a", "secret", 1)));
        processes.track(handle.pid().orElseThrow());
        return handle;
    }

    @Test
    void agentIgnoringSigtermIsKilledAfterTheStopTimeout() throws Exception {
        AgentHandle handle = launch(script(dir, "agent.sh", """
                trap '' TERM
                sleep 1000 &
                echo $! > "$DIR/child"
                wait"""));
        long pid = handle.pid().orElseThrow();
        await(() -> pidsIn(dir.resolve("child")).size() == 1, "the agent to start its child");
        long child = pidsIn(dir.resolve("child")).get(0);
        Duration stopTimeout = Duration.ofMillis(700);

        long stopped = System.nanoTime();
        handle.stop(stopTimeout);
        assertThat(handle.isAlive()).isTrue();
        assertThat(alive(pid)).isTrue();
        assertThat(alive(child)).isTrue();

        AgentExit exit = get(handle.onExit());
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isGreaterThanOrEqualTo(stopTimeout);
        assertThat(exit).isEqualTo(AgentExit.signalled(9, true));
        assertThat(alive(pid)).isFalse();
        assertThat(alive(child)).isFalse();
        assertThat(filesIn(dir.resolve("state"))).isEmpty();
    }

    /**
     * An agent that ignores SIGTERM and starts a long-lived child every few milliseconds: the SIGKILL round lists the
     * tree and then signals it, so now and then the agent starts a child between the two. Such a child must die too,
     * or the agent's exit is never reported. Each of several stops has a good chance to hit that moment.
     */
    @Test
    void childStartedWhileTheTreeIsBeingKilledIsKilledToo() throws Exception {
        Path agent = script(dir, "agent.sh", """
                trap '' TERM
                while :; do
                  sleep 1000 &
                  child=$!
                  sleep 0.01
                  kill -9 "$child"
                  wait "$child"
                done""");
        for (int stop = 0; stop < 12; stop++) {
            AgentHandle handle = launch(agent);
            long pid = handle.pid().orElseThrow();
            await(() -> ProcessTree.members(pid).size() >= 3, "the agent to start its children");

            handle.stop(Duration.ofMillis(50));

            assertThat(get(handle.onExit())).as("stop %d", stop).isEqualTo(AgentExit.signalled(9, true));
            assertThat(RealProcesses.sessionOrGroupMembers(pid)).as("stop %d", stop).isEmpty();
        }
    }

    @Test
    void stopKillsChildrenGrandchildrenAndReparentedGrandchildren() throws Exception {
        AgentHandle handle = launch(script(dir, "agent.sh", """
                sleep 1000 & echo $! >> "$DIR/pids"
                sleep 1000 & echo $! >> "$DIR/pids"
                sh -c 'sleep 1000 & echo $! >> "$1"; wait' nested "$DIR/pids" & echo $! >> "$DIR/pids"
                sh -c 'sleep 1000 & echo $! > "$1"' detached "$DIR/detached"
                wait"""));
        long pid = handle.pid().orElseThrow();
        ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
        await(() -> pidsIn(dir.resolve("pids")).size() == 4 && pidsIn(dir.resolve("detached")).size() == 1,
                "the agent to start its children and grandchildren");
        long detached = pidsIn(dir.resolve("detached")).get(0);
        await(() -> agent.descendants().noneMatch(p -> p.pid() == detached),
                "the detached grandchild to be re-parented away from the agent");
        List<Long> tree = new ArrayList<>(pidsIn(dir.resolve("pids")));
        tree.add(detached);
        tree.add(pid);
        assertThat(tree).allMatch(RealProcesses::alive);

        handle.stop(Duration.ofSeconds(10));
        AgentExit exit = get(handle.onExit());

        assertThat(exit).isEqualTo(AgentExit.signalled(15, true));
        assertThat(tree).noneMatch(RealProcesses::alive);
    }

    @Test
    void processesThatLeftTheAgentsProcessGroupOrSessionDieWithItToo() throws Exception {
        AgentHandle handle = launch(script(dir, "agent.sh", """
                ( perl -e 'setpgrp(0, 0); exec @ARGV' sleep 1000 & echo $! > "$DIR/grouped" )
                setsid -f /bin/sh -c 'echo $$ > "$1"; exec sleep 1000' daemon "$DIR/daemon"
                sleep 1000"""));
        await(() -> pidsIn(dir.resolve("grouped")).size() == 1 && pidsIn(dir.resolve("daemon")).size() == 1,
                "the agent to start its escapees");
        long grouped = processes.track(pidsIn(dir.resolve("grouped")).get(0));
        long daemon = processes.track(pidsIn(dir.resolve("daemon")).get(0));

        handle.stop(Duration.ofSeconds(5));
        get(handle.onExit());

        assertThat(alive(grouped)).as("a child in a process group of its own, orphaned").isFalse();
        assertThat(alive(daemon)).as("a daemon in a session of its own, orphaned").isFalse();
    }

    @Test
    void childrenKeepTheStopTimeoutToFinishWhenTheAgentExitsFirst() throws Exception {
        AgentHandle handle = launch(script(dir, "agent.sh", """
                trap 'exit 0' TERM
                sh -c 'trap "touch \\"$1/finishing\\"; sleep 0.3; touch \\"$1/finished\\"; exit 0" TERM
                       echo $$ > "$1/child"
                       while :; do sleep 0.02; done' worker "$DIR" &
                wait"""));
        await(() -> pidsIn(dir.resolve("child")).size() == 1, "the agent to start its worker");
        long child = pidsIn(dir.resolve("child")).get(0);

        handle.stop(Duration.ofSeconds(15));
        AgentExit exit = get(handle.onExit());

        assertThat(exit).isEqualTo(AgentExit.exited(0, true));
        assertThat(dir.resolve("finishing")).exists();
        assertThat(dir.resolve("finished")).exists();
        assertThat(alive(child)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void processesLeftBehindByAnAgentThatExitsAreStoppedBeforeItsExitIsReported(boolean childIgnoresSigterm)
            throws Exception {
        AgentHandle handle = launch(script(dir, "agent.sh", (childIgnoresSigterm ? "trap '' TERM\n" : "") + """
                sleep 1000 &
                echo $! > "$DIR/child"
                exit 3"""));

        AgentExit exit = get(handle.onExit());

        long child = pidsIn(dir.resolve("child")).get(0);
        assertThat(exit).isEqualTo(AgentExit.exited(3, false));
        assertThat(alive(child)).isFalse();
        assertThat(filesIn(dir.resolve("state"))).isEmpty();
    }
}
