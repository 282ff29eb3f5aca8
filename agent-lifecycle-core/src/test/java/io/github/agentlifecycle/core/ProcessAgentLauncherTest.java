package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.alive;
import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.filesIn;
import static io.github.agentlifecycle.core.RealProcesses.get;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.agentlifecycle.core.internal.AgentRecordStore;
import io.github.agentlifecycle.core.internal.ProcessTree;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ProcessAgentLauncher} on its own, with real processes: an agent that exits by itself (exit code, state
 * record written while it runs and removed afterwards), launches that fail with the operating system's error
 * (missing command, file without execute permission), what the agent is given (room as last argument,
 * environment, heartbeat URL and credential only when configured, working directory), and the stdin contract
 * (an agent that exits on end-of-file exits when it is stopped, even though it ignores SIGTERM).
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid and coreutils")
class ProcessAgentLauncherTest {
    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    private Path state;
    private final EventLog context = new EventLog(Duration.ofSeconds(2));
    private final CollectingSink sink = new CollectingSink();

    @BeforeEach
    void stateDirectory() {
        state = dir.resolve("state");
    }

    private ProcessAgentLauncher started(ProcessAgentLauncher.Builder builder) {
        ProcessAgentLauncher launcher = processes.closeLater(builder.stateDirectory(state).outputSink(sink).build());
        launcher.start(context);
        return launcher;
    }

    private AgentHandle launch(ProcessAgentLauncher launcher, AgentSpec spec) throws ExecutionException {
        AgentHandle handle = get(launcher.launch(spec));
        processes.track(handle.pid().orElseThrow());
        return handle;
    }

    private static AgentSpec spec(String room) {
        return new AgentSpec(room, "ai-agent-" + room, "secret-of-" + room, 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7})
    void agentThatExitsByItselfReportsItsCodeAndLeavesNoRecord(int code) throws Exception {
        Path go = dir.resolve("go");
        Path agent = script(dir, "agent.sh", "while [ ! -e \"$GO\" ]; do sleep 0.01; done\nexit " + code);
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder(sh(agent))
                .environment("GO", go.toString()));

        AgentHandle handle = launch(launcher, spec("room-a"));
        long pid = handle.pid().orElseThrow();
        assertThat(handle.agentIdentity()).isEqualTo("ai-agent-room-a");
        assertThat(handle.isAlive()).isTrue();
        assertThat(filesIn(state)).containsExactly(pid + ".agent");
        ProcessHandle self = ProcessHandle.current();
        assertThat(new AgentRecordStore(state).list()).singleElement().satisfies(entry -> {
            assertThat(entry.pid()).isEqualTo(pid);
            assertThat(entry.start()).isEqualTo(ProcessHandle.of(pid).orElseThrow().info().startInstant().orElseThrow());
            assertThat(entry.room()).isEqualTo("room-a");
            assertThat(entry.agentIdentity()).isEqualTo("ai-agent-room-a");
            assertThat(entry.ownerPid()).isEqualTo(self.pid());
            assertThat(entry.ownerStart()).isEqualTo(self.info().startInstant().orElseThrow());
            // Right after the launch the process may not have replaced the JVM's spawn helper with the agent yet.
            await(() -> ProcessTree.carries(pid, ("AGENT_LIFECYCLE_AGENT_ID=" + entry.agentId())
                    .getBytes(StandardCharsets.UTF_8)), "the agent to carry its id in its environment");
        });

        Files.createFile(go);
        AgentExit exit = get(handle.onExit());

