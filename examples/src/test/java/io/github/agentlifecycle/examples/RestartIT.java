package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example server restarting while people are in a room, against a stand-in for LiveKit's room service: agent
 * processes do not outlive the server, so the new server gives the room a new agent as soon as it starts, without a
 * token request, and leaves a room with nobody in it alone. A LiveKit that hangs does not keep the server from
 * starting; {@code RECONCILE_INTERVAL_MS=0} asks LiveKit nothing.
 */
@EnabledOnOs(OS.LINUX)
class RestartIT {
    private static final LiveKitCredentials CREDENTIALS = new LiveKitCredentials("APIexampleKey", "example-secret-42");
    private static final String ADMIN_TOKEN = "example-admin-token-0123456789";
    private static final String TEST_AGENT = "sh -c ': " + ExampleServer.AGENT_MARKER + "; "
            + "while read -r line; do :; done'";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path stateDirectory;

    private Map<String, String> environment(int port, String livekitUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("LIVEKIT_URL", livekitUrl);
        env.put("LIVEKIT_API_KEY", CREDENTIALS.apiKey());
        env.put("LIVEKIT_API_SECRET", CREDENTIALS.apiSecret());
        env.put("AGENT_COMMAND", TEST_AGENT);
        env.put("AGENT_STOP_TIMEOUT_MS", "3000");
        env.put("AGENT_STATE_DIR", stateDirectory.toString());
        env.put("RECONCILE_INTERVAL_MS", "60000");
        // A restart that does not wait for the conversations: what happens to process agents when their host goes.
        env.put("DRAIN_TIMEOUT_MS", "0");
        return env;
    }

    private static ExampleServer startServer(Map<String, String> env) {
        ExampleServer server = ExampleServer.run(env);
        server.awaitLine(line -> line.startsWith("agent-lifecycle example server listening on"), WAIT);
        return server;
    }

    @Test
    void afterARestartTheRoomPeopleAreInGetsANewAgentAtOnce() throws Exception {
        int port = ExampleServer.freePort();
        try (LiveKitRoomsStub liveKit = new LiveKitRoomsStub()) {
            Map<String, String> env = environment(port, liveKit.url());
            ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, CREDENTIALS);
            long before;
            try (ExampleServer first = startServer(env)) {
                api.token("room-live", "alice");
                before = api.awaitAgentPid("room-live");
                liveKit.room("room-live", "alice").room("room-empty");
                assertThat(first.terminate(WAIT)).isNotEqualTo(-1);
            }
            assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();

            try (ExampleServer second = startServer(env)) {
                assertThat(api.room("room-live")).as("adopted before the server says it listens").isPresent();
                long after = api.awaitAgentPid("room-live");

                assertThat(after).isNotEqualTo(before);
                assertThat(second.agentPids()).isEqualTo(Set.of(after));
                JsonNode room = api.room("room-live").orElseThrow();
                assertThat(room.path("humanCount").asInt()).isEqualTo(1);
                assertThat(api.room("room-empty")).isEmpty();
                second.awaitLine(line -> line.contains("Restored from LiveKit: 2 rooms listed, 1 in progress adopted"),
                        WAIT);
            }
        }
    }

    @Test
    void aLiveKitThatHangsDoesNotKeepTheServerFromStarting() throws Exception {
        try (LiveKitRoomsStub liveKit = new LiveKitRoomsStub()) {
            liveKit.room("room-live", "alice").stall();
            int port = ExampleServer.freePort();
            try (ExampleServer server = startServer(environment(port, liveKit.url()))) {
                assertThat(server.out()).filteredOn(line -> line.contains("WARN"))
                        .singleElement().asString().contains("Restore postponed: cannot list LiveKit rooms");
                ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, CREDENTIALS);
                assertThat(api.stats().path("totalRooms").asInt()).isZero();
            }
        }
    }

    @Test
    void aZeroReconcileIntervalAsksLiveKitNothing() throws Exception {
        try (LiveKitRoomsStub liveKit = new LiveKitRoomsStub()) {
            liveKit.room("room-live", "alice");
            int port = ExampleServer.freePort();
            Map<String, String> env = environment(port, liveKit.url());
            env.put("RECONCILE_INTERVAL_MS", "0");
            try (ExampleServer server = startServer(env)) {
                ExampleApi api = new ExampleApi(port, ADMIN_TOKEN, CREDENTIALS);
                assertThat(api.stats().path("totalRooms").asInt()).isZero();
                assertThat(liveKit.calls()).isZero();
                assertThat(server.agentPids()).isEmpty();
            }
        }
    }
}
