package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The sample agent as a real process: what it sends and when it exits. */
@EnabledOnOs(OS.LINUX)
class SampleAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final BlockingQueue<String[]> heartbeats = new LinkedBlockingQueue<>();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private HttpServer receiver;
    private Process agent;

    @BeforeEach
    void startHeartbeatReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/agent-report", exchange -> {
            try (exchange) {
                heartbeats.add(new String[] {exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)});
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

    private void startAgent() throws IOException {
        List<String> command = new ArrayList<>(SampleAgent.command());
        command.add("room-7");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("ROOM_NAME", "room-7");
        builder.environment().put("AGENT_IDENTITY", "ai-agent-7");
        builder.environment().put("AGENT_HEARTBEAT_URL",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/agent-report");
        builder.environment().put("AGENT_CREDENTIAL", "credential-7");
        builder.redirectErrorStream(true);
        agent = builder.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                output.add("<read failed: " + e + ">");
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    private void awaitHeartbeat() throws InterruptedException {
        String[] heartbeat = heartbeats.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(heartbeat).as("a heartbeat; agent output: %s", output).isNotNull();
        assertThat(heartbeat[0]).isEqualTo("Bearer credential-7");
        assertThat(heartbeat[1]).isEqualTo("application/json");
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(heartbeat[2]);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(body.path("roomName").asText()).isEqualTo("room-7");
        assertThat(body.path("agentIdentity").asText()).isEqualTo("ai-agent-7");
    }

    @Test
    void reportsHeartbeatsWithItsCredentialAndExitsWithZeroOnSigterm() throws Exception {
        startAgent();
        awaitHeartbeat();

        agent.toHandle().destroy();

        assertThat(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isZero();
        Poll.until(WAIT, () -> output.stream().anyMatch(line -> line.contains("stop signal received")),
                () -> "no stop line in " + output);
    }

    @Test
    void exitsWithZeroWhenItsStdinCloses() throws Exception {
        startAgent();
        awaitHeartbeat();

        agent.getOutputStream().close();

        assertThat(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isZero();
        Poll.until(WAIT, () -> output.stream().anyMatch(line -> line.contains("stdin closed")),
                () -> "no stdin line in " + output);
        assertThat(output).noneMatch(line -> line.contains("stop signal received"));
    }
}
