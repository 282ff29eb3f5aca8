package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.internal.AgentRecordStore;
import io.github.agentlifecycle.core.internal.OutputPump;
import io.github.agentlifecycle.core.internal.ProcessAgent;
import io.github.agentlifecycle.core.internal.ProcessTree;
import io.github.agentlifecycle.core.internal.Require;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentOutputSink;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs each agent as a local operating-system process: the configured command with the room name appended as
 * its last argument.
 *
 * <p><b>Environment.</b> The agent inherits the host's environment (unless disabled) plus the configured
 * variables and {@code ROOM_NAME}, {@code AGENT_IDENTITY} and, when a heartbeat URL is configured, {@code
 * AGENT_HEARTBEAT_URL} and {@code AGENT_CREDENTIAL} (a per-agent secret to present with each heartbeat).
 *
 * <p><b>Contract for agent programs.</b> The agent's stdin is a pipe held by the host: it reads end-of-file when
 * the host asks it to stop or when the host dies, so an agent can exit on EOF. On stop the agent and every
 * process it started get SIGTERM; whatever is left after the stop timeout gets SIGKILL. Output on stdout and
 * stderr is forwarded line by line, tagged with the room and the pid, to an {@link AgentOutputSink}.
 *
 * <p><b>Crash recovery.</b> Each running agent has a record (pid, start time, room, identity, and the host's pid
 * and start time) in a state directory. When a launcher starts, it kills (SIGTERM, then SIGKILL, whole tree) the
 * agents whose host is gone, reports each as {@link LifecycleEvent.OrphanReaped}, and deletes their records. A
 * pid whose start time differs from the record belongs to another process now and is left alone.
 *
 * <p>On Linux each agent runs in its own session ({@code setsid}), so processes it leaves behind are found and
 * stopped with it even after being re-parented. Elsewhere the tree is followed through {@link
 * ProcessHandle#descendants()}. Launches run on the launcher's own threads. Thread-safe.
 */
public final class ProcessAgentLauncher implements AgentLauncher {
    private static final Logger LOG = System.getLogger(ProcessAgentLauncher.class.getName());
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final List<String> command;
    private final @Nullable Path workingDirectory;
    private final Map<String, String> environment;
    private final boolean inheritEnvironment;
    private final @Nullable String heartbeatUrl;
    private final @Nullable Path stateDirectory;
    private final AgentOutputSink outputSink;
    private final int maxLineLength;
    private final int outputQueueCapacity;
    private final boolean ownSession;

    private final ExecutorService launches = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "agent-launcher");
        thread.setDaemon(true);
        return thread;
    });
    /** Lists and signals agents' process trees, which means reading the host's process table, off the engine. */
    private final ThreadPoolExecutor stops = stopThreads();
    private volatile Clock clock = Clock.system();
    private volatile Duration stopTimeout = Duration.ofSeconds(10);
    private volatile @Nullable AgentRecordStore records;
    private volatile @Nullable OutputPump output;
    private final Object lifecycle = new Object();

    private ProcessAgentLauncher(Builder builder) {
        this.command = List.copyOf(builder.command);
        this.workingDirectory = builder.workingDirectory;
        this.environment = Map.copyOf(builder.environment);
        this.inheritEnvironment = builder.inheritEnvironment;
        this.heartbeatUrl = builder.heartbeatUrl;
        this.stateDirectory = builder.stateDirectory;
        this.outputSink = builder.outputSink;
        this.maxLineLength = builder.maxLineLength;
        this.outputQueueCapacity = builder.outputQueueCapacity;
        this.ownSession = builder.ownSession && Files.isExecutable(SETSID);
    }

    /**
     * A builder for agents started with {@code command} (program first, then its arguments).
     *
     * @throws IllegalArgumentException if {@code command} is empty or contains a blank element
     */
    public static Builder builder(List<String> command) {
        return new Builder(command);
    }

    /** Same as {@link #builder(List)}. */
    public static Builder builder(String... command) {
        return new Builder(List.of(command));
    }

    /** The default state directory: {@code <java.io.tmpdir>/agent-lifecycle/agents}. */
    public static Path defaultStateDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "agent-lifecycle", "agents");
    }

    /** Kills agents an earlier host left behind, then readies output forwarding. Blocks while it reaps. */
    @Override
    public void start(LauncherContext context) {
        synchronized (lifecycle) {
            clock = context.clock();
            stopTimeout = context.agentStopTimeout();
            outputPump();
            if (stateDirectory != null && records == null) {
                try {
                    records = new AgentRecordStore(stateDirectory);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "agent state directory " + stateDirectory
                            + " is not usable; agents left behind by a crash will not be reaped", e);
                }
            }
        }
        AgentRecordStore store = records;
        if (store != null) {
            reapOrphans(store, context);
        }
    }

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        Require.nonNull(spec, "spec");
        try {
            return CompletableFuture.supplyAsync(() -> spawn(spec), launches);
        } catch (RuntimeException rejected) {
            return CompletableFuture.failedFuture(new IllegalStateException("launcher is closed", rejected));
        }
    }

    /** Stops the launcher's threads. Agents still running are not touched (the manager stops them first). */
    @Override
    public void close() {
        launches.shutdown();
        stops.shutdown();
        OutputPump pump = output;
        if (pump != null) {
            pump.close(1000);
        }
    }

    private AgentHandle spawn(AgentSpec spec) {
        List<String> commandLine = new ArrayList<>(command.size() + 2);
        if (ownSession) {
            commandLine.add(SETSID.toString());
        }
        commandLine.addAll(command);
        commandLine.add(spec.roomName());
        ProcessBuilder builder = new ProcessBuilder(commandLine);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        Map<String, String> env = builder.environment();
        if (!inheritEnvironment) {
            env.clear();
        }
        env.putAll(environment);
        env.put("ROOM_NAME", spec.roomName());
        env.put("AGENT_IDENTITY", spec.agentIdentity());
        if (heartbeatUrl != null) {
            env.put("AGENT_HEARTBEAT_URL", heartbeatUrl);
            env.put("AGENT_CREDENTIAL", spec.credential());
        }
        Process process;
        try {
            if (ownSession) {
                checkExecutable(command.get(0), env, workingDirectory);
            }
            process = builder.start();
        } catch (IOException e) {
            throw new CompletionException(new IOException(
                    "cannot start agent command " + command.get(0) + ": " + e.getMessage(), e));
        }
        long pid = process.pid();
        AgentRecordStore store = records;
        if (store != null) {
            try {
                ProcessHandle self = ProcessHandle.current();
                store.write(new AgentRecordStore.Entry(pid, process.info().startInstant().orElse(null),
                        spec.roomName(), spec.agentIdentity(), self.pid(), self.info().startInstant().orElse(null)));
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Room " + spec.roomName() + ": could not record agent pid " + pid
                        + " in " + store.directory() + "; it will not be reaped after a host crash", e);
            }
        }
        outputPump().attach(process, spec.roomName(), spec.agentIdentity());
        return new ProcessAgent(process, spec.agentIdentity(), clock, stopTimeout, () -> {
            if (store != null) {
                store.delete(pid);
            }
        }, stops);
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

    /**
     * Fails as {@code execvp} would for {@code program}: {@code setsid} runs the agent only after it started
     * itself, so an agent command it cannot execute would otherwise look like an agent that exited at once.
     */
    private static void checkExecutable(String program, Map<String, String> env, @Nullable Path directory)
            throws IOException {
        Path base = directory != null ? directory : Path.of("").toAbsolutePath();
        List<Path> candidates = new ArrayList<>();
        if (program.indexOf('/') >= 0) {
            candidates.add(base.resolve(program));
        } else {
            String path = env.getOrDefault("PATH", "/bin:/usr/bin");
            for (String entry : path.split(":", -1)) {
                candidates.add(base.resolve(entry.isEmpty() ? "." : entry).resolve(program));
            }
        }
        boolean denied = false;
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return;
            }
            denied |= Files.exists(candidate);
        }
        throw new IOException("Cannot run program \"" + program + "\""
                + (directory != null ? " (in directory \"" + directory + "\")" : "")
                + (denied ? ": error=13, Permission denied" : ": error=2, No such file or directory"));
    }

    /** The output pump, created on first use (by {@link #start} or a launch without a manager). */
    private OutputPump outputPump() {
        synchronized (lifecycle) {
            OutputPump pump = output;
            if (pump == null) {
                pump = new OutputPump(outputSink, maxLineLength, outputQueueCapacity);
                output = pump;
            }
            return pump;
        }
    }

    private void reapOrphans(AgentRecordStore store, LauncherContext context) {
        List<AgentRecordStore.Entry> entries;
        try {
            entries = store.list();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read agent state directory " + store.directory(), e);
            return;
        }
        List<CompletableFuture<?>> dying = new ArrayList<>();
        Map<Long, List<ProcessHandle>> trees = new LinkedHashMap<>();
        for (AgentRecordStore.Entry entry : entries) {
            boolean ownerAlive = entry.ownerStart() != null
                    && ProcessTree.isSameProcess(entry.ownerPid(), entry.ownerStart());
            if (ownerAlive) {
                continue;
            }
            Instant start = entry.start();
            if (start == null || !ProcessTree.isSameProcess(entry.pid(), start)) {
                store.delete(entry.pid());
                continue;
            }
            List<ProcessHandle> tree = ProcessTree.members(entry.pid());
            LOG.log(Level.WARNING, "Room " + entry.room() + ": reaping agent " + entry.agentIdentity() + " (PID: "
                    + entry.pid() + ") left behind by host " + entry.ownerPid());
            ProcessTree.signal(tree, false);
            trees.put(entry.pid(), tree);
            for (ProcessHandle member : tree) {
                dying.add(ProcessTree.onExit(member, clock));
            }
            context.publish(new LifecycleEvent.OrphanReaped(entry.room(), entry.agentIdentity(), entry.pid()));
        }
        if (trees.isEmpty()) {
            return;
        }
        CompletableFuture<Void> allGone = CompletableFuture.allOf(dying.toArray(new CompletableFuture<?>[0]));
        Clock.Timer kill = clock.schedule(Require.nanos(stopTimeout), () -> {
            for (Map.Entry<Long, List<ProcessHandle>> tree : trees.entrySet()) {
                List<ProcessHandle> survivors = new ArrayList<>(tree.getValue());
                survivors.addAll(ProcessTree.members(tree.getKey()));
                ProcessTree.signal(survivors, true);
            }
        });
        Clock.Timer giveUp = clock.schedule(Require.nanos(stopTimeout.plusSeconds(5)),
                () -> allGone.completeExceptionally(new IllegalStateException("orphans did not die")));
        try {
            allGone.join();
        } catch (CompletionException e) {
            LOG.log(Level.WARNING, "some orphaned agents could not be killed", e);
        } finally {
            kill.cancel();
            giveUp.cancel();
        }
        for (Long pid : trees.keySet()) {
            store.delete(pid);
        }
    }

    /** Builds a {@link ProcessAgentLauncher}. Not thread-safe. Setters check their argument at once. */
    public static final class Builder {
        private final List<String> command;
        private @Nullable Path workingDirectory;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private boolean inheritEnvironment = true;
        private @Nullable String heartbeatUrl;
        private @Nullable Path stateDirectory = defaultStateDirectory();
        private AgentOutputSink outputSink = AgentOutputSink.systemLogger();
        private int maxLineLength = 8192;
        private int outputQueueCapacity = 10_000;
        private boolean ownSession = true;

        private Builder(List<String> command) {
            Require.nonNull(command, "command");
            if (command.isEmpty()) {
                throw new IllegalArgumentException("command must not be empty");
            }
            for (String part : command) {
                if (part == null || part.isBlank()) {
                    throw new IllegalArgumentException("command must not contain blank elements");
                }
            }
            this.command = List.copyOf(command);
        }

        /** The agent's working directory (default: the host's). */
        public Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = Require.nonNull(workingDirectory, "workingDirectory");
            return this;
        }

        /** Adds an environment variable for every agent. */
        public Builder environment(String name, String value) {
            Require.name(name, "environment name");
            Require.nonNull(value, "environment value");
            environment.put(name, value);
            return this;
        }

        /** Whether agents inherit the host's environment (default true). */
        public Builder inheritEnvironment(boolean inheritEnvironment) {
            this.inheritEnvironment = inheritEnvironment;
            return this;
        }

        /** The URL agents send heartbeats to; also hands each agent its credential. */
        public Builder heartbeatUrl(String heartbeatUrl) {
            this.heartbeatUrl = Require.name(heartbeatUrl, "heartbeatUrl");
            return this;
        }

        /**
         * Where agent records are kept for reaping after a host crash (default {@link
         * #defaultStateDirectory()}); hosts sharing a directory, and launchers sharing it within one host, never reap
         * each other's live agents.
         */
        public Builder stateDirectory(Path stateDirectory) {
            this.stateDirectory = Require.nonNull(stateDirectory, "stateDirectory");
            return this;
        }

        /** Keeps no records: agents left behind by a host crash are not reaped. */
        public Builder noStateDirectory() {
            this.stateDirectory = null;
            return this;
        }

        /** Where agent output goes (default {@link AgentOutputSink#systemLogger()}). */
        public Builder outputSink(AgentOutputSink outputSink) {
            this.outputSink = Require.nonNull(outputSink, "outputSink");
            return this;
        }

        /** Longest line forwarded, in characters; longer lines are cut (default 8192, at least 16). */
        public Builder maxLineLength(int maxLineLength) {
            this.maxLineLength = Require.atLeast(maxLineLength, 16, "maxLineLength");
            return this;
        }

        /** Lines waiting for the sink before further lines are dropped (default 10000, at least 1). */
        public Builder outputQueueCapacity(int outputQueueCapacity) {
            this.outputQueueCapacity = Require.atLeast(outputQueueCapacity, 1, "outputQueueCapacity");
            return this;
        }

        /** Whether each agent gets its own session on Linux, so that its whole tree can be found (default true). */
        public Builder ownSession(boolean ownSession) {
            this.ownSession = ownSession;
            return this;
        }

        /** Builds the launcher. */
        public ProcessAgentLauncher build() {
            return new ProcessAgentLauncher(this);
        }
    }
}
