package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentOutputSink;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures {@link ProcessAgentLauncher} with real processes and the system clock; not a test, run by hand:
 *
 * <pre>java -cp target/classes:target/test-classes io.github.agentlifecycle.core.LauncherLatencyMain [runs]</pre>
 *
 * <p>For each run (default 200, after 10 unrecorded warm-up runs) it launches an agent that prints a line first
 * thing and then becomes {@code sleep}, which exits on SIGTERM. It records the time from the {@code launch} call to
 * the launch stage completing with a handle, and to the agent's first line reaching the sink; then the time from
 * {@code stop} to the handle's exit future completing. Prints p50, p99 and the maximum of each in milliseconds.
 */
final class LauncherLatencyMain {
    private static final int WARM_UP = 10;
    private static final long WAIT_SECONDS = 30;

    private LauncherLatencyMain() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("launcher-latency");
        Path agent = dir.resolve("agent.sh");
        Files.writeString(agent, "#!/bin/sh\necho started\nexec sleep 1000\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwx------"));

        Map<String, CompletableFuture<Long>> firstLines = new ConcurrentHashMap<>();
        AgentOutputSink sink = line -> {
            CompletableFuture<Long> firstLine = firstLines.get(line.agentIdentity());
            if (firstLine != null) {
                firstLine.complete(System.nanoTime());
            }
        };
        ProcessAgentLauncher launcher = ProcessAgentLauncher.builder("/bin/sh", agent.toString())
                .stateDirectory(dir.resolve("state"))
                .outputSink(sink)
                .build();
        launcher.start(new LauncherContext() {
            @Override
            public Clock clock() {
                return Clock.system();
            }

            @Override
            public void publish(LifecycleEvent event) {
                System.out.println("unexpected event: " + event);
            }
        });

        long[] handles = new long[runs];
        long[] firstLineTimes = new long[runs];
        long[] stops = new long[runs];
        try {
            for (int run = -WARM_UP; run < runs; run++) {
                String identity = "ai-agent-" + (run + WARM_UP);
                CompletableFuture<Long> firstLine = new CompletableFuture<>();
                firstLines.put(identity, firstLine);

                long launched = System.nanoTime();
                CompletableFuture<AgentHandle> stage = launcher.launch(new AgentSpec("room-" + identity, identity,
                        "secret", 1)).toCompletableFuture();
                CompletableFuture<Long> handled = stage.thenApply(handle -> System.nanoTime());
                AgentHandle handle = stage.get(WAIT_SECONDS, TimeUnit.SECONDS);
                long handleAt = handled.get(WAIT_SECONDS, TimeUnit.SECONDS);
                long lineAt = firstLine.get(WAIT_SECONDS, TimeUnit.SECONDS);

                CompletableFuture<Long> exited = handle.onExit().toCompletableFuture()
                        .thenApply(exit -> System.nanoTime());
                long stopped = System.nanoTime();
                handle.stop(Duration.ofSeconds(10));
                long exitAt = exited.get(WAIT_SECONDS, TimeUnit.SECONDS);
                firstLines.remove(identity);

                if (run >= 0) {
                    handles[run] = handleAt - launched;
                    firstLineTimes[run] = lineAt - launched;
                    stops[run] = exitAt - stopped;
                }
            }
        } finally {
            launcher.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }

        System.out.printf(Locale.ROOT, "runs: %d (after %d warm-up runs), %d CPUs, %s %s%n", runs, WARM_UP,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        report("launch() -> launch stage completes with a handle", handles);
        report("launch() -> agent's first line reaches the sink", firstLineTimes);
        report("stop() -> exit future completes (SIGTERM)", stops);
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-52s p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms%n", what,
                millis(percentile(sorted, 0.50)), millis(percentile(sorted, 0.99)), millis(sorted[sorted.length - 1]));
    }

    private static long percentile(long[] sorted, double fraction) {
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
