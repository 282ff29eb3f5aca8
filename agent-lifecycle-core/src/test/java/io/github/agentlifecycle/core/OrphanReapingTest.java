package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.alive;
import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.filesIn;
import static io.github.agentlifecycle.core.RealProcesses.get;
import static io.github.agentlifecycle.core.RealProcesses.pidsIn;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.internal.AgentRecordStore;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.LifecycleEvent.OrphanReaped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery with real processes: a separate host JVM ({@link CrashingHostMain}) killed with SIGKILL leaves
 * its agent running, and the next launcher on the same state directory kills the agent's whole tree, deletes its
 * record and reports {@link OrphanReaped}; an agent that exits on end-of-input exits by itself when its host dies;
 * records whose pid now belongs to another process (different start time) or whose owner still runs (another
 * process, or this JVM with another launcher on the same directory) are left alone.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid and coreutils")
class OrphanReapingTest {
    private static final String ROOM = "room-a";

    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    private Path state;

    @BeforeEach
    void stateDirectory() {
        state = dir.resolve("state");
    }

    private Process startHost(Path agent) throws IOException {
        List<String> command = new ArrayList<>(List.of(RealProcesses.javaBinary(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), CrashingHostMain.class.getName(),
                state.toString(), ROOM));
        command.addAll(sh(agent));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve("host.log").toFile());
        builder.environment().put("DIR", dir.toString());
        return processes.track(builder.start());
    }

    private long agentPidOf(Process host) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String reported = get(line);
        assertThat(reported).as("host output; host log:%n%s", hostLog()).startsWith("AGENT_PID ");
        return processes.track(Long.parseLong(reported.substring("AGENT_PID ".length())));
    }

    private String hostLog() {
        try {
            return Files.readString(dir.resolve("host.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void crash(Process host) throws ExecutionException {
        host.destroyForcibly();
        get(host.onExit());
    }

    @Test
    void agentOfAHostKilledWithSigkillIsReapedByTheNextLauncher() throws Exception {
        Path agent = script(dir, "agent.sh", """
                sleep 1000 &
                echo $! > "$DIR/child"
                wait""");
        Process host = startHost(agent);
        long agentPid = agentPidOf(host);
        await(() -> pidsIn(dir.resolve("child")).size() == 1, "the agent to start its child");
        long child = pidsIn(dir.resolve("child")).get(0);
        assertThat(filesIn(state)).containsExactly(agentPid + ".agent");

        crash(host);
        assertThat(alive(agentPid)).as("agent orphaned by the host crash").isTrue();
        assertThat(alive(child)).isTrue();

        EventLog events = new EventLog();
        AgentManager manager = processes.closeLater(AgentManager.builder(ProcessAgentLauncher.builder(sh(agent))
                        .stateDirectory(state)
                        .build())
                .config(AgentManagerConfig.builder().agentStopTimeout(Duration.ofSeconds(5)).build())
                .listener(events)
                .build());
        manager.start();

        assertThat(alive(agentPid)).isFalse();
        assertThat(alive(child)).isFalse();
        assertThat(filesIn(state)).isEmpty();
        await(() -> !events.of(OrphanReaped.class).isEmpty(), "the orphan to be reported");
        assertThat(events.of(OrphanReaped.class)).singleElement().satisfies(reaped -> {
            assertThat(reaped.roomName()).isEqualTo(ROOM);
            assertThat(reaped.pid()).isEqualTo(agentPid);
            assertThat(reaped.agentIdentity()).startsWith("ai-agent-");
        });
        assertThat(manager.stats().orphansReaped()).isEqualTo(1);
    }

    @Test
    void agentThatExitsOnEndOfInputExitsWhenItsHostIsKilled() throws Exception {
        Path agent = script(dir, "agent.sh", """
                while read -r line; do :; done
                touch "$DIR/end-of-input"
                exit 0""");
        Process host = startHost(agent);
        long agentPid = agentPidOf(host);
        assertThat(alive(agentPid)).isTrue();

        crash(host);

        await(() -> !alive(agentPid), "the agent to exit on end of input");
        assertThat(dir.resolve("end-of-input")).exists();
        assertThat(filesIn(state)).containsExactly(agentPid + ".agent");

        EventLog context = new EventLog(Duration.ofSeconds(5));
        processes.closeLater(ProcessAgentLauncher.builder(sh(agent)).stateDirectory(state).build()).start(context);

        assertThat(filesIn(state)).isEmpty();
        assertThat(context.all()).isEmpty();
    }

    @Test
    void recordsOfReusedPidsAndOfLiveHostsAreLeftAlone() throws Exception {
        Process deadOwner = new ProcessBuilder("true").start();
        get(deadOwner.onExit());
        Process reused = processes.track(new ProcessBuilder("sleep", "1000").start());
        Process liveOwner = processes.track(new ProcessBuilder("sleep", "1000").start());
        Process agentOfLiveOwner = processes.track(new ProcessBuilder("sleep", "1000").start());
        Process orphan = processes.track(new ProcessBuilder("sleep", "1000").start());
        AgentRecordStore store = new AgentRecordStore(state);
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        store.write(new AgentRecordStore.Entry(reused.pid(), startOf(reused).minusSeconds(30), "room-reused",
                "ai-agent-reused", deadOwner.pid(), longAgo));
        store.write(new AgentRecordStore.Entry(agentOfLiveOwner.pid(), startOf(agentOfLiveOwner), "room-live",
                "ai-agent-live", liveOwner.pid(), startOf(liveOwner)));
        store.write(new AgentRecordStore.Entry(orphan.pid(), startOf(orphan), "room-orphan", "ai-agent-orphan",
                deadOwner.pid(), longAgo));
        Files.writeString(state.resolve("12345.agent"), "not a record", StandardCharsets.UTF_8);

        EventLog context = new EventLog(Duration.ofSeconds(5));
        processes.closeLater(ProcessAgentLauncher.builder("true").stateDirectory(state).build()).start(context);

        assertThat(reused.isAlive()).isTrue();
        assertThat(agentOfLiveOwner.isAlive()).isTrue();
        assertThat(liveOwner.isAlive()).isTrue();
        assertThat(get(orphan.onExit()).isAlive()).isFalse();
        assertThat(filesIn(state)).containsExactly(agentOfLiveOwner.pid() + ".agent");
        assertThat(context.all()).containsExactly(new OrphanReaped("room-orphan", "ai-agent-orphan", orphan.pid()));
    }

    @Test
    void launcherStartedLaterInTheSameJvmLeavesTheAgentsOfARunningLauncherAlone() throws Exception {
        Path agent = script(dir, "agent.sh", "exec sleep 1000");
        ProcessAgentLauncher first = processes.closeLater(ProcessAgentLauncher.builder(sh(agent))
                .stateDirectory(state)
                .build());
        first.start(new EventLog());
        AgentHandle handle = get(first.launch(new AgentSpec(ROOM, "ai-agent-first", "secret", 1)));
        long pid = processes.track(handle.pid().orElseThrow());

        EventLog context = new EventLog(Duration.ofSeconds(5));
        processes.closeLater(ProcessAgentLauncher.builder(sh(agent)).stateDirectory(state).build()).start(context);

        assertThat(handle.isAlive()).isTrue();
        assertThat(alive(pid)).isTrue();
        assertThat(context.all()).isEmpty();
        assertThat(filesIn(state)).containsExactly(pid + ".agent");
        handle.stop(Duration.ofSeconds(5));
        assertThat(get(handle.onExit()).stopRequested()).isTrue();
        assertThat(filesIn(state)).isEmpty();
    }

    private static Instant startOf(Process process) {
        return process.toHandle().info().startInstant().orElseThrow();
    }
}
