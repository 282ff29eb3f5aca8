package io.github.agentlifecycle.benchmarks.load;

import com.sun.management.ThreadMXBean;
import io.github.agentlifecycle.core.internal.ProcessTree;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What it costs to find an agent's process tree, the walk {@code ProcessAgent.stop} does on the calling thread:
 * starts {@code agents} idle agent processes the way {@code ProcessAgentLauncher} does ({@code setsid sh -c 'while
 * read -r l; do :; done'}), then times {@link ProcessTree#members(ProcessHandle)} and, for comparison, {@link
 * ProcessHandle#descendants()} once per agent, in wall and CPU time of the calling thread. Both read every process
 * on the host, so the cost grows with the number of processes. Every process it started is stopped at the end,
 * also when it fails.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.ProcessTreeWalkCost 200</pre>
 */
public final class ProcessTreeWalkCost {
    private ProcessTreeWalkCost() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Process> started = new ArrayList<>();
        try {
            for (int i = 0; i < agents; i++) {
                started.add(new ProcessBuilder("setsid", "sh", "-c", "while read -r l; do :; done", "walk-" + i)
                        .start());
            }
            Thread.sleep(500);
            System.out.printf("%d agents, %d processes on the host%n", agents, processesOnHost());
            for (int round = 0; round < rounds; round++) {
                long wall = System.nanoTime();
                long cpu = threads.getCurrentThreadCpuTime();
                for (Process agent : started) {
                    ProcessTree.members(agent.toHandle());
                }
                long membersWall = System.nanoTime() - wall;
                long membersCpu = threads.getCurrentThreadCpuTime() - cpu;
                wall = System.nanoTime();
                cpu = threads.getCurrentThreadCpuTime();
                for (Process agent : started) {
                    agent.toHandle().descendants().count();
                }
                long descendantsWall = System.nanoTime() - wall;
                long descendantsCpu = threads.getCurrentThreadCpuTime() - cpu;
                System.out.printf("ProcessTree.members: %.2f ms per agent (CPU %.2f ms);"
                                + " ProcessHandle.descendants: %.2f ms per agent (CPU %.2f ms)%n",
                        membersWall / 1e6 / agents, membersCpu / 1e6 / agents,
                        descendantsWall / 1e6 / agents, descendantsCpu / 1e6 / agents);
            }
        } finally {
            for (Process agent : started) {
                agent.getOutputStream().close();
                agent.destroy();
            }
            for (Process agent : started) {
                if (!agent.waitFor(5, TimeUnit.SECONDS)) {
                    agent.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static long processesOnHost() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.filter(p -> Character.isDigit(p.getFileName().toString().charAt(0))).count();
        }
    }
}
