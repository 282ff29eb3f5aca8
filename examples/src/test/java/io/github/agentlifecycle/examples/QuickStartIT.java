package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.assertj.core.api.InstanceOfAssertFactories;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the built example jar as its own process, with real agent processes, and checks they appear, survive and
 * disappear exactly as the lifecycle says.
 */
@EnabledOnOs(OS.LINUX)
class QuickStartIT {
    private static final LiveKitCredentials CREDENTIALS = new LiveKitCredentials("APIexampleKey", "example-secret-42");
    private static final String ADMIN_TOKEN = "example-admin-token-0123456789";
    private static final Duration GRACE = Duration.ofMillis(1500);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(3);
    /** Prints what it got, then waits for stdin to close; stopped by SIGTERM or stdin's end. */
    private static final String TEST_AGENT = "sh -c ': " + ExampleServer.AGENT_MARKER + "; "
            + "echo \"test agent $AGENT_IDENTITY in $ROOM_NAME for $0 marker=$EXAMPLE_IT_MARKER"
            + " admin=${ADMIN_TOKEN-unset}\"; "
            + "while read -r line; do :; done'";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path stateDirectory;

    private Map<String, String> environment(int port) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("LIVEKIT_API_KEY", CREDENTIALS.apiKey());
        env.put("LIVEKIT_API_SECRET", CREDENTIALS.apiSecret());
        env.put("AGENT_COMMAND", TEST_AGENT);
        env.put("GRACE_PERIOD_MS", Long.toString(GRACE.toMillis()));
        env.put("AGENT_STOP_TIMEOUT_MS", Long.toString(STOP_TIMEOUT.toMillis()));
        env.put("AGENT_STATE_DIR", stateDirectory.toString());
        env.put("EXAMPLE_IT_MARKER", "inherited-42");
        env.put("DRAIN_TIMEOUT_MS", "0");
        return env;
    }

    private static ExampleServer startServer(Map<String, String> env) {
        ExampleServer server = ExampleServer.run(env);
        server.awaitLine(line -> line.startsWith("agent-lifecycle example server listening on"), WAIT);
        return server;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitGone(ExampleApi api, ExampleServer server, String room, long pid) {
        Poll.until(WAIT, () -> api.room(room).isEmpty() && !alive(pid) && !server.agentPids().contains(pid),
                () -> "room " + room + " or its agent " + pid + " is still there: " + api.room(room));
    }

    @Test
    void agentProcessesFollowTheRoomLifecycle() throws Exception {
        int port = ExampleServer.freePort();
        try (ExampleServer server = startServer(environment(port))) {
            ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, CREDENTIALS);

            // A token request starts the room's agent; asking again for the same room does not start another.
            assertThat(api.token("room-a", "alice").path("agent").path("status").asText()).isEqualTo("launched");
            long agentA = api.awaitAgentPid("room-a");
            Poll.until(WAIT, () -> server.agentPids().equals(Set.of(agentA)), () -> "agents " + server.agentPids());
            assertThat(api.token("room-a", "bob").path("agent").path("status").asText()).isEqualTo("running");
            assertThat(api.token("room-b", "carol").path("agent").path("status").asText()).isEqualTo("launched");
            long agentB = api.awaitAgentPid("room-b");
            Poll.until(WAIT, () -> server.agentPids().equals(Set.of(agentA, agentB)),
                    () -> "agents " + server.agentPids());
            String identityA = api.room("room-a").orElseThrow().path("agentIdentity").asText();
            String identityB = api.room("room-b").orElseThrow().path("agentIdentity").asText();
            // The agent runs with the server's environment, the launcher's variables and the room as last argument.
            // The server's admin token is withheld from its agents.
            server.awaitLine(line -> line.contains("test agent " + identityA
                    + " in room-a for room-a marker=inherited-42 admin=unset"), WAIT);

            WebhookEvents roomA = new WebhookEvents("room-a", Clock.systemUTC());
            WebhookEvents roomB = new WebhookEvents("room-b", Clock.systemUTC());
            String alice = roomA.newSessionId();
            String carol = roomB.newSessionId();
            api.webhook(roomA.roomStarted());
            api.webhook(roomA.participantJoined(alice, "alice", "STANDARD"));
            api.webhook(roomA.participantJoined(roomA.newSessionId(), identityA, "AGENT"));
            api.webhook(roomB.participantJoined(carol, "carol", "STANDARD"));
            api.webhook(roomB.participantJoined(roomB.newSessionId(), identityB, "AGENT"));
            JsonNode active = api.room("room-a").orElseThrow();
            assertThat(active.path("state").asText()).isEqualTo("active");
            assertThat(active.path("agentState").asText()).isEqualTo("ready");
            assertThat(active.path("humanCount").asInt()).isEqualTo(1);
            assertThat(active.path("participantCount").asInt()).isEqualTo(2);

            // Alice leaves and comes back within the grace period: the same agent stays.
            assertThat(api.webhook(roomA.participantLeft(alice, "alice", "STANDARD")).path("outcome").asText())
                    .isEqualTo("applied");
            assertThat(api.room("room-a").orElseThrow().path("state").asText()).isEqualTo("grace_period");
            assertThat(alive(agentA)).isTrue();
            String aliceAgain = roomA.newSessionId();
            api.webhook(roomA.participantJoined(aliceAgain, "alice", "STANDARD"));
            assertThat(api.room("room-a").orElseThrow().path("state").asText()).isEqualTo("active");

            // Carol leaves room-b for good: its agent goes one grace period later. By then room-a's first grace
            // deadline has passed too, and room-a's agent must still be there.
            api.webhook(roomB.participantLeft(carol, "carol", "STANDARD"));
            awaitGone(api, server, "room-b", agentB);
            assertThat(alive(agentA)).isTrue();
            assertThat(server.agentPids()).containsExactly(agentA);
            assertThat(api.room("room-a").orElseThrow().path("agentPid").asLong()).isEqualTo(agentA);
            server.awaitLine(line -> line.contains("Room room-b: grace period expired"), WAIT);

            // Alice leaves again: the room and its agent are gone after the grace period.
            api.webhook(roomA.participantLeft(aliceAgain, "alice", "STANDARD"));
            assertThat(alive(agentA)).isTrue();
            awaitGone(api, server, "room-a", agentA);
            server.awaitLine(line -> line.matches(".*Room room-a: agent " + identityA + " exited.*"), WAIT);

            // An admin close stops the agent at once.
            api.token("room-c", "dave");
            long agentC = api.awaitAgentPid("room-c");
            api.close("room-c");
            awaitGone(api, server, "room-c", agentC);

            // Shutdown without a drain (DRAIN_TIMEOUT_MS=0) stops every agent within the stop timeout, then the server
            // exits.
            api.token("room-d", "erin");
            api.token("room-e", "frank");
            long agentD = api.awaitAgentPid("room-d");
            long agentE = api.awaitAgentPid("room-e");
            Poll.until(WAIT, () -> server.agentPids().equals(Set.of(agentD, agentE)),
                    () -> "agents " + server.agentPids());
            int status = server.terminate(STOP_TIMEOUT.plus(WAIT));
            assertThat(status).as("server exit status; output:\n%s", String.join("\n", server.out())).isNotEqualTo(-1);
            assertThat(alive(agentD)).isFalse();
            assertThat(alive(agentE)).isFalse();
            assertThat(server.out()).anyMatch(line -> line.contains("Shut down"));
            try (Stream<Path> records = Files.list(stateDirectory)) {
                assertThat(records).as("agent state records left behind").isEmpty();
            }
        }
    }

    @Test
    void sigtermDrainsTheConversationsUnderWayThenTheServerExitsByItself() throws Exception {
        int port = ExampleServer.freePort();
        Map<String, String> env = environment(port);
        env.put("DRAIN_TIMEOUT_MS", "60000");
        try (ExampleServer server = startServer(env)) {
            ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, CREDENTIALS);
            WebhookEvents roomA = new WebhookEvents("room-a", Clock.systemUTC());
            String alice = roomA.newSessionId();
            api.token("room-a", "alice");
            long agentA = api.awaitAgentPid("room-a");
            api.webhook(roomA.participantJoined(alice, "alice", "STANDARD"));
            assertThat(api.get("/health/ready").statusCode()).isEqualTo(200);

            server.process().toHandle().destroy();

            Poll.until(WAIT, () -> api.get("/health/ready").statusCode() == 503,
                    () -> "still ready: " + api.body(api.get("/health/ready")));
            assertThat(api.body(api.get("/health")).path("data").path("state").asText()).isEqualTo("draining");
            HttpResponse<byte[]> refused = api.tokenResponse("room-b", "bob");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(api.body(refused).path("error").path("code").asText()).isEqualTo("draining");
            assertThat(api.token("room-a", "carol").path("agent").path("status").asText()).isEqualTo("running");
            assertThat(api.stats().path("state").asText()).isEqualTo("draining");
            assertThat(server.process().isAlive()).isTrue();
            assertThat(alive(agentA)).isTrue();
            assertThat(server.agentPids()).containsExactly(agentA);

            // The conversation ends as it would have: the agent goes one grace period after alice left, and with it
            // the server.
            api.webhook(roomA.participantLeft(alice, "alice", "STANDARD"));
            assertThat(server.process().waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("server exits once drained; output:\n%s", String.join("\n", server.out())).isTrue();
            assertThat(alive(agentA)).isFalse();
            assertThat(server.out()).anyMatch(line -> line.contains("Room room-a: closed (GRACE_EXPIRED)"));
            assertThat(server.out()).anyMatch(line -> line.contains("Drained"));
        }
    }

    @Test
    void theSampleAgentAndTheSimulatorPlayAWholeLifecycleWithGeneratedCredentials() throws Exception {
        int port = ExampleServer.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("GRACE_PERIOD_MS", "1000");
        env.put("AGENT_STATE_DIR", stateDirectory.toString());
        try (ExampleServer server = startServer(env)) {
            String tokenLine = server.awaitLine(line -> line.contains("admin token (generated"), WAIT);
            String adminToken = tokenLine.substring(tokenLine.lastIndexOf(' ') + 1);
            server.awaitLine(line -> line.startsWith("WARNING: LIVEKIT_API_KEY and LIVEKIT_API_SECRET"), WAIT);
            ExampleApi api = new ExampleApi(port, adminToken, new LiveKitCredentials("devkey", "secret"));
            assertThat(api.stats().path("totalRooms").asInt()).isZero();

            Map<String, String> simulateEnv = new HashMap<>(env);
            simulateEnv.put("ADMIN_TOKEN", adminToken);
            try (ExampleServer simulate = ExampleServer.run(simulateEnv, "simulate", "room-sim")) {
                assertThat(simulate.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
                String output = String.join("\n", simulate.out()) + "\n" + String.join("\n", simulate.err());
                assertThat(simulate.process().exitValue()).as(output).isZero();
                assertThat(output).contains("alice rejoined within the grace period", "same agent process",
                        "room closed and forgotten", "Done: the room went through its whole lifecycle.");
            }
            server.awaitLine(line -> line.matches(".*Room room-sim: agent ai-agent-\\S+ ready \\(heartbeat\\).*"), WAIT);
            server.awaitLine(line -> line.contains("Room room-sim: closed (GRACE_EXPIRED)"), WAIT);
            server.awaitLine(line -> line.matches(".*Room room-sim: agent ai-agent-\\S+ exited \\(exit code 0\\).*"),
                    WAIT);
            assertThat(server.agentPids()).isEmpty();
        }
    }

    @Test
    void theDemoCommandStartsTheServerPlaysARoomAndKeepsServing() throws Exception {
        int port = ExampleServer.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("GRACE_PERIOD_MS", "1000");
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("AGENT_STATE_DIR", stateDirectory.toString());
        try (ExampleServer demo = ExampleServer.run(env, "demo")) {
            demo.awaitLine(line -> line.startsWith("The server keeps running at"), Duration.ofSeconds(60));
            assertThat(demo.out()).contains("Done: the room went through its whole lifecycle.");
            assertThat(demo.agentPids()).isEmpty();
            ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, new LiveKitCredentials("devkey", "secret"));
            assertThat(api.stats().path("roomsClosed").asLong()).isEqualTo(1);
            assertThat(demo.terminate(WAIT)).isNotEqualTo(-1);
        }
    }

    @Test
    void aBadSettingStopsTheServerAtStartWithOneLineNamingIt() throws Exception {
        for (String[] setting : new String[][] {{"PORT", "abc"}, {"GRACE_PERIOD_MS", "-1"},
                {"AGENT_COMMAND", "python 'agent.py"}, {"LIVEKIT_URL", "localhost:7880"}}) {
            Map<String, String> env = environment(ExampleServer.freePort());
            env.put(setting[0], setting[1]);
            try (ExampleServer server = ExampleServer.run(env)) {
                assertThat(server.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(server.process().exitValue()).isEqualTo(2);
                Poll.until(WAIT, () -> !server.err().isEmpty(), () -> "nothing on stderr");
                assertThat(server.err()).singleElement(InstanceOfAssertFactories.STRING)
                        .startsWith("agent-lifecycle example: " + setting[0] + ": ");
                assertThat(server.out()).noneMatch(line -> line.contains("listening on"));
            }
        }
    }

    @Test
    void aStateDirectoryOthersCouldWriteToStopsTheServerAtStartWithOneLineNamingIt() throws Exception {
        Files.setPosixFilePermissions(stateDirectory, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ExampleServer server = ExampleServer.run(environment(ExampleServer.freePort()))) {
            assertThat(server.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(server.process().exitValue()).isEqualTo(2);
            Poll.until(WAIT, () -> server.err().stream().anyMatch(line -> line.startsWith("agent-lifecycle example:")),
                    () -> "no error line on stderr: " + server.err());
            assertThat(server.err()).filteredOn(line -> line.startsWith("agent-lifecycle example:")).singleElement()
                    .asString().startsWith("agent-lifecycle example: AGENT_STATE_DIR: ")
                    .contains(stateDirectory.toString()).contains("private to its user");
            assertThat(server.out()).noneMatch(line -> line.contains("listening on"));
        }
    }

    @Test
    void aPortInUseIsReportedAndNothingIsStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            try (ExampleServer server = ExampleServer.run(environment(taken.getLocalPort()))) {
                assertThat(server.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(server.process().exitValue()).isEqualTo(1);
                Poll.until(WAIT, () -> !server.err().isEmpty(), () -> "nothing on stderr");
                assertThat(server.err().get(0)).startsWith("agent-lifecycle example: PORT: cannot listen on");
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
