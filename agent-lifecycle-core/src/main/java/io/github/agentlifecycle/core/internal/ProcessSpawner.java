package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.ProcessAgentLauncher.Containment;
import io.github.agentlifecycle.core.spi.AgentOutputSink;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Starts agent processes for the process launcher: decides once how they are contained, records each in the state
 * directory, forwards its output, and watches it as a {@link ProcessAgent}. Thread-safe.
 */
public final class ProcessSpawner {
    private static final Logger LOG = System.getLogger("io.github.agentlifecycle.core.ProcessAgentLauncher");
    /** The room and identity recorded, and output is tagged with, while an agent waits for its room. */
    private static final String NONE = "";

    private final AgentProcessStarter starter;
    private final @Nullable Path stateDirectory;
    private final AgentOutputSink outputSink;
    private final int maxLineLength;
    private final int outputQueueCapacity;
    private final Containment containment;
    private final @Nullable Path cgroupParent;
    /** Lists and signals agents' processes, which means reading the host's process table, off the engine. */
    private final ThreadPoolExecutor stops = stopThreads();
    private volatile Clock clock = Clock.system();
    private volatile Duration stopTimeout = Duration.ofSeconds(10);
    private volatile @Nullable AgentRecordStore records;
    private volatile @Nullable OutputPump output;
    private @Nullable Cgroups cgroups;
    private boolean containmentDecided;
    private final Object lock = new Object();

    /** A spawner; nothing is decided or created before {@link #start} or the first spawn. */
    public ProcessSpawner(AgentProcessStarter starter, @Nullable Path stateDirectory, AgentOutputSink outputSink,
            int maxLineLength, int outputQueueCapacity, Containment containment, @Nullable Path cgroupParent) {
        this.starter = starter;
        this.stateDirectory = stateDirectory;
        this.outputSink = outputSink;
        this.maxLineLength = maxLineLength;
        this.outputQueueCapacity = outputQueueCapacity;
        this.containment = containment;
        this.cgroupParent = cgroupParent;
    }

    /**
     * Takes the manager's clock and stop timeout, decides containment, readies output forwarding and opens the state
     * directory.
     *
     * @return the record store, or null when no state directory is kept
     * @throws IllegalStateException if the state directory cannot be used, or cgroups were required and cannot be
     */
    public @Nullable AgentRecordStore start(LauncherContext context) {
        synchronized (lock) {
            clock = context.clock();
            stopTimeout = context.agentStopTimeout();
            outputPump();
            containment();
            if (stateDirectory != null && records == null) {
                try {
                    records = new AgentRecordStore(stateDirectory);
                } catch (IOException e) {
                    throw new IllegalStateException("agent state directory " + stateDirectory + " cannot be used: "
                            + e.getMessage(), e);
                }
            }
            return records;
        }
    }

    /** The clock agents are timed with. */
    public Clock clock() {
        return clock;
    }

    /**
     * Starts one agent process: for the room of {@code spec}, or, when it is null, one that waits for its room on
     * stdin.
     *
     * @param stdoutWatcher sees each line the agent writes to stdout (see {@link OutputPump.Tag})
     * @throws IOException if the process cannot be started
     */
    public Spawned spawn(@Nullable AgentSpec spec, @Nullable Consumer<String> stdoutWatcher) throws IOException {
        Cgroups cgroups = containment();
        String agentId = Cgroups.randomId();
        Path cgroup = null;
        Process process;
        try {
            if (cgroups != null) {
                cgroup = cgroups.create(agentId);
            }
            process = starter.start(spec, agentId, cgroup);
        } catch (IOException e) {
            if (cgroup != null) {
                new CgroupProcesses(cgroup).release();
            }
            throw e;
        }
        long pid = process.pid();
        ProcessHandle self = ProcessHandle.current();
        AgentRecordStore.Entry entry = new AgentRecordStore.Entry(pid, process.info().startInstant().orElse(null),
                spec == null ? NONE : spec.roomName(), spec == null ? NONE : spec.agentIdentity(), self.pid(),
                self.info().startInstant().orElse(null), agentId, cgroup);
        record(entry);
        OutputPump.Tag tag = new OutputPump.Tag(entry.room(), entry.agentIdentity(), stdoutWatcher);
        outputPump().attach(process, tag);
        AgentProcesses processes = cgroup != null ? new CgroupProcesses(cgroup)
                : new SessionProcesses(process.toHandle(), pid, AgentProcessStarter.marker(agentId));
        AgentRecordStore store = records;
        ProcessAgent agent = new ProcessAgent(process, processes, entry.agentIdentity(), clock, stopTimeout, () -> {
            if (store != null) {
                store.delete(pid);
            }
        }, stops);
        return new Spawned(process, agent, tag, entry);
    }

