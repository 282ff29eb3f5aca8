package io.github.agentlifecycle.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches a soak run from outside the engine, on its own thread, every {@value #INTERVAL_MILLIS} ms: finds the run's
 * agent processes in {@code /proc} and checks that no room has processes of two agents (two process groups) at once
 * and that no more than {@code maxTotalAgents} agents (process groups, stopping ones included) exist at once; and
 * checks the manager's own totals against the cap. A violation seen in one pass over {@code /proc} is only
 * reported if every process involved still runs, unchanged, after the pass: then they all ran at the same moment.
 */
final class SoakMonitor {
    private static final long INTERVAL_MILLIS = 100;

    private final AgentManager manager;
    private final MarkedProcesses processes;
    private final SoakFailures failures;
    private final int maxTotalAgents;
    private volatile boolean stopped;
    private volatile int maxAgents;
    private volatile int maxProcesses;
    private volatile int maxEngineAgents;
    private volatile long passes;

    SoakMonitor(AgentManager manager, MarkedProcesses processes, SoakFailures failures, int maxTotalAgents) {
        this.manager = manager;
        this.processes = processes;
        this.failures = failures;
        this.maxTotalAgents = maxTotalAgents;
    }

    /** Checks until {@link #stop()}. */
    void run() {
        while (!stopped) {
            try {
                checkProcesses();
                if (passes % 5 == 0) {
                    checkStats();
                }
                passes++;
            } catch (RuntimeException e) {
                failures.add("monitor failed", e);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS));
        }
    }

    void stop() {
        stopped = true;
    }

    private void checkProcesses() {
        List<MarkedProcesses.Marked> seen = processes.byCommandLine();
        Map<String, Map<Long, List<MarkedProcesses.Marked>>> groupsByRoom = new HashMap<>();
        Set<Long> groups = new HashSet<>();
        for (MarkedProcesses.Marked process : seen) {
            groupsByRoom.computeIfAbsent(process.room(), r -> new HashMap<>())
                    .computeIfAbsent(process.group(), g -> new ArrayList<>()).add(process);
            groups.add(process.group());
        }
        for (Map.Entry<String, Map<Long, List<MarkedProcesses.Marked>>> room : groupsByRoom.entrySet()) {
            if (room.getValue().size() > 1) {
                List<MarkedProcesses.Marked> confirmed = confirmedPerGroup(room.getValue());
                if (confirmed.size() > 1) {
                    failures.add("room " + room.getKey() + " has processes of " + confirmed.size()
                            + " agents at once: " + confirmed);
                }
            }
        }
        if (groups.size() > maxTotalAgents) {
            Map<Long, List<MarkedProcesses.Marked>> all = new HashMap<>();
            for (MarkedProcesses.Marked process : seen) {
                all.computeIfAbsent(process.group(), g -> new ArrayList<>()).add(process);
            }
            List<MarkedProcesses.Marked> confirmed = confirmedPerGroup(all);
            if (confirmed.size() > maxTotalAgents) {
                failures.add(confirmed.size() + " agents ran at once, more than maxTotalAgents " + maxTotalAgents);
            }
            maxAgents = Math.max(maxAgents, confirmed.size());
        } else {
            maxAgents = Math.max(maxAgents, groups.size());
        }
        maxProcesses = Math.max(maxProcesses, seen.size());
    }

    /** One process per group that still runs unchanged, for each group that has one. */
    private static List<MarkedProcesses.Marked> confirmedPerGroup(Map<Long, List<MarkedProcesses.Marked>> groups) {
        List<MarkedProcesses.Marked> confirmed = new ArrayList<>();
        for (List<MarkedProcesses.Marked> members : groups.values()) {
            members.stream().filter(MarkedProcesses::stillRunning).findFirst().ifPresent(confirmed::add);
        }
        return confirmed;
    }

    private void checkStats() {
        ManagerStats stats = manager.stats();
        if (stats.totalAgents() > stats.maxTotalAgents()) {
            failures.add("manager counts " + stats.totalAgents() + " agents, more than maxTotalAgents: " + stats);
        }
        if (stats.totalHumans() < 0 || stats.totalHumans() > stats.totalParticipants()) {
            failures.add("inconsistent participant totals: " + stats);
        }
        maxEngineAgents = Math.max(maxEngineAgents, stats.totalAgents());
    }

    /** Most agents (process groups of the run) seen running at once. */
    int maxAgents() {
        return maxAgents;
    }

    /** Most processes of the run seen running at once. */
    int maxProcesses() {
        return maxProcesses;
    }

    /** Most agents the manager counted at once. */
    int maxEngineAgents() {
        return maxEngineAgents;
    }

    long passes() {
        return passes;
    }
}
