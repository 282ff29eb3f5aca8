package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sample agent as a real process: what it sends and when it exits, started for a room or ahead of need. */
@EnabledOnOs(OS.LINUX)
class SampleAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CREDENTIAL = "credential-7";

    /** One heartbeat as the receiver got it. */
    private record Heartbeat(long receivedNanos, String authorization, String contentType, String body) {}

    private final BlockingQueue<Heartbeat> heartbeats = new LinkedBlockingQueue<>();
    private final List<String> output = new CopyOnWriteArrayList<>();
    /** When each distinct output line was first read, by {@link System#nanoTime()}. */
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private HttpServer receiver;
    private Process agent;
    private long startedNanos;

    @BeforeEach
    void startHeartbeatReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/agent-report", exchange -> {
            try (exchange) {
                heartbeats.add(new Heartbeat(System.nanoTime(), exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null && agent.isAlive()) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        receiver.stop(0);
    }

    private String heartbeatUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/agent-report";
    }

    /** Starts the agent for room-7, as the launcher does without prewarming. */
    private void startAgent(String... extraEnvironment) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ROOM_NAME", "room-7");
        env.put("AGENT_IDENTITY", "ai-agent-7");
        env.put("AGENT_HEARTBEAT_URL", heartbeatUrl());
        env.put("AGENT_CREDENTIAL", CREDENTIAL);
        start("room-7", env, extraEnvironment);
    }

    /** Starts the agent without a room, as the launcher starts one ahead of need. */
    private void startIdleAgent(String... extraEnvironment) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AGENT_ASSIGNMENT", "stdin");
        env.put("AGENT_HEARTBEAT_URL", heartbeatUrl());
        start(null, env, extraEnvironment);
    }

    private void start(String room, Map<String, String> env, String... extraEnvironment) throws IOException {
        List<String> command = new ArrayList<>(SampleAgent.command());
        if (room != null) {
            command.add(room);
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeAll(List.of("ROOM_NAME", "AGENT_IDENTITY", "AGENT_HEARTBEAT_URL",
                "AGENT_CREDENTIAL", "AGENT_ASSIGNMENT", "SAMPLE_AGENT_LOAD_MS"));
        builder.environment().putAll(env);
        for (int i = 0; i < extraEnvironment.length; i += 2) {
            builder.environment().put(extraEnvironment[i], extraEnvironment[i + 1]);
        }
        builder.redirectErrorStream(true);
        startedNanos = System.nanoTime();
        agent = builder.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    firstSeen.putIfAbsent(line, System.nanoTime());
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("<read failed: " + e + ">");
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    private void awaitLine(String line) {
        Poll.until(WAIT, () -> output.contains(line), () -> "no line " + line + " in " + output);
    }

    private void awaitLineContaining(String text) {
        Poll.until(WAIT, () -> output.stream().anyMatch(line -> line.contains(text)),
                () -> "no line with \"" + text + "\" in " + output);
    }

    private void send(String line) throws IOException {
        OutputStream stdin = agent.getOutputStream();
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private static String assignment(boolean withHeartbeatUrl, String heartbeatUrl) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("type", "assignment");
        fields.put("roomName", "room-7");
        fields.put("agentIdentity", "ai-agent-7");
        fields.put("credential", CREDENTIAL);
        if (withHeartbeatUrl) {
            fields.put("heartbeatUrl", heartbeatUrl);
        }
        return new ObjectMapper().writeValueAsString(fields);
    }

    private Heartbeat awaitHeartbeat() throws InterruptedException {
        Heartbeat heartbeat = heartbeats.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(heartbeat).as("a heartbeat; agent output: %s", output).isNotNull();
        assertThat(heartbeat.authorization()).isEqualTo("Bearer " + CREDENTIAL);
        assertThat(heartbeat.contentType()).isEqualTo("application/json");
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(heartbeat.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(body.path("roomName").asText()).isEqualTo("room-7");
        assertThat(body.path("agentIdentity").asText()).isEqualTo("ai-agent-7");
        return heartbeat;
    }

    private void assertExitsWith(int status) throws InterruptedException {
        assertThat(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exited; output: %s", output).isTrue();
        assertThat(agent.exitValue()).as("exit status; output: %s", output).isEqualTo(status);
    }

    @Test
    void reportsHeartbeatsWithItsCredentialAndExitsWithZeroOnSigterm() throws Exception {
        startAgent();
        awaitHeartbeat();

        agent.toHandle().destroy();

        assertExitsWith(0);
        awaitLineContaining("stop signal received: leaving the room");
        assertThat(output).doesNotContain(SampleAgent.IDLE);
    }

    @Test
    void exitsWithZeroWhenItsStdinCloses() throws Exception {
        startAgent();
        awaitHeartbeat();

        agent.getOutputStream().close();

        assertExitsWith(0);
        awaitLineContaining("stdin closed");
        assertThat(output).noneMatch(line -> line.contains("stop signal received"));
    }

    @Test
    void startedAheadOfNeedItSaysItIsIdleTakesTheRoomFromStdinThenReportsThere() throws Exception {
        startIdleAgent();
        awaitLine(SampleAgent.IDLE);
        assertThat(heartbeats).as("no heartbeat before a room").isEmpty();
        assertThat(agent.isAlive()).isTrue();

        send(assignment(true, heartbeatUrl()));

        awaitLine(SampleAgent.ASSIGNED);
        awaitHeartbeat();
        awaitLineContaining("sample agent ai-agent-7: starting in room room-7 as ai-agent-7");
        assertThat(output.indexOf(SampleAgent.IDLE)).isLessThan(output.indexOf(SampleAgent.ASSIGNED));

        // Stdin is watched for its end once the room is taken, and only then.
        agent.getOutputStream().close();

        assertExitsWith(0);
        awaitLineContaining("sample agent ai-agent-7: stdin closed: the host stopped this agent or went away");
        assertThat(output).noneMatch(line -> line.contains("stop signal received"));
    }

    @Test
    void withoutAHeartbeatUrlInItsAssignmentItTakesTheRoomAndSendsNone() throws Exception {
        startIdleAgent();
        awaitLine(SampleAgent.IDLE);

        send(assignment(false, heartbeatUrl()));

        awaitLine(SampleAgent.ASSIGNED);
        awaitLineContaining("no heartbeat URL; not sending heartbeats");
        assertThat(heartbeats).isEmpty();
        agent.toHandle().destroy();
        assertExitsWith(0);
        awaitLineContaining("stop signal received: leaving the room");
    }

    @Test
    void aSigtermWhileItWaitsForItsRoomEndsItWithZero() throws Exception {
        startIdleAgent();
        awaitLine(SampleAgent.IDLE);

        agent.toHandle().destroy();

        assertExitsWith(0);
        awaitLineContaining("stop signal received before a room was assigned");
    }

    @Test
    void stdinEndingWhileItWaitsForItsRoomEndsItWithZero() throws Exception {
        startIdleAgent();
        awaitLine(SampleAgent.IDLE);

        agent.getOutputStream().close();

        assertExitsWith(0);
        awaitLineContaining("stdin closed before a room was assigned");
        assertThat(output).doesNotContain(SampleAgent.ASSIGNED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "room-7 credential-7",
            "{\"type\":\"hello\",\"roomName\":\"room-7\",\"agentIdentity\":\"ai-agent-7\",\"credential\":\"credential-7\"}",
            "{\"type\":\"assignment\",\"roomName\":\"room-7\",\"credential\":\"credential-7\"}",
            "{\"type\":\"assignment\",\"roomName\":\" \",\"agentIdentity\":\"ai-agent-7\",\"credential\":\"credential-7\"}",
            "[\"assignment\", \"credential-7\"]"})
    void aLineThatIsNotAnAssignmentIsRefusedWithoutRepeatingIt(String line) throws Exception {
        startIdleAgent();
        awaitLine(SampleAgent.IDLE);

        send(line);

        assertExitsWith(1);
        awaitLineContaining("cannot take a room: ");
        assertThat(output).doesNotContain(SampleAgent.ASSIGNED).noneMatch(out -> out.contains(CREDENTIAL));
        assertThat(heartbeats).isEmpty();
    }

    @Test
    void sampleAgentLoadMsDelaysTheIdleLine() throws Exception {
        startIdleAgent("SAMPLE_AGENT_LOAD_MS", "1500");

        awaitLine(SampleAgent.IDLE);

        assertThat(TimeUnit.NANOSECONDS.toMillis(firstSeen.get(SampleAgent.IDLE) - startedNanos))
                .isGreaterThanOrEqualTo(1500);
        awaitLineContaining("loading for 1500 ms (SAMPLE_AGENT_LOAD_MS)");
    }

    @Test
    void sampleAgentLoadMsDelaysTheFirstHeartbeatOfAnAgentStartedForItsRoom() throws Exception {
        startAgent("SAMPLE_AGENT_LOAD_MS", "1500");

        Heartbeat first = awaitHeartbeat();

        assertThat(TimeUnit.NANOSECONDS.toMillis(first.receivedNanos() - startedNanos)).isGreaterThanOrEqualTo(1500);
    }

    @Test
    void anAgentStillLoadingStopsOnSigtermAndOnStdinEnd() throws Exception {
        startAgent("SAMPLE_AGENT_LOAD_MS", "60000");
        awaitLineContaining("loading for 60000 ms");
        agent.toHandle().destroy();
        assertExitsWith(0);

        output.clear();
        startAgent("SAMPLE_AGENT_LOAD_MS", "60000");
        awaitLineContaining("loading for 60000 ms");
        agent.getOutputStream().close();
        assertExitsWith(0);
        awaitLineContaining("stdin closed");
        assertThat(heartbeats).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "soon", "1.5"})
    void aBadSampleAgentLoadMsStopsItAtStartNamingTheVariable(String value) throws Exception {
        startAgent("SAMPLE_AGENT_LOAD_MS", value);

        assertExitsWith(2);
        awaitLineContaining("sample agent: SAMPLE_AGENT_LOAD_MS: must be a whole number of milliseconds >= 0");
        assertThat(heartbeats).isEmpty();
    }
}
