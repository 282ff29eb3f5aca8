package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.alive;
import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.get;
import static io.github.agentlifecycle.core.RealProcesses.pidsIn;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.agentlifecycle.core.ProcessAgentLauncher.Containment;
import io.github.agentlifecycle.core.internal.Cgroups;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nothing an agent starts outlives its stop by more than the stop timeout, with real processes, also processes that
 * try to get away: a child moved into a process group of its own and orphaned (same session), and a daemon that
 * starts a session of its own and is orphaned ({@code setsid -f}). Both are caught in a cgroup of the agent's own
 * ({@link Containment#CGROUP}, where this machine allows it) and without one ({@link Containment#SESSION}: by session
 * and by the agent id in the environment); a daemon that also clears its environment is caught only in a cgroup.
 * Without usable cgroups, {@link Containment#AUTO} says so once at start and {@link Containment#CGROUP} refuses to
 * start.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid, perl and cgroups")
class ProcessContainmentTest {
    private static final Duration STOP_TIMEOUT = Duration.ofMillis(700);
    /** A daemon that ignores SIGTERM and writes its pid into the file named by its argument. */
    private static final String DAEMON = """
            trap '' TERM
            echo $$ > "$1"
            exec sleep 1000""";

    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    private AgentHandle launch(Containment containment, Path agent) throws Exception {
        if (containment == Containment.CGROUP) {
            assumeTrue(cgroupsUsable(), "cgroup v2 with cgroup.kill is usable here");
        }
        ProcessAgentLauncher launcher = processes.closeLater(ProcessAgentLauncher.builder(sh(agent))
                .environment("DIR", dir.toString())
                .stateDirectory(dir.resolve("state"))
                .outputSink(new CollectingSink())
                .containment(containment)
                .build());
        launcher.start(new EventLog(STOP_TIMEOUT));
        AgentHandle handle = get(launcher.launch(new AgentSpec("room-a", "ai-agent-a", "secret", 1)));
        processes.track(handle.pid().orElseThrow());
        return handle;
    }

    /** Waits for the pid the agent wrote into {@code name}, and makes sure the test kills it in the end. */
    private long escapee(String name) {
        await(() -> pidsIn(dir.resolve(name)).size() == 1, "the agent to start " + name);
        return processes.track(pidsIn(dir.resolve(name)).get(0));
    }

    @ParameterizedTest
    @EnumSource(value = Containment.class, names = {"CGROUP", "SESSION"})
    void anOrphanedChildInAProcessGroupOfItsOwnDiesWithTheAgent(Containment containment) throws Exception {
        AgentHandle handle = launch(containment, script(dir, "agent.sh", """
                ( perl -e 'setpgrp(0, 0); exec @ARGV' sleep 1000 & echo $! > "$DIR/grouped" )
                sleep 1000"""));
        long grouped = escapee("grouped");
        ProcessHandle agent = ProcessHandle.of(handle.pid().orElseThrow()).orElseThrow();
        await(() -> agent.descendants().noneMatch(p -> p.pid() == grouped), "the child to be orphaned");

        handle.stop(STOP_TIMEOUT);

        assertThat(get(handle.onExit()).stopRequested()).isTrue();
        assertThat(alive(grouped)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = Containment.class, names = {"CGROUP", "SESSION"})
    void aDaemonInASessionOfItsOwnDiesWithTheAgentEvenIfItIgnoresSigterm(Containment containment) throws Exception {
        script(dir, "daemon.sh", DAEMON);
        AgentHandle handle = launch(containment, script(dir, "agent.sh", """
                setsid -f /bin/sh "$DIR/daemon.sh" "$DIR/daemon"
                sleep 1000"""));
        long daemon = escapee("daemon");

        long stopped = System.nanoTime();
        handle.stop(STOP_TIMEOUT);
        AgentExit exit = get(handle.onExit());

        assertThat(exit.stopRequested()).isTrue();
        assertThat(alive(daemon)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isGreaterThanOrEqualTo(STOP_TIMEOUT);
    }

    @Test
    void aDaemonThatAlsoClearsItsEnvironmentDiesWithTheAgentInItsCgroup() throws Exception {
        script(dir, "daemon.sh", DAEMON);
        AgentHandle handle = launch(Containment.CGROUP, script(dir, "agent.sh", """
                setsid -f env -i /bin/sh "$DIR/daemon.sh" "$DIR/bare"
                sleep 1000"""));
        long bare = escapee("bare");

        handle.stop(STOP_TIMEOUT);

        assertThat(get(handle.onExit()).stopRequested()).isTrue();
        assertThat(alive(bare)).isFalse();
    }

    @Test
    void anAgentsCgroupIsRemovedOnceItsProcessesAreGone() throws Exception {
        AgentHandle handle = launch(Containment.CGROUP, script(dir, "agent.sh", """
                sleep 1000 &
                cat /proc/self/cgroup > "$DIR/cgroup.tmp" && mv "$DIR/cgroup.tmp" "$DIR/cgroup"
                wait"""));
        await(() -> Files.exists(dir.resolve("cgroup")), "the agent to report its cgroup");
        String line = Files.readAllLines(dir.resolve("cgroup")).stream().filter(l -> l.startsWith("0::"))
                .findFirst().orElseThrow();
        Path cgroup = Cgroups.detect(null).parent().resolve(Path.of(line.substring(3)).getFileName().toString());
        assertThat(cgroup.getFileName().toString()).startsWith("agent-lifecycle.");
        assertThat(cgroup).isDirectory();

        handle.stop(STOP_TIMEOUT);
        get(handle.onExit());

        assertThat(cgroup).doesNotExist();
    }

    @Test
    void withoutUsableCgroupsAutoSaysSoOnceAndStillCatchesTheSession() throws Exception {
        Path notACgroup = Files.createDirectories(dir.resolve("not-a-cgroup"));
        try (EngineLogCapture log = new EngineLogCapture()) {
            ProcessAgentLauncher launcher = processes.closeLater(ProcessAgentLauncher.builder(sh(script(dir,
                            "agent.sh", "sleep 1000 & echo $! > \"$DIR/child\"; wait")))
                    .environment("DIR", dir.toString())
                    .stateDirectory(dir.resolve("state"))
                    .cgroupParent(notACgroup)
                    .build());
            launcher.start(new EventLog(STOP_TIMEOUT));
            AgentHandle handle = get(launcher.launch(new AgentSpec("room-a", "ai-agent-a", "secret", 1)));
            processes.track(handle.pid().orElseThrow());
            long child = escapee("child");
            get(launcher.launch(new AgentSpec("room-b", "ai-agent-b", "secret", 1))).stop(STOP_TIMEOUT);

            handle.stop(STOP_TIMEOUT);
            get(handle.onExit());

            assertThat(alive(child)).isFalse();
            assertThat(log.counts().values()).containsExactly(1L);
            assertThat(log.examples().values()).singleElement().asString()
                    .contains("not contained in cgroups").contains(notACgroup.toString());
        }
    }

    @Test
    void cgroupContainmentRefusesToStartWhereCgroupsCannotBeUsed() throws Exception {
        Path notACgroup = Files.createDirectories(dir.resolve("not-a-cgroup"));
        ProcessAgentLauncher launcher = processes.closeLater(ProcessAgentLauncher.builder("true")
                .stateDirectory(dir.resolve("state"))
                .containment(Containment.CGROUP)
                .cgroupParent(notACgroup)
                .build());

        assertThatThrownBy(() -> launcher.start(new EventLog(STOP_TIMEOUT)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be contained in cgroups")
                .hasMessageContaining(notACgroup + " is not a cgroup v2 directory");
    }

    private static boolean cgroupsUsable() {
        try {
            Cgroups.detect(null);
            return true;
        } catch (Cgroups.Unavailable unavailable) {
            return false;
        }
    }
}
