package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.alive;
import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.filesIn;
import static io.github.agentlifecycle.core.RealProcesses.get;
import static io.github.agentlifecycle.core.RealProcesses.pidsIn;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.nio.file.attribute.PosixFilePermissions;
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

    private Process startHost(Path agent, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(List.of(RealProcesses.javaBinary(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashingHostMain.class.getName(),
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
                setsid -f /bin/sh -c 'echo $$ > "$1"; exec sleep 1000' daemon "$DIR/daemon"
                wait""");
        Process host = startHost(agent);
        long agentPid = agentPidOf(host);
        await(() -> pidsIn(dir.resolve("child")).size() == 1 && pidsIn(dir.resolve("daemon")).size() == 1,
                "the agent to start its child and its daemon");
        long child = pidsIn(dir.resolve("child")).get(0);
        long daemon = processes.track(pidsIn(dir.resolve("daemon")).get(0));
        assertThat(filesIn(state)).containsExactly(agentPid + ".agent");

        crash(host);
        assertThat(alive(agentPid)).as("agent orphaned by the host crash").isTrue();
        assertThat(alive(child)).isTrue();
        assertThat(alive(daemon)).isTrue();

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
        assertThat(alive(daemon)).as("the agent's daemon, in a session of its own").isFalse();
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
    void idleAgentsOfAHostKilledWithSigkillAreReapedByTheNextLauncher() throws Exception {
        Path agent = script(dir, "agent.sh", """
                echo $$ >> "$DIR/started"
                echo '{"type":"idle"}'
                IFS= read -r assignment && echo '{"type":"assigned"}'
                sleep 1000 &
                wait""");
        Process host = startHost(agent, "-Dprewarm=2");
        long roomAgent = agentPidOf(host);
        await(() -> pidsIn(dir.resolve("started")).size() == 3 && filesIn(state).size() == 3,
                "the room's agent and two idle agents to run");
        List<Long> agents = pidsIn(dir.resolve("started"));
        agents.forEach(processes::track);
        assertThat(agents).contains(roomAgent);

        crash(host);
        assertThat(agents).as("agents orphaned by the host crash").allMatch(RealProcesses::alive);

        EventLog events = new EventLog(Duration.ofSeconds(5));
        processes.closeLater(ProcessAgentLauncher.builder(sh(agent)).stateDirectory(state).build()).start(events);

        assertThat(agents).noneMatch(RealProcesses::alive);
        assertThat(filesIn(state)).isEmpty();
        assertThat(events.of(OrphanReaped.class)).extracting(OrphanReaped::pid)
                .containsExactlyInAnyOrderElementsOf(agents);
        assertThat(events.of(OrphanReaped.class)).filteredOn(reaped -> reaped.pid() == roomAgent).singleElement()
                .satisfies(reaped -> {
                    assertThat(reaped.roomName()).isEqualTo(ROOM);
                    assertThat(reaped.agentIdentity()).startsWith("ai-agent-");
                });
        assertThat(events.of(OrphanReaped.class)).filteredOn(reaped -> reaped.pid() != roomAgent).hasSize(2)
                .allSatisfy(reaped -> {
                    assertThat(reaped.roomName()).as("an idle agent has no room").isEmpty();
                    assertThat(reaped.agentIdentity()).isNull();
                });
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
    void recordsOfReusedPidsOfLiveHostsAndOfProcessesThatAreNotAgentsAreLeftAlone() throws Exception {
        Process deadOwner = new ProcessBuilder("true").start();
        get(deadOwner.onExit());
        Process reused = processes.track(new ProcessBuilder("sleep", "1000").start());
        Process liveOwner = processes.track(new ProcessBuilder("sleep", "1000").start());
        Process agentOfLiveOwner = processes.track(marked("live").start());
        Process orphan = processes.track(marked("orphan").start());
        Process unrelated = processes.track(new ProcessBuilder("sleep", "1000").start());
        AgentRecordStore store = new AgentRecordStore(state);
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        store.write(record(reused.pid(), startOf(reused).minusSeconds(30), "reused", deadOwner.pid(), longAgo));
        store.write(record(agentOfLiveOwner.pid(), startOf(agentOfLiveOwner), "live", liveOwner.pid(),
                startOf(liveOwner)));
        store.write(record(orphan.pid(), startOf(orphan), "orphan", deadOwner.pid(), longAgo));
        store.write(record(unrelated.pid(), startOf(unrelated), "unrelated", deadOwner.pid(), longAgo));
        Files.writeString(state.resolve("12345.agent"), "not a record", StandardCharsets.UTF_8);

        EventLog context = new EventLog(Duration.ofSeconds(5));
        processes.closeLater(ProcessAgentLauncher.builder("true").stateDirectory(state).build()).start(context);

        assertThat(reused.isAlive()).isTrue();
        assertThat(agentOfLiveOwner.isAlive()).isTrue();
        assertThat(liveOwner.isAlive()).isTrue();
        assertThat(unrelated.isAlive()).as("a process whose environment lacks the recorded agent id").isTrue();
        assertThat(get(orphan.onExit()).isAlive()).isFalse();
        assertThat(filesIn(state)).containsExactly(agentOfLiveOwner.pid() + ".agent");
        assertThat(context.all()).containsExactly(new OrphanReaped("room-orphan", "ai-agent-orphan", orphan.pid()));
    }

    @Test
    void aStateDirectoryOthersCouldWriteToIsRefusedAndItsRecordsAreNotActedOn() throws Exception {
        Process deadOwner = new ProcessBuilder("true").start();
        get(deadOwner.onExit());
        Process victim = processes.track(new ProcessBuilder("sleep", "1000").start());
        Files.createDirectories(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
        plant(victim, deadOwner);

        ProcessAgentLauncher launcher = processes.closeLater(ProcessAgentLauncher.builder("true")
                .stateDirectory(state).build());
        assertThatThrownBy(() -> launcher.start(new EventLog(Duration.ofSeconds(5))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(state.toString())
                .hasMessageContaining("private to its user");
        assertThat(victim.isAlive()).isTrue();
    }

    /**
     * What another local user could plant in a state directory: a record naming an unrelated process with its real
     * start time and a host that is gone, as a record of an older version (without an agent id) would read.
     */
    @Test
    void aPlantedRecordNamingAProcessThatIsNotAnAgentIsLeftAlone() throws Exception {
        Process deadOwner = new ProcessBuilder("true").start();
        get(deadOwner.onExit());
        Process victim = processes.track(new ProcessBuilder("sleep", "1000").start());
        new AgentRecordStore(state);
        plant(victim, deadOwner);

        processes.closeLater(ProcessAgentLauncher.builder("true").stateDirectory(state).build())
                .start(new EventLog(Duration.ofSeconds(5)));

        assertThat(victim.isAlive()).isTrue();
        assertThat(filesIn(state)).isEmpty();
    }

    @Test
    void aStateDirectoryOfAnotherUserIsRefused() throws Exception {
        assumeTrue(isRoot(), "only root can give a directory to another user");
        Files.createDirectories(state, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(state, "unix:uid", 65534);

        ProcessAgentLauncher launcher = processes.closeLater(ProcessAgentLauncher.builder("true")
                .stateDirectory(state).build());
        assertThatThrownBy(() -> launcher.start(new EventLog(Duration.ofSeconds(5))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("owned by uid 65534");
    }

    @Test
    void aRecordOthersCouldWriteOrThatIsNotARegularFileIsRefused() throws Exception {
        new AgentRecordStore(state);
        Path writable = state.resolve("4242.agent");
        Files.writeString(writable, "pid=4242\nownerPid=1\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> processes.closeLater(ProcessAgentLauncher.builder("true").stateDirectory(state)
                .build()).start(new EventLog(Duration.ofSeconds(5))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("4242.agent can be written by others");

        Files.delete(writable);
        Process mkfifo = new ProcessBuilder("mkfifo", state.resolve("4343.agent").toString()).start();
        assertThat(get(mkfifo.onExit()).exitValue()).isZero();
        assertThatThrownBy(() -> processes.closeLater(ProcessAgentLauncher.builder("true").stateDirectory(state)
                .build()).start(new EventLog(Duration.ofSeconds(5))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("4343.agent is not a regular file");
    }

    @Test
    void theDefaultStateDirectoryIsPerUserAndCreatedPrivate() throws Exception {
        assertThat(ProcessAgentLauncher.defaultStateDirectory().getParent().getFileName().toString())
                .isEqualTo("agent-lifecycle-" + System.getProperty("user.name"));
        Path fresh = dir.resolve("fresh").resolve("agents");
        processes.closeLater(ProcessAgentLauncher.builder("true").stateDirectory(fresh).build())
                .start(new EventLog(Duration.ofSeconds(5)));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.getParent())))
                .isEqualTo("rwx------");
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

    /** A long-lived process carrying the agent id {@code id} in its environment, as the launcher's agents do. */
    private static ProcessBuilder marked(String id) {
        ProcessBuilder builder = new ProcessBuilder("sleep", "1000");
        builder.environment().put("AGENT_LIFECYCLE_AGENT_ID", "id-" + id);
        return builder;
    }

    /** The record of agent {@code name} (room {@code room-<name>}, agent id {@code id-<name>}) without a cgroup. */
    private static AgentRecordStore.Entry record(long pid, Instant start, String name, long ownerPid,
            Instant ownerStart) {
        return new AgentRecordStore.Entry(pid, start, "room-" + name, "ai-agent-" + name, ownerPid, ownerStart,
                "id-" + name, null);
    }

    /** Writes, as a plain properties file, a record naming {@code victim} whose host {@code owner} is gone. */
    private void plant(Process victim, Process owner) throws IOException {
        Path record = state.resolve(victim.pid() + ".agent");
        Files.writeString(record, "pid=" + victim.pid() + "\nstart=" + startOf(victim) + "\nroom=room-victim\n"
                + "agentIdentity=ai-agent-victim\nownerPid=" + owner.pid() + "\nownerStart="
                + Instant.now().minusSeconds(60) + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(record, PosixFilePermissions.fromString("rw-------"));
    }

    private static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }
}
