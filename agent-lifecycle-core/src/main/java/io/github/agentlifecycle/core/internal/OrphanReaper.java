package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Kills the agents a host that is gone left behind, as its records in the state directory describe them: SIGTERM to
 * all of their processes, SIGKILL to those left after the stop timeout, then the records are deleted and each
 * agent is reported as {@link LifecycleEvent.OrphanReaped}. Agents of a host that still runs are never touched. A
 * record is acted on only when its processes are confirmed to be this library's agent: its own cgroup (named after
 * the agent's id), or a process with the recorded pid and start time whose environment carries the agent's id.
 * Anything else is left alone and its record deleted.
 */
public final class OrphanReaper {
    private static final Logger LOG = System.getLogger("io.github.agentlifecycle.core.ProcessAgentLauncher");
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(ProcessAgent.WATCH_MILLIS);
    private static final Duration GIVE_UP_AFTER_KILL = Duration.ofSeconds(5);

    private OrphanReaper() {}

    /**
     * Reaps the orphans recorded in {@code store}; blocks until they are gone, or the stop timeout and five more
     * seconds have passed.
     *
     * @throws IOException if the records cannot be listed, or one cannot be trusted
     */
    public static void reap(AgentRecordStore store, LauncherContext context) throws IOException {
        Map<AgentRecordStore.Entry, AgentProcesses> orphans = new LinkedHashMap<>();
        for (AgentRecordStore.Entry entry : store.list()) {
            boolean ownerAlive = entry.ownerStart() != null
                    && ProcessTree.isSameProcess(entry.ownerPid(), entry.ownerStart());
            if (ownerAlive) {
                continue;
            }
            AgentProcesses processes = confirmed(entry);
            if (processes == null || processes.isEmpty()) {
                if (processes != null) {
                    processes.release();
                }
                store.delete(entry.pid());
                continue;
            }
            boolean idle = entry.room().isEmpty();
            LOG.log(Level.WARNING, (idle ? "Reaping idle agent" : "Room " + entry.room() + ": reaping agent "
                    + entry.agentIdentity()) + " (PID: " + entry.pid() + ") left behind by host " + entry.ownerPid());
            processes.signal(false);
            orphans.put(entry, processes);
            context.publish(new LifecycleEvent.OrphanReaped(entry.room(), idle ? null : entry.agentIdentity(),
                    entry.pid()));
        }
        if (orphans.isEmpty()) {
            return;
        }
        awaitGone(orphans, context);
        for (Map.Entry<AgentRecordStore.Entry, AgentProcesses> orphan : orphans.entrySet()) {
            orphan.getValue().release();
            store.delete(orphan.getKey().pid());
        }
    }

    /** The recorded agent's processes, if they are confirmed to be this library's agent; null otherwise. */
    private static @Nullable AgentProcesses confirmed(AgentRecordStore.Entry entry) {
        if (entry.cgroup() != null) {
            Path cgroup = Cgroups.recorded(entry.cgroup(), entry.agentId());
            if (cgroup == null) {
                LOG.log(Level.DEBUG, "Room " + entry.room() + ": recorded cgroup " + entry.cgroup()
                        + " of agent " + entry.agentIdentity() + " is gone or not an agent cgroup; nothing to reap");
                return null;
            }
            return new CgroupProcesses(cgroup);
        }
        if (entry.agentId() == null) {
            return null;
        }
        byte[] marker = AgentProcessStarter.marker(entry.agentId());
        boolean rootRuns = entry.start() != null && ProcessTree.isSameProcess(entry.pid(), entry.start());
        if (rootRuns && !ProcessTree.carries(entry.pid(), marker)) {
            LOG.log(Level.WARNING, "Room " + entry.room() + ": PID " + entry.pid() + " recorded for agent "
                    + entry.agentIdentity() + " is not that agent (its environment lacks the agent's id);"
                    + " left alone");
            return null;
        }
        return new SessionProcesses(rootRuns ? ProcessHandle.of(entry.pid()).orElse(null) : null, entry.pid(),
                marker);
    }

    /** Waits, looking every few milliseconds on the context's clock, SIGKILL after the stop timeout. */
    private static void awaitGone(Map<AgentRecordStore.Entry, AgentProcesses> orphans, LauncherContext context) {
        Clock clock = context.clock();
        long killAt = clock.nanoTime() + Require.nanos(context.agentStopTimeout());
        long giveUpAt = killAt + GIVE_UP_AFTER_KILL.toNanos();
        CompletableFuture<Boolean> gone = new CompletableFuture<>();
        look(orphans, clock, killAt, giveUpAt, gone);
        if (!gone.join()) {
            LOG.log(Level.WARNING, "some orphaned agents could not be killed");
        }
    }

    private static void look(Map<AgentRecordStore.Entry, AgentProcesses> orphans, Clock clock, long killAt,
            long giveUpAt, CompletableFuture<Boolean> gone) {
        long now = clock.nanoTime();
        boolean kill = now - killAt >= 0;
        boolean allGone = true;
        for (AgentProcesses processes : orphans.values()) {
            if (!processes.isEmpty()) {
                allGone = false;
                if (kill) {
                    processes.signal(true);
                }
            }
        }
        if (allGone || now - giveUpAt >= 0) {
            gone.complete(allGone);
            return;
        }
        clock.schedule(POLL_NANOS, () -> look(orphans, clock, killAt, giveUpAt, gone));
    }
}
