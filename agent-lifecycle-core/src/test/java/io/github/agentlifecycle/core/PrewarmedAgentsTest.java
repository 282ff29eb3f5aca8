package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.alive;
import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.filesIn;
import static io.github.agentlifecycle.core.RealProcesses.get;
import static io.github.agentlifecycle.core.RealProcesses.pidsIn;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.agentlifecycle.core.spi.AgentOutputSink;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentLaunched;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prewarmed agents with real processes and a manager on the system clock: a room gets an idle agent that takes its
 * room from stdin and the pool refills; an agent still loading is handed out cold; idle agents that die are
 * replaced, old ones recycled; one that does not confirm its room is stopped and the room gets another; idle agents
 * count against {@code maxTotalAgents}; drain and close stop them; a crashed host's idle agents are reaped.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid and coreutils")
class PrewarmedAgentsTest {
    /**
     * An agent speaking the assignment protocol: records its pid in {@code started}, loads for {@code $LOAD}
     * seconds, says it is idle, writes the assignment it reads (and its environment) to a file named after its pid,
     * confirms, then runs until its stdin ends. The first agent started ignores its assignment when {@code IGNORE}
     * is set; with {@code STUBBORN} set, agents ignore SIGTERM and their stdin.
     */
    private static final String AGENT = """
            echo $$ >> "$DIR/started"
            sleep "${LOAD:-0}"
            if [ -n "$STUBBORN" ]; then
                trap '' TERM
                echo '{"type":"idle"}'
                sleep 1000 &
                wait
            fi
            if [ -n "$IGNORE" ] && mkdir "$DIR/ignorer" 2>/dev/null; then
                echo $$ > "$DIR/ignorer/pid"
                echo '{"type":"idle"}'
                sleep 1000 &
                wait
            fi
            echo '{"type":"idle"}'
            IFS= read -r assignment || exit 0
            printf '%s\\n' "$assignment" > "$DIR/assignment-$$.tmp"
            echo "${AGENT_ASSIGNMENT:-unset} ${ROOM_NAME:-unset} $#" > "$DIR/environment-$$"
            mv "$DIR/assignment-$$.tmp" "$DIR/assignment-$$"
            echo '{"type": "assigned"}'
            while IFS= read -r line; do :; done""";

    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    private final EventLog events = new EventLog();
    private final CollectingSink output = new CollectingSink();
    private final ObjectMapper json = new ObjectMapper();

    private AgentManager manager(int prewarm, AgentManagerConfig.Builder config,
            UnaryOperator<ProcessAgentLauncher.Builder> launcher, String... environment) throws IOException {
        ProcessAgentLauncher.Builder builder = ProcessAgentLauncher.builder(sh(script(dir, "agent.sh", AGENT)))
                .stateDirectory(dir.resolve("state"))
                .outputSink(output)
                .environment("DIR", dir.toString())
                .prewarm(prewarm);
        for (int i = 0; i < environment.length; i += 2) {
            builder.environment(environment[i], environment[i + 1]);
        }
        AgentManager manager = processes.closeLater(AgentManager.builder(launcher.apply(builder).build())
                .config(config.agentStopTimeout(Duration.ofSeconds(2)).build())
                .listener(events)
                .listener(processes.agentTracker())
                .build());
        manager.start();
        return manager;
    }

    private AgentManager manager(int prewarm, String... environment) throws IOException {
        return manager(prewarm, AgentManagerConfig.builder(), UnaryOperator.identity(), environment);
    }

    /** Every agent process started so far, tracked for cleanup. */
    private List<Long> started() {
        List<Long> pids = pidsIn(dir.resolve("started"));
        pids.forEach(processes::track);
        return pids;
    }

    private List<Long> running() {
        return started().stream().filter(RealProcesses::alive).toList();
    }

    /** Waits until {@code count} agents wait for a room, each having said so. */
    private void awaitIdle(AgentManager manager, int count) {
        await(() -> manager.stats().idleAgents() == count && idle().size() == count, count + " idle agents");
    }

    /** The agents alive that said they are idle and have not read an assignment. */
    private List<Long> idle() {
        List<Long> said = output.lines().stream()
                .filter(line -> line.text().equals("{\"type\":\"idle\"}")).map(AgentOutputSink.Line::pid).toList();
        return running().stream().filter(said::contains)
                .filter(pid -> !Files.exists(dir.resolve("assignment-" + pid))).toList();
    }

    private long saidIdle() {
        return output.lines().stream().filter(line -> line.text().equals("{\"type\":\"idle\"}")).count();
    }

    private AgentLaunched launchedIn(String room) {
        await(() -> events.of(AgentLaunched.class).stream().anyMatch(e -> e.roomName().equals(room)),
                "the agent of " + room + " to start");
        AgentLaunched launched = events.of(AgentLaunched.class).stream().filter(e -> e.roomName().equals(room))
                .findFirst().orElseThrow();
        processes.track(launched.pid());
        return launched;
    }