        assertThat(exit).isEqualTo(AgentExit.exited(code, false));
        assertThat(handle.isAlive()).isFalse();
        assertThat(alive(pid)).isFalse();
        assertThat(filesIn(state)).isEmpty();
    }

    @Test
    void missingCommandFailsTheLaunchWithTheOperatingSystemError() {
        Path missing = dir.resolve("no-such-directory").resolve("agent");
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder(missing.toString(), "--flag"));

        assertThatThrownBy(() -> get(launcher.launch(spec("room-a"))))
                .isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining(missing.toString()).hasMessageContaining("No such file or directory");
        assertThat(filesIn(state)).isEmpty();
    }

    @Test
    void commandNotOnThePathFailsTheLaunchWithTheOperatingSystemError() {
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder("no-such-agent-command-5f3a"));

        assertThatThrownBy(() -> get(launcher.launch(spec("room-a"))))
                .isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining("no-such-agent-command-5f3a")
                .hasMessageContaining("No such file or directory");
        assertThat(filesIn(state)).isEmpty();
    }

    @Test
    void fileWithoutExecutePermissionFailsTheLaunchWithTheOperatingSystemError() throws Exception {
        Path agent = script(dir, "agent.sh", "exit 0");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rw-------"));
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder(agent.toString()));

        assertThatThrownBy(() -> get(launcher.launch(spec("room-a"))))
                .isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining(agent.toString()).hasMessageContaining("Permission denied");
        assertThat(filesIn(state)).isEmpty();
    }

    @Test
    void agentGetsTheRoomAsLastArgumentItsEnvironmentAndWorkingDirectory() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work dir"));
        Path report = dir.resolve("report");
        Path agent = script(dir, "agent.sh", REPORT_SCRIPT);
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder(sh(agent, "--mode", "two words"))
                .environment("REPORT", report.toString())
                .environment("EXTRA_SETTING", "value with spaces")
                .heartbeatUrl("http://127.0.0.1:3001/api/livekit/agent-report")
                .workingDirectory(work));

        AgentSpec spec = new AgentSpec("team room #1", "ai-agent-xyz", "credential-123", 1);
        assertThat(get(launch(launcher, spec).onExit())).isEqualTo(AgentExit.exited(0, false));

        assertThat(Files.readAllLines(report, StandardCharsets.UTF_8)).containsExactly(
                "ROOM_NAME=team room #1",
                "AGENT_IDENTITY=ai-agent-xyz",
                "AGENT_HEARTBEAT_URL=http://127.0.0.1:3001/api/livekit/agent-report",
                "AGENT_CREDENTIAL=credential-123",
                "EXTRA_SETTING=value with spaces",
                "HOME=" + Objects.requireNonNullElse(System.getenv("HOME"), "<unset>"),
                "ARGC=3",
                "ARG=--mode",
                "ARG=two words",
                "ARG=team room #1",
                "PWD=" + work.toRealPath());
    }

    @Test
    void withoutHeartbeatUrlTheAgentGetsNeitherUrlNorCredential() throws Exception {
        Path report = dir.resolve("report");
        Path agent = script(dir, "agent.sh", REPORT_SCRIPT);
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder(sh(agent))
                .environment("REPORT", report.toString()));

        assertThat(get(launch(launcher, spec("room-a")).onExit())).isEqualTo(AgentExit.exited(0, false));

        List<String> lines = Files.readAllLines(report, StandardCharsets.UTF_8);
        assertThat(lines).contains("ROOM_NAME=room-a", "AGENT_IDENTITY=ai-agent-room-a",
                "AGENT_HEARTBEAT_URL=<unset>", "AGENT_CREDENTIAL=<unset>", "EXTRA_SETTING=<unset>",
                "ARGC=1", "ARG=room-a", "PWD=" + Path.of("").toAbsolutePath().toRealPath());
    }

    @Test
    void withoutInheritedEnvironmentTheAgentGetsOnlyWhatWasConfigured() throws Exception {
        assumeTrue(System.getenv("HOME") != null, "the host has HOME set");
        Path report = dir.resolve("report");
        Path agent = script(dir, "agent.sh", REPORT_SCRIPT);
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder(sh(agent))
                .inheritEnvironment(false)
                .environment("REPORT", report.toString()));

        assertThat(get(launch(launcher, spec("room-a")).onExit())).isEqualTo(AgentExit.exited(0, false));

        assertThat(Files.readAllLines(report, StandardCharsets.UTF_8))
                .contains("ROOM_NAME=room-a", "AGENT_IDENTITY=ai-agent-room-a", "HOME=<unset>");
    }

    @Test
    void withheldVariablesOfTheHostAreNotInherited() throws Exception {
        assumeTrue(System.getenv("HOME") != null, "the host has HOME set");
        Path report = dir.resolve("report");
        Path agent = script(dir, "agent.sh", REPORT_SCRIPT);
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder(sh(agent))
                .withholdEnvironment("HOME")
                .environment("REPORT", report.toString()));

        assertThat(get(launch(launcher, spec("room-a")).onExit())).isEqualTo(AgentExit.exited(0, false));

        assertThat(Files.readAllLines(report, StandardCharsets.UTF_8)).contains("HOME=<unset>");
    }

    @Test
    void agentThatExitsOnEndOfInputExitsWhenStoppedEvenIfItIgnoresSigterm() throws Exception {
        Path agent = script(dir, "agent.sh", """
                trap '' TERM
                echo ready
                while read -r line; do :; done
                echo end-of-input
                exit 0""");
        ProcessAgentLauncher launcher = started(ProcessAgentLauncher.builder(sh(agent)));
        AgentHandle handle = launch(launcher, spec("room-a"));
        await(() -> sink.received("ready"), "the agent to start reading its input");

        handle.stop(Duration.ofSeconds(60));

        assertThat(get(handle.onExit(), Duration.ofSeconds(30))).isEqualTo(AgentExit.exited(0, true));
        assertThat(alive(handle.pid().orElseThrow())).isFalse();
        await(() -> sink.received("end-of-input"), "the agent's last line");
    }

    private static final String REPORT_SCRIPT = """
            {
              echo "ROOM_NAME=$ROOM_NAME"
              echo "AGENT_IDENTITY=$AGENT_IDENTITY"
              echo "AGENT_HEARTBEAT_URL=${AGENT_HEARTBEAT_URL-<unset>}"
              echo "AGENT_CREDENTIAL=${AGENT_CREDENTIAL-<unset>}"
              echo "EXTRA_SETTING=${EXTRA_SETTING-<unset>}"
              echo "HOME=${HOME-<unset>}"
              echo "ARGC=$#"
              for argument in "$@"; do echo "ARG=$argument"; done
              echo "PWD=$(pwd -P)"
            } > "$REPORT\"""";
}
