package io.github.agentlifecycle.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The built example jar running as a separate process, with its output collected line by line. Closing it stops
 * the server and kills every agent process it was ever seen to have, so a failing test leaves nothing behind.
 */
final class ExampleServer implements AutoCloseable {
    /** Marks the agent processes started by tests, so they can be told apart from anything else. */
    static final String AGENT_MARKER = "example-it-agent";

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Set<Long> agentsSeen = new HashSet<>();

    private ExampleServer(Process process) {
        this.process = process;
        pump(process.getInputStream(), out, "out");
        pump(process.getErrorStream(), err, "err");
    }

    /**
     * Runs {@code java -jar agent-lifecycle-example.jar args...} with the test's environment plus {@code env}.
     * Reconciliation with LiveKit is off unless {@code env} sets {@code RECONCILE_INTERVAL_MS}: the tests run without
     * LiveKit, and must leave alone a LiveKit server that happens to run on this machine.
     */
    static ExampleServer run(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("LIVEKIT_") || name.equals("ADMIN_TOKEN")
                || name.equals("AGENT_COMMAND") || name.equals("PORT") || name.equals("HOST")
                || name.equals("RECONCILE_INTERVAL_MS"));
        builder.environment().putAll(env);
        builder.environment().putIfAbsent("RECONCILE_INTERVAL_MS", "0");
        try {
            return new ExampleServer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path jar() {
        String jar = System.getProperty("example.jar");
        if (jar == null) {
            throw new IllegalStateException("system property example.jar is not set; run through Maven's verify");
        }
        return Path.of(jar);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A port nobody listens on right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pump(InputStream stream, List<String> lines, String name) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("<" + name + " failed: " + e + ">");
            }
        }, "example-server-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    Process process() {
        return process;
    }

    List<String> out() {
        return List.copyOf(out);
    }

    List<String> err() {
        return List.copyOf(err);
    }

    /** The first stdout line matching {@code match}, waiting up to {@code timeout} for it. */
    String awaitLine(Predicate<String> match, Duration timeout) {
        Poll.until(timeout, () -> out.stream().anyMatch(match), () -> "no matching line in:\n" + String.join("\n", out)
                + "\nstderr:\n" + String.join("\n", err));
        return out.stream().filter(match).findFirst().orElseThrow();
    }

    /** The pids of the live agent processes this server started. */
    synchronized Set<Long> agentPids() {
        Set<Long> pids = process.descendants()
                .filter(p -> p.info().commandLine().map(line -> line.contains(AGENT_MARKER)).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
        agentsSeen.addAll(pids);
        return pids;
    }

    /**
     * Sends SIGTERM and waits for the server to exit; the exit status, or -1 if it did not exit in time. Unlike
     * {@link Process#destroy()}, this keeps the output streams open, so everything the server prints while it
     * shuts down is collected.
     */
    int terminate(Duration timeout) throws InterruptedException {
        agentPids();
        process.toHandle().destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            agentPids();
            process.toHandle().destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        Set<Long> leftovers;
        synchronized (this) {
            leftovers = Set.copyOf(agentsSeen);
        }
        for (long pid : leftovers) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