    private JsonNode assignmentOf(long pid) throws IOException {
        Path file = dir.resolve("assignment-" + pid);
        await(() -> Files.exists(file), "agent " + pid + " to read its assignment");
        return json.readTree(Files.readString(file, StandardCharsets.UTF_8));
    }

    @Test
    void aRoomGetsAnIdleAgentThatTakesItsRoomFromStdinAndThePoolRefills() throws Exception {
        AgentManager manager = manager(2);
        awaitIdle(manager, 2);
        List<Long> idle = started();
        assertThat(idle).hasSize(2);
        assertThat(filesIn(dir.resolve("state"))).hasSize(2);

        assertThat(manager.ensureAgent("room \"a\"").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        AgentLaunched launched = launchedIn("room \"a\"");
        assertThat(idle).contains(launched.pid());

        JsonNode assignment = assignmentOf(launched.pid());
        assertThat(assignment.get("type").asText()).isEqualTo("assignment");
        assertThat(assignment.get("roomName").asText()).isEqualTo("room \"a\"");
        assertThat(assignment.get("agentIdentity").asText()).isEqualTo(launched.agentIdentity());
        assertThat(assignment.has("heartbeatUrl")).isFalse();
        assertThat(manager.verifyAgentCredential("room \"a\"", launched.agentIdentity(),
                assignment.get("credential").asText())).isTrue();
        assertThat(Files.readString(dir.resolve("environment-" + launched.pid())).trim())
                .as("agent mode, room variable, arguments").isEqualTo("stdin unset 0");
        assertThat(manager.heartbeat("room \"a\"", launched.agentIdentity())).isTrue();
        assertThat(manager.room("room \"a\"").orElseThrow().agentState()).isEqualTo(AgentState.READY);

        awaitIdle(manager, 2);
        assertThat(started()).hasSize(3);
        ManagerStats stats = manager.stats();
        assertThat(stats.warmLaunches()).isEqualTo(1);
        assertThat(stats.coldLaunches()).isZero();
        assertThat(stats.idleAgents()).isEqualTo(2);

        await(() -> output.received("{\"type\": \"assigned\"}"), "the agent to confirm its room");
        List<AgentOutputSink.Line> ofAgent = output.lines().stream().filter(l -> l.pid() == launched.pid()).toList();
        assertThat(ofAgent).extracting(AgentOutputSink.Line::text, AgentOutputSink.Line::roomName)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("{\"type\":\"idle\"}", ""),
                        org.assertj.core.groups.Tuple.tuple("{\"type\": \"assigned\"}", "room \"a\""));
    }

