package io.github.agentlifecycle.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The quick start's stand-in for a real agent. It does not connect to LiveKit; it shows what an agent program gets
 * from the process launcher and how it should behave: it learns its room and identity, reports a heartbeat every
 * few seconds to its heartbeat URL with its credential, and exits with status 0 when it receives SIGTERM or when its
 * stdin reaches end-of-file (the host stopped it or died).
 *
 * <p>It learns its room in one of two ways. Started for a room, it gets the room as its last argument and its
 * identity, heartbeat URL and credential in {@code AGENT_IDENTITY}, {@code AGENT_HEARTBEAT_URL} and {@code
 * AGENT_CREDENTIAL}. Started ahead of need ({@code AGENT_ASSIGNMENT=stdin}), it writes the line {@value #IDLE} once it
 * has loaded, reads one line of JSON from stdin naming its room, identity, credential and heartbeat URL, and answers
 * {@value #ASSIGNED}; only then does it watch stdin for its end.
 *
 * <p>{@code SAMPLE_AGENT_LOAD_MS} (default 0) makes it take that long to load before it is ready, as a real agent
 * loading its models would: it says it is idle, or sends its first heartbeat, that much later.
 */
final class SampleAgent {
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    /** Set to {@value #ASSIGNMENT_FROM_STDIN} when the agent gets its room on stdin. */
    static final String ASSIGNMENT_VARIABLE = "AGENT_ASSIGNMENT";
    static final String ASSIGNMENT_FROM_STDIN = "stdin";
    /** How long the agent pretends to load, in milliseconds. */
    static final String LOAD_VARIABLE = "SAMPLE_AGENT_LOAD_MS";
    static final String IDLE = "{\"type\":\"idle\"}";
    static final String ASSIGNED = "{\"type\":\"assigned\"}";

    /** The room the agent serves and how it reports there. */
    private record Assignment(String room, String identity, @Nullable String credential,
            @Nullable String heartbeatUrl) {}

    private final BufferedReader stdin;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile String name;
    private volatile boolean hasRoom;
    /** Set before the agent exits of its own accord, so that the exit is not taken for a stop signal. */
    private volatile boolean leaving;

    private SampleAgent(BufferedReader stdin, String name) {
        this.stdin = stdin;
        this.name = name;
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
        long loadMillis;
        try {
            loadMillis = loadMillis(env.get(LOAD_VARIABLE));
        } catch (IllegalArgumentException e) {
            System.err.println("sample agent: " + LOAD_VARIABLE + ": " + e.getMessage());
            return 2;
        }
        boolean prewarmed = ASSIGNMENT_FROM_STDIN.equals(env.get(ASSIGNMENT_VARIABLE));
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Assignment assignment = null;
        SampleAgent agent;
        if (prewarmed) {
            agent = new SampleAgent(stdin, "sample agent (pid " + ProcessHandle.current().pid() + ", no room yet)");
        } else {
            String room = args.length > 0 ? args[args.length - 1] : env.getOrDefault("ROOM_NAME", "");
            if (room.isEmpty()) {
                System.err.println("usage: agent <room name> (the launcher appends it), or " + ASSIGNMENT_VARIABLE
                        + "=" + ASSIGNMENT_FROM_STDIN + " to read the room from stdin");
                return 2;
            }
            assignment = new Assignment(room, env.getOrDefault("AGENT_IDENTITY", "sample-agent"),
                    env.get("AGENT_CREDENTIAL"), env.get("AGENT_HEARTBEAT_URL"));
            agent = new SampleAgent(stdin, "sample agent " + assignment.identity());
            agent.joined(assignment, env);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (agent.leaving) {
                return;
            }
            agent.log(agent.hasRoom ? "stop signal received: leaving the room"
                    : "stop signal received before a room was assigned");
            agent.stop.countDown();
            // Exit 0: being asked to stop is not a failure.
            Runtime.getRuntime().halt(0);
        }, "sample-agent-shutdown"));
        if (!prewarmed) {
            agent.watchStdin();
        }
        if (loadMillis > 0) {
            agent.log("loading for " + loadMillis + " ms (" + LOAD_VARIABLE + ")");
            Thread.sleep(loadMillis);
        }
        if (prewarmed) {
            try {
                assignment = agent.awaitAssignment();
            } catch (IOException | IllegalArgumentException e) {
                agent.leaving = true;
                System.err.println(agent.name + ": cannot take a room: " + e.getMessage());
                return 1;
            }
            if (assignment == null) {
                agent.leaving = true;
                agent.log("stdin closed before a room was assigned: the host stopped this agent or went away;"
                        + " exiting");
                return 0;
            }
            agent.joined(assignment, env);
            agent.watchStdin();
        }
        if (assignment.heartbeatUrl() == null || assignment.credential() == null) {
            agent.log("no heartbeat URL; not sending heartbeats");
            agent.stop.await();
        } else {
            agent.heartbeats(assignment);
        }
        return 0;
    }

    private static long loadMillis(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long millis = Long.parseLong(value.strip());
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below, like a negative number
        }
        throw new IllegalArgumentException("must be a whole number of milliseconds >= 0, got \"" + value + "\"");
    }

    private void joined(Assignment assignment, Map<String, String> env) {
        name = "sample agent " + assignment.identity();
        hasRoom = true;
        log("starting in room " + assignment.room() + " as " + assignment.identity() + " (a real agent would now join "
                + env.getOrDefault("LIVEKIT_URL", "LiveKit") + ")");
    }

    /**
     * Says it is idle, reads its assignment and confirms it; null if stdin ends first.
     *
     * @throws IllegalArgumentException if the line is not an assignment
     */
    private @Nullable Assignment awaitAssignment() throws IOException {
        say(IDLE);
        String line = stdin.readLine();
        if (line == null) {
            return null;
        }
        JsonNode message;
        try {
            message = json.readTree(line);
        } catch (JsonProcessingException e) {
            // The line holds a credential: its text is not repeated.
            throw new IllegalArgumentException("the line read from stdin is not JSON");
        }
        if (!"assignment".equals(message.path("type").asText())) {
            throw new IllegalArgumentException("the line read from stdin is not an assignment");
        }
        Assignment assignment = new Assignment(required(message, "roomName"), required(message, "agentIdentity"),
                required(message, "credential"), message.path("heartbeatUrl").isTextual()
                        ? message.path("heartbeatUrl").asText() : null);
        say(ASSIGNED);
        return assignment;
    }

    private static String required(JsonNode message, String field) {
        JsonNode value = message.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("the assignment has no " + field);
        }
        return value.asText();
    }

    /** Writes one line of the assignment protocol; the host reads it at once, so it is flushed at once. */
    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Exits once stdin ends, reading it on a thread of its own from where the agent has read up to. */
    private void watchStdin() {
        Thread watcher = new Thread(() -> {
            try {
                while (stdin.read() >= 0) {
                    // Input is not used; only its end matters.
                }
            } catch (IOException e) {
                // A broken pipe means the host is gone as well.
            }
            leaving = true;
            log("stdin closed: the host stopped this agent or went away; exiting");
            System.exit(0);
        }, "sample-agent-stdin");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void heartbeats(Assignment assignment) throws InterruptedException {
        byte[] body;
        try {
            body = json.writeValueAsBytes(Map.of("roomName", assignment.room(), "agentIdentity",
                    assignment.identity()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(assignment.heartbeatUrl()))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + assignment.credential())
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
        System.out.println(name + ": " + message);
    }
}
