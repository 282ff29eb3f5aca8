package io.github.agentlifecycle.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The quick start's stand-in for a real agent. It does not connect to LiveKit; it shows what an agent program gets
 * from the process launcher and how it should behave: it reads its room and identity, reports a heartbeat every
 * few seconds to {@code AGENT_HEARTBEAT_URL} with its {@code AGENT_CREDENTIAL}, and exits with status 0 when it
 * receives SIGTERM or when its stdin reaches end-of-file (the host stopped it or died).
 */
final class SampleAgent {
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

    private final String room;
    private final String identity;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile boolean stdinClosed;

    private SampleAgent(String room, String identity) {
        this.room = room;
        this.identity = identity;
    }

    /** The command that runs the sample agent with the current Java runtime and class path. */
    static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx64m"));
        command.add("-cp");
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            classPath.add(Path.of(entry).toAbsolutePath().toString());
        }
        command.add(String.join(java.io.File.pathSeparator, classPath));
        command.add(Main.class.getName());
        command.add("agent");
        return List.copyOf(command);
    }

    static int run(String[] args, Map<String, String> env) throws InterruptedException {
        String room = args.length > 0 ? args[args.length - 1] : env.getOrDefault("ROOM_NAME", "");
        String identity = env.getOrDefault("AGENT_IDENTITY", "sample-agent");
        if (room.isEmpty()) {
            System.err.println("usage: agent <room name> (the launcher appends it)");
            return 2;
        }
        SampleAgent agent = new SampleAgent(room, identity);
        agent.log("starting in room " + room + " as " + identity + " (a real agent would now join "
                + env.getOrDefault("LIVEKIT_URL", "LiveKit") + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!agent.stdinClosed) {
                agent.log("stop signal received: leaving the room");
            }
            agent.stop.countDown();
            // Exit 0: being asked to stop is not a failure.
            Runtime.getRuntime().halt(0);
        }, "sample-agent-shutdown"));
        Thread stdin = new Thread(() -> agent.watchStdin(System.in), "sample-agent-stdin");
        stdin.setDaemon(true);
        stdin.start();
        String url = env.get("AGENT_HEARTBEAT_URL");
        String credential = env.get("AGENT_CREDENTIAL");
        if (url == null || credential == null) {
            agent.log("no AGENT_HEARTBEAT_URL; not sending heartbeats");
            agent.stop.await();
        } else {
            agent.heartbeats(URI.create(url), credential);
        }
        return 0;
    }

    private void watchStdin(InputStream in) {
        try {
            while (in.read() >= 0) {
                // Input is not used; only its end matters.
            }
        } catch (IOException e) {
            // A broken pipe means the host is gone as well.
        }
        stdinClosed = true;
        log("stdin closed: the host stopped this agent or went away; exiting");
        System.exit(0);
    }

    private void heartbeats(URI url, String credential) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        byte[] body;
        try {
            body = new ObjectMapper().writeValueAsBytes(Map.of("roomName", room, "agentIdentity", identity));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + credential)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        boolean accepted = false;
        do {
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 && !accepted) {
                    log("heartbeat accepted: the host counts this agent as ready");
                } else if (status != 200) {
                    log("heartbeat answered HTTP " + status);
                }
                accepted = status == 200;
            } catch (IOException e) {
                log("heartbeat failed: " + e);
                accepted = false;
            }
        } while (!stop.await(HEARTBEAT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS));
    }

    private void log(String message) {
        System.out.println("sample agent " + identity + ": " + message);
    }
}
