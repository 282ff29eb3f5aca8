package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.core.ProcessAgentLauncher;
import io.github.agentlifecycle.core.ProcessAgentLauncher.Containment;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What containing an agent's processes costs, and what it catches, with real processes, for each containment
 * ({@link Containment#CGROUP} where this machine allows it, and {@link Containment#SESSION}):
 *
 * <ul>
 *   <li>start: {@code ProcessAgentLauncher.start}, which decides the containment (for cgroups by creating a probe
 *       cgroup and moving one short process into it);
 *   <li>launch: from {@code launch} until the handle is there (for a cgroup: its directory made, then the process
 *       started through {@code /bin/sh}, which moves itself into it);
 *   <li>stop: an agent that started three processes trying to get away (a child in a process group of its own, a
 *       daemon in a session of its own, a daemon in a session of its own with an empty environment), each orphaned,
 *       and that exits on SIGTERM like its processes do: from {@code stop} until the exit is reported, and how many
 *       of the three still run then.
 * </ul>
 *
 * Every process it started is killed at the end, also when it fails.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.ContainmentCost 30</pre>
 */
public final class ContainmentCost {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final String AGENT = """
            ( perl -e 'setpgrp(0, 0); exec @ARGV' sleep 1000 & echo $! >> "$DIR/$ROOM_NAME" )
            setsid -f /bin/sh -c 'echo $$ >> "$1"; exec sleep 1000' daemon "$DIR/$ROOM_NAME"
            setsid -f env -i /bin/sh -c 'echo $$ >> "$1"; exec sleep 1000' bare "$DIR/$ROOM_NAME"
            while [ "$(wc -l < "$DIR/$ROOM_NAME")" -lt 3 ]; do sleep 0.01; done
            touch "$DIR/$ROOM_NAME.ready"
            exec sleep 1000""";

    private ContainmentCost() {}

    public static void main(String[] args) throws Exception {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path dir = Files.createTempDirectory("containment-cost");
        Files.writeString(dir.resolve("agent.sh"), AGENT, StandardCharsets.UTF_8);
        List<Long> escapees = new ArrayList<>();
        try {
            for (Containment containment : List.of(Containment.CGROUP, Containment.SESSION)) {
                measure(containment, agents, dir, escapees);
            }
        } finally {
            for (long pid : escapees) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static void measure(Containment containment, int agents, Path dir, List<Long> escapees)
            throws Exception {
        ProcessAgentLauncher launcher = ProcessAgentLauncher.builder("/bin/sh", dir.resolve("agent.sh").toString())
                .environment("DIR", dir.toString())
                .stateDirectory(dir.resolve("state-" + containment))
                .outputSink(line -> { })
                .containment(containment)
                .build();
        long started = System.nanoTime();
        try {
            launcher.start(context());
        } catch (IllegalStateException unavailable) {
            System.out.println(containment + ": not usable here (" + unavailable.getMessage() + ")");
            return;
        }
        double startMillis = (System.nanoTime() - started) / 1e6;
        long[] launch = new long[agents];
        long[] stop = new long[agents];
        int survivors = 0;
        try {
            for (int i = 0; i < agents; i++) {
                String room = containment + "-" + i;
                long before = System.nanoTime();
                AgentHandle handle = launcher.launch(new AgentSpec(room, "ai-agent-" + i, "secret", 1))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                launch[i] = System.nanoTime() - before;
                Path ready = dir.resolve(room + ".ready");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.exists(ready) && System.nanoTime() - deadline < 0) {
                    Thread.sleep(5);
                }
                List<Long> pids = Files.readAllLines(dir.resolve(room)).stream().map(String::trim)
                        .map(Long::parseLong).toList();
                escapees.addAll(pids);
                before = System.nanoTime();
                handle.stop(STOP_TIMEOUT);
                handle.onExit().toCompletableFuture().get(60, TimeUnit.SECONDS);
                stop[i] = System.nanoTime() - before;
                survivors += (int) pids.stream().filter(ContainmentCost::running).count();
            }
        } finally {
            launcher.close();
        }
        System.out.printf("%s: start %.1f ms; launch %s; stop %s; processes left running after the stop: %d of %d%n",
                containment, startMillis, summary(launch), summary(stop), survivors, 3 * agents);
    }

    private static LauncherContext context() {
        return new LauncherContext() {
            @Override
            public Clock clock() {
                return Clock.system();
            }

            @Override
            public Duration agentStopTimeout() {
                return STOP_TIMEOUT;
            }

            @Override
            public void publish(LifecycleEvent event) {}
        };
    }

    private static String summary(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("p50 %.1f ms, p90 %.1f ms, max %.1f ms", sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.9)] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    /** Runs: alive and not a zombie. */
    private static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            try (Stream<String> stat = Files.lines(Path.of("/proc", Long.toString(pid), "stat"))) {
                String line = stat.findFirst().orElse("");
                char state = line.charAt(line.lastIndexOf(')') + 2);
                return state != 'Z' && state != 'X';
            } catch (IOException | RuntimeException gone) {
                return false;
            }
        }
        return false;
    }
}