    /**
     * An agent process just started.
     *
     * @param process the process
     * @param agent its handle, named after its identity at start (empty while it waits for its room)
     * @param tag the tag of its output
     * @param entry its record
     */
    public record Spawned(Process process, ProcessAgent agent, OutputPump.Tag tag, AgentRecordStore.Entry entry) {}

    /** Records that {@code spawned} now serves the room of {@code spec}, and tags its output so. */
    public void assigned(Spawned spawned, AgentSpec spec) {
        AgentRecordStore.Entry was = spawned.entry();
        record(new AgentRecordStore.Entry(was.pid(), was.start(), spec.roomName(), spec.agentIdentity(),
                was.ownerPid(), was.ownerStart(), was.agentId(), was.cgroup()));
        spawned.tag().retag(spec.roomName(), spec.agentIdentity());
    }

    /** How long an agent gets between SIGTERM and SIGKILL. */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    /** Stops the spawner's threads; agents still running are not touched. */
    public void close() {
        stops.shutdown();
        OutputPump pump = output;
        if (pump != null) {
            pump.close(1000);
        }
    }

    private void record(AgentRecordStore.Entry entry) {
        AgentRecordStore store = records;
        if (store == null) {
            return;
        }
        try {
            store.write(entry);
        } catch (IOException e) {
            LOG.log(Level.WARNING, (entry.room().isEmpty() ? "Idle agent" : "Room " + entry.room() + ": agent")
                    + " (PID: " + entry.pid() + ") could not be recorded in " + store.directory()
                    + "; it will not be reaped after a host crash", e);
        }
    }

    /** Cgroups to contain agents in, or null; decided once, and logged. */
    private @Nullable Cgroups containment() {
        synchronized (lock) {
            if (containmentDecided) {
                return cgroups;
            }
            if (containment != Containment.SESSION) {
                try {
                    cgroups = Cgroups.detect(cgroupParent);
                    LOG.log(Level.INFO, "Agent processes are contained in a cgroup each, under "
                            + cgroups.parent());
                } catch (Cgroups.Unavailable unavailable) {
                    if (containment == Containment.CGROUP) {
                        throw new IllegalStateException("agents cannot be contained in cgroups: "
                                + unavailable.getMessage());
                    }
                    LOG.log(Level.WARNING, "Agent processes are not contained in cgroups (" + unavailable.getMessage()
                            + "); they are found by session, process group, parentage and the agent id in their"
                            + " environment, so a process that leaves the session and clears its environment"
                            + " survives its agent's stop");
                }
            } else {
                LOG.log(Level.INFO, "Agent processes are found by session, process group, parentage and the"
                        + " agent id in their environment (containment SESSION)");
            }
            containmentDecided = true;
            return cgroups;
        }
    }

    /** The output pump, created on first use (by {@link #start} or a spawn without a manager). */
    private OutputPump outputPump() {
        synchronized (lock) {
            OutputPump pump = output;
            if (pump == null) {
                pump = new OutputPump(outputSink, maxLineLength, outputQueueCapacity);
                output = pump;
            }
            return pump;
        }
    }

    private static ThreadPoolExecutor stopThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "agent-stopper");
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