    @Test
    void anAgentStillLoadingIsHandedOutColdAndGetsItsRoomOnceLoaded() throws Exception {
        AgentManager manager = manager(1, "LOAD", "1");
        assertThat(manager.ensureAgent("room-a").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        AgentLaunched launched = launchedIn("room-a");
        assertThat(saidIdle()).as("the agent has not loaded yet when its room takes it").isZero();
        await(() -> started().contains(launched.pid()), "the agent to run");

        assertThat(assignmentOf(launched.pid()).get("roomName").asText()).isEqualTo("room-a");
        assertThat(manager.stats().coldLaunches()).isEqualTo(1);
        assertThat(manager.stats().warmLaunches()).isZero();
        awaitIdle(manager, 1);
        assertThat(started()).hasSize(2);
    }

    @Test
    void anIdleAgentThatDiesIsReplaced() throws Exception {
        AgentManager manager = manager(1);
        awaitIdle(manager, 1);
        long first = started().get(0);

        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        await(() -> started().size() == 2 && !alive(first), "a second idle agent");
        awaitIdle(manager, 1);
        await(() -> filesIn(dir.resolve("state")).equals(List.of(started().get(1) + ".agent")),
                "the dead agent's record to go");

        manager.ensureAgent("room-a");
        assertThat(launchedIn("room-a").pid()).isEqualTo(started().get(1));
        assertThat(manager.stats().warmLaunches()).isEqualTo(1);
    }

    @Test
    void idleAgentsAreReplacedAfterTheirMaximumIdleAge() throws Exception {
        AgentManager manager = manager(1, AgentManagerConfig.builder(),
                launcher -> launcher.maxIdleAge(Duration.ofMillis(500)));
        await(() -> started().size() >= 3, "two idle agents to be replaced");
        List<Long> pids = started();
        await(() -> !alive(pids.get(0)) && !alive(pids.get(1)), "the replaced agents to exit");
        assertThat(manager.room("room-a")).isEmpty();
        assertThat(events.of(AgentLaunched.class)).isEmpty();
        assertThat(running().size()).isLessThanOrEqualTo(2);
    }

    @Test
    void anIdleAgentThatDoesNotTakeItsRoomIsStoppedAndTheRoomGetsAnother() throws Exception {
        AgentManager manager = manager(1, AgentManagerConfig.builder(),
                launcher -> launcher.assignmentTimeout(Duration.ofMillis(500)), "IGNORE", "yes");
        awaitIdle(manager, 1);
        await(() -> Files.exists(dir.resolve("ignorer").resolve("pid")), "the first agent to be the one ignoring");
        long ignorer = pidsIn(dir.resolve("ignorer").resolve("pid")).get(0);

        manager.ensureAgent("room-a");
        AgentLaunched launched = launchedIn("room-a");
        assertThat(launched.pid()).isNotEqualTo(ignorer);
        assertThat(assignmentOf(launched.pid()).get("roomName").asText()).isEqualTo("room-a");
        await(() -> !alive(ignorer), "the agent that ignored its room to be stopped");
        assertThat(manager.stats().coldLaunches()).isEqualTo(1);
        assertThat(manager.stats().warmLaunches()).isZero();
        assertThat(manager.heartbeat("room-a", launched.agentIdentity())).isTrue();
    }

    @Test
    void idleAgentsCountAgainstTheAgentCap() throws Exception {
        AgentManager manager = manager(2, AgentManagerConfig.builder().maxTotalAgents(2), UnaryOperator.identity());
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
            while (sampling.get()) {
                most.accumulateAndGet(running().size(), Math::max);
            }
        });
        try {
            awaitIdle(manager, 2);
            manager.ensureAgent("room-a");
            launchedIn("room-a");
            awaitIdle(manager, 1);
            manager.ensureAgent("room-b");
            launchedIn("room-b");
            await(() -> manager.stats().idleAgents() == 0, "no idle agent while two rooms have theirs");
            assertThat(manager.ensureAgent("room-c").status()).isEqualTo(EnsureResult.Status.QUEUED);
            assertThat(running()).hasSize(2);

            assertThat(manager.closeRoom("room-a")).isTrue();
            AgentLaunched c = launchedIn("room-c");
            assertThat(assignmentOf(c.pid()).get("roomName").asText()).isEqualTo("room-c");
            await(() -> manager.room("room-a").isEmpty(), "room-a to close");
            assertThat(manager.stats().idleAgents()).isZero();
            assertThat(manager.stats().warmLaunches() + manager.stats().coldLaunches()).isEqualTo(3);
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertThat(most.get()).as("agent processes alive at once, idle ones included").isLessThanOrEqualTo(2);
    }

    @Test
    void drainStopsTheIdleAgentsAndStartsNoMore() throws Exception {
        AgentManager manager = manager(2);
        awaitIdle(manager, 2);
        manager.ensureAgent("room-a");
        AgentLaunched a = launchedIn("room-a");
        assertThat(manager.heartbeat("room-a", a.agentIdentity())).isTrue();
        assertThat(manager.apply(RoomEvent.participantJoined("room-a", "PA_1", "person", ParticipantRole.HUMAN)))
                .isEqualTo(EventOutcome.APPLIED);
        awaitIdle(manager, 2);

        CompletableFuture<Void> drained = manager.drainAsync(Duration.ofMinutes(1)).toCompletableFuture();
        await(() -> running().equals(List.of(a.pid())), "the idle agents to stop");
        assertThat(manager.stats().idleAgents()).isZero();
        assertThat(drained).isNotDone();
        int startedBefore = started().size();

        assertThat(manager.apply(RoomEvent.participantLeft("room-a", "PA_1", "person", ParticipantRole.HUMAN)))
                .isEqualTo(EventOutcome.APPLIED);
        assertThat(manager.closeRoom("room-a")).isTrue();
        get(drained);
        assertThat(started()).hasSize(startedBefore);
        await(() -> running().isEmpty() && filesIn(dir.resolve("state")).isEmpty(), "every agent to be gone");
    }

    @Test
    void closeReturnsOnceTheIdleAgentsAreGone() throws Exception {
        AgentManager manager = manager(3);
        awaitIdle(manager, 3);
        manager.close();
        assertThat(running()).isEmpty();
        assertThat(started()).hasSize(3);
        assertThat(filesIn(dir.resolve("state"))).isEmpty();
    }

    @Test
    void closeKillsIdleAgentsThatIgnoreTheirStopAfterTheStopTimeout() throws Exception {
        AgentManager manager = manager(2, "STUBBORN", "yes");
        awaitIdle(manager, 2);
        long closing = System.nanoTime();
        manager.close();
        assertThat(Duration.ofNanos(System.nanoTime() - closing)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(running()).isEmpty();
        assertThat(filesIn(dir.resolve("state"))).isEmpty();
    }
}
