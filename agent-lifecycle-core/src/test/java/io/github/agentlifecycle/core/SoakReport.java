package io.github.agentlifecycle.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one soak run: what happened (from the manager's counters and the run's own tally) and what went
 * wrong. The run passed if {@link #failures()} is empty.
 *
 * @param seed the seed of the driver's random choices
 * @param soaked how long the random load ran
 * @param stats the manager's totals and counters after the rooms drained
 * @param tally lifecycle events, stop and close reasons, exits and agent modes, counted by the run's listener
 * @param driverActions random actions the driver took
 * @param outputLines agent output lines forwarded to the run's sink
 * @param maxAgents most agents (process groups) seen running at once
 * @param maxProcesses most agent processes (agents and their children) seen running at once
 * @param maxEngineAgents most agents the manager counted at once
 * @param monitorPasses passes of the process monitor over {@code /proc}
 * @param longestStop the longest time from asking an agent to stop to its exit being reported
 * @param drainTime from the end of the load until no room and no agent was left
 * @param samples heap in use after full collections, threads and open file descriptors: the baseline after warm-up
 *     first, then one per sampling interval while the load ran
 * @param last the same once everything had drained
 * @param heapMargin how far above the baseline the final heap may be
 * @param warnings the library's WARNING and ERROR log messages, counted by kind
 * @param failures what went wrong, the first few in full
 * @param failureCount how many things went wrong
 */
record SoakReport(
        long seed,
        Duration soaked,
        ManagerStats stats,
        Map<String, Long> tally,
        long driverActions,
        long outputLines,
        int maxAgents,
        int maxProcesses,
        int maxEngineAgents,
        long monitorPasses,
        Duration longestStop,
        Duration drainTime,
        List<ResourceSample> samples,
        ResourceSample last,
        long heapMargin,
        Map<String, Long> warnings,
        List<String> failures,
        long failureCount) {

    boolean passed() {
        return failureCount == 0;
    }

    ResourceSample baseline() {
        return samples.isEmpty() ? last : samples.get(0);
    }

    private long tallied(String key) {
        return tally.getOrDefault(key, 0L);
    }

    /** A human-readable summary, several lines. */
    String summary() {
        StringBuilder out = new StringBuilder();
        line(out, "soak %s, seed %d: %s", soaked, seed, passed() ? "PASSED" : "FAILED (" + failureCount + ")");
        line(out, "driver actions %d; events applied %d, duplicate %d, ignored %d", driverActions,
                stats.eventsApplied(), stats.eventsDuplicate(), stats.eventsIgnored());
        line(out, "agent launches %d (launch failures %d), crashes %d, restarts %d, failed (budget spent) %d",
                stats.agentLaunches(), stats.agentLaunchFailures(), stats.agentCrashes(), stats.agentRestarts(),
                tallied("AgentFailed"));
        line(out, "stops: room closing %d, startup timeout %d, heartbeat timeout %d, orphaned %d; overdue %d; "
                        + "killed by SIGKILL %d",
                tallied("stopping ROOM_CLOSING"), tallied("stopping STARTUP_TIMEOUT"),
                tallied("stopping HEARTBEAT_TIMEOUT"), tallied("stopping ORPHANED"), tallied("AgentStopOverdue"),
                tallied("exit requested signal 9") + tallied("exit unrequested signal 9"));
        line(out, "rooms created %d, closed %d (grace expired %d, join timeout %d, room finished %d, admin %d)",
                tallied("RoomCreated"), stats.roomsClosed(), tallied("closed GRACE_EXPIRED"),
                tallied("closed JOIN_TIMEOUT"), tallied("closed ROOM_FINISHED"), tallied("closed ADMIN"));
        line(out, "agents ready %d, capacity queued %d, grace started %d / cancelled %d, orphans reaped %d",
                tallied("AgentReady"), tallied("CapacityQueued"), tallied("GraceStarted"),
                tallied("GraceCancelled"), stats.orphansReaped());
        line(out, "max at once: %d agents, %d agent processes (manager counted %d; cap %d); %d monitor passes",
                maxAgents, maxProcesses, maxEngineAgents, stats.maxTotalAgents(), monitorPasses);
        line(out, "longest stop %d ms; agent output lines %d; drained in %d ms", longestStop.toMillis(), outputLines,
                drainTime.toMillis());
        line(out, "heap after GC: baseline %s, final %s (margin %s)", ResourceSample.mib(baseline().heapBytes()),
                ResourceSample.mib(last.heapBytes()), ResourceSample.mib(heapMargin));
        line(out, "threads: baseline %d, final %d; open file descriptors: baseline %d, final %d",
                baseline().threads(), last.threads(), baseline().fileDescriptors(), last.fileDescriptors());
        line(out, "samples (heap/threads/fds): %s",
                samples.stream().map(ResourceSample::toString).collect(Collectors.joining(", ")));
        line(out, "modes: %s", modes());
        line(out, "exits: %s", exits());
        if (!warnings.isEmpty()) {
            line(out, "library warnings:");
            warnings.forEach((kind, count) -> line(out, "  %6d  %s", count, kind));
        }
        for (String failure : failures) {
            line(out, "FAILURE: %s", failure);
        }
        return out.toString();
    }

    private String modes() {
        return tally.entrySet().stream().filter(e -> e.getKey().startsWith("mode "))
                .map(e -> e.getKey().substring(5) + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private String exits() {
        return tally.entrySet().stream().filter(e -> e.getKey().startsWith("exit "))
                .map(e -> e.getKey().substring(5) + ": " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static void line(StringBuilder out, String format, Object... values) {
        out.append(String.format(java.util.Locale.ROOT, format, values)).append(System.lineSeparator());
    }
}
