package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example server with {@code AGENT_PREWARM}: agent processes wait for a room before one is asked for, a room
 * gets one of them, the pool refills, and none outlives the server. Run with the sample agent and with the README's
 * Python agent.
 */
@EnabledOnOs(OS.LINUX)
class PrewarmIT {
    private static final LiveKitCredentials CREDENTIALS = new LiveKitCredentials("APIexampleKey", "example-secret-42");
    private static final String ADMIN_TOKEN = "example-admin-token-0123456789";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path PYTHON_AGENT = Path.of("src", "test", "python", "prewarmed_agent.py");
    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path stateDirectory;

    @TempDir
    Path scratch;

    private Map<String, String> environment(int port, int prewarm, String agentCommand) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("LIVEKIT_API_KEY", CREDENTIALS.apiKey());
        env.put("LIVEKIT_API_SECRET", CREDENTIALS.apiSecret());
        env.put("AGENT_COMMAND", agentCommand);
        env.put("AGENT_PREWARM", Integer.toString(prewarm));
        env.put("AGENT_STOP_TIMEOUT_MS", Long.toString(STOP_TIMEOUT.toMillis()));
        env.put("AGENT_STATE_DIR", stateDirectory.toString());
        env.put("DRAIN_TIMEOUT_MS", "0");
        return env;
    }

    /** The sample agent from the built jar, its command line marked as a test agent. */
    private static String sampleAgentCommand() {
        return ExampleServer.java() + " -D" + ExampleServer.AGENT_MARKER + "=prewarm -XX:+UseSerialGC"
                + " -XX:TieredStopAtLevel=1 -Xmx64m -cp '" + ExampleServer.jar() + "' " + Main.class.getName()
                + " agent";
    }

    private static ExampleServer startServer(Map<String, String> env) {
        ExampleServer server = ExampleServer.run(env);
        server.awaitLine(line -> line.startsWith("agent-lifecycle example server listening on"), WAIT);
        return server;
    }

    /**
     * Whether agent {@code pid} has said it waits for its room: the server logs each line its agents write, after
     * {@code [AI-Agent:<room> pid=<pid>] }.
     */
    private static boolean saidIdle(ExampleServer server, long pid) {
        String tag = " pid=" + pid + "] ";
        return server.out().stream().filter(line -> line.contains(tag))
                .map(line -> line.substring(line.indexOf(tag) + tag.length()).replaceAll("\\s", ""))
                .anyMatch(SampleAgent.IDLE::equals);
    }

    /** Waits until {@code count} agent processes run, none serving {@code except}, all said idle; their pids. */
    private static Set<Long> awaitIdle(ExampleServer server, ExampleApi api, int count, Set<Long> except) {
        Poll.until(WAIT, () -> {
            Set<Long> idle = new HashSet<>(server.agentPids());
            idle.removeAll(except);
            return api.stats().path("idleAgents").asInt() == count && idle.size() == count
                    && idle.stream().allMatch(pid -> saidIdle(server, pid));
        }, () -> "not " + count + " idle agents: stats " + api.stats() + ", agents " + server.agentPids()
                + "; output:\n" + String.join("\n", server.out()));
        Set<Long> idle = new HashSet<>(server.agentPids());
        idle.removeAll(except);
        return idle;
    }

    private static JsonNode awaitReady(ExampleApi api, String room) {
        Poll.until(WAIT, () -> api.room(room).map(r -> r.path("agentState").asText().equals("ready")).orElse(false),
                () -> "room " + room + " has no ready agent: " + api.room(room));
        return api.room(room).orElseThrow();
    }

    /**
     * Waits until none of {@code agents} runs. The server's shutdown does not wait for the agents that wait for a room
     * to exit, only sends them SIGTERM and closes their stdin, so they may outlive it by a moment.
     */
    private static void awaitGone(Set<Long> agents) {
        Poll.until(STOP_TIMEOUT, () -> agents.stream().noneMatch(AgentCensus::running),
                () -> "agent processes left after the server exited: " + agents.stream().filter(AgentCensus::running)
                        .toList());
    }

    private void assertNoRecordLeft() throws IOException {
        try (Stream<Path> records = Files.list(stateDirectory)) {
            assertThat(records).as("agent state records left behind").isEmpty();
        }
    }

    @Test
    void aRoomGetsAnAgentThatWasAlreadyWaitingThePoolRefillsAndSigtermLeavesNoAgent() throws Exception {
        int port = ExampleServer.freePort();
        Map<String, String> env = environment(port, 2, sampleAgentCommand());
        env.put("SAMPLE_AGENT_LOAD_MS", "500");
        try (ExampleServer server = startServer(env)) {
            ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, CREDENTIALS);
            server.awaitLine(line -> line.contains("2 agent processes kept started ahead of need (AGENT_PREWARM)"),
                    WAIT);

            Set<Long> waiting = awaitIdle(server, api, 2, Set.of());
            JsonNode before = api.stats();
            assertThat(before.path("warmLaunches").asLong()).isZero();
            assertThat(before.path("coldLaunches").asLong()).isZero();
            assertThat(before.path("totalRooms").asInt()).isZero();

            assertThat(api.token("room-warm", "alice").path("agent").path("status").asText()).isEqualTo("launched");

            JsonNode room = awaitReady(api, "room-warm");
            long agent = room.path("agentPid").asLong();
            assertThat(waiting).as("the room's agent is one that was waiting").contains(agent);
            String identity = room.path("agentIdentity").asText();
            server.awaitLine(line -> line.contains("[AI-Agent:room-warm pid=" + agent + "] sample agent " + identity
                    + ": heartbeat accepted"), WAIT);
            JsonNode after = api.stats();
            assertThat(after.path("warmLaunches").asLong()).isEqualTo(1);
            assertThat(after.path("coldLaunches").asLong()).isZero();

            // The pool starts another in place of the one the room took.
            Set<Long> refilled = awaitIdle(server, api, 2, Set.of(agent));
            Set<Long> stillWaiting = new HashSet<>(waiting);
            stillWaiting.remove(agent);
            assertThat(refilled).hasSize(2).containsAll(stillWaiting).doesNotContain(agent);
            assertThat(server.agentPids()).hasSize(3);

            Set<Long> all = new HashSet<>(refilled);
            all.add(agent);
            int status = server.terminate(STOP_TIMEOUT.plus(WAIT));
            assertThat(status).as("server exit status; output:\n%s", String.join("\n", server.out())).isNotEqualTo(-1);
            awaitGone(all);
        }
    }

    @Test
    void aDrainStopsTheWaitingAgentsAtOnceAndTheRoomsAgentWhenItsRoomEnds() throws Exception {
        int port = ExampleServer.freePort();
        Map<String, String> env = environment(port, 2, sampleAgentCommand());
        env.put("DRAIN_TIMEOUT_MS", "60000");
        env.put("GRACE_PERIOD_MS", "1000");
        try (ExampleServer server = startServer(env)) {
            ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, CREDENTIALS);
            awaitIdle(server, api, 2, Set.of());
            api.token("room-a", "alice");
            long agent = awaitReady(api, "room-a").path("agentPid").asLong();
            WebhookEvents roomA = new WebhookEvents("room-a", Clock.systemUTC());
            String alice = roomA.newSessionId();
            api.webhook(roomA.participantJoined(alice, "alice", "STANDARD"));
            Set<Long> waiting = awaitIdle(server, api, 2, Set.of(agent));

            server.process().toHandle().destroy();

            Poll.until(WAIT, () -> waiting.stream().noneMatch(AgentCensus::running)
                    && server.agentPids().equals(Set.of(agent)),
                    () -> "agents while draining: " + server.agentPids() + ", the room's: " + agent);
            assertThat(api.stats().path("state").asText()).isEqualTo("draining");
            assertThat(api.stats().path("idleAgents").asInt()).isZero();
            assertThat(AgentCensus.running(agent)).as("the room's agent").isTrue();

            api.webhook(roomA.participantLeft(alice, "alice", "STANDARD"));
            assertThat(server.process().waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("server exits once drained; output:\n%s", String.join("\n", server.out())).isTrue();
            assertThat(AgentCensus.running(agent)).isFalse();
            assertNoRecordLeft();
        }
    }

    @Test
    void theReadmeShowsThePythonAgentThisTestRuns() throws IOException {
        String snippet = Files.readString(PYTHON_AGENT, StandardCharsets.UTF_8);
        String readme = Files.readString(README, StandardCharsets.UTF_8);

        assertThat(readme.contains("```python\n" + snippet + "```\n"))
                .as("README.md shows %s verbatim in a python block", PYTHON_AGENT).isTrue();
    }

    @Test
    void theReadmesPythonAgentTakesAWaitingRoomAndReportsThere() throws Exception {
        assumeTrue(python3Installed(), "python3 is not installed");
        // Copied to a folder named after the marker, so that the agent's command line carries it.
        Path agentFile = Files.createDirectories(scratch.resolve(ExampleServer.AGENT_MARKER))
                .resolve("prewarmed_agent.py");
        Files.copy(PYTHON_AGENT, agentFile);
        int port = ExampleServer.freePort();
        try (ExampleServer server = startServer(environment(port, 1, "python3 '" + agentFile + "'"))) {
            ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, CREDENTIALS);
            Set<Long> waiting = awaitIdle(server, api, 1, Set.of());

            api.token("room-py", "alice");

            JsonNode room = awaitReady(api, "room-py");
            assertThat(waiting).contains(room.path("agentPid").asLong());
            server.awaitLine(line -> line.matches(".*Room room-py: agent \\S+ ready \\(heartbeat\\).*"), WAIT);
            JsonNode stats = api.stats();
            assertThat(stats.path("warmLaunches").asLong()).isEqualTo(1);
            assertThat(stats.path("coldLaunches").asLong()).isZero();

            Set<Long> all = new HashSet<>(awaitIdle(server, api, 1, waiting));
            all.addAll(waiting);
            assertThat(server.terminate(STOP_TIMEOUT.plus(WAIT))).isNotEqualTo(-1);
            awaitGone(all);
        }
    }

    private static boolean python3Installed() throws InterruptedException {
        Process version;
        try {
            version = new ProcessBuilder("python3", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException notInstalled) {
            return false;
        }
        if (!version.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            version.destroyForcibly();
        }
        return true;
    }
}
