package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.internal.AgentProcessStarter;
import io.github.agentlifecycle.core.internal.AgentRecordStore;
import io.github.agentlifecycle.core.internal.OrphanReaper;
import io.github.agentlifecycle.core.internal.PooledProcess;
import io.github.agentlifecycle.core.internal.ProcessSpawner;
import io.github.agentlifecycle.core.internal.WarmPool;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentOutputSink;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * Runs each agent as a local operating-system process: the configured command with the room name appended as
 * its last argument.
 *
 * <p><b>Environment.</b> The agent inherits the host's environment (unless disabled, less the variables {@linkplain
 * Builder#withholdEnvironment withheld}) plus the configured variables and {@code ROOM_NAME}, {@code AGENT_IDENTITY},
 * {@code AGENT_LIFECYCLE_AGENT_ID} (a random id by which the launcher recognises the agent's processes) and, when a
 * heartbeat URL is configured, {@code AGENT_HEARTBEAT_URL} and {@code AGENT_CREDENTIAL} (a per-agent secret to
 * present with each heartbeat).
 *
 * <p><b>Contract for agent programs.</b> The agent's stdin is a pipe held by the host: it reads end-of-file when
 * the host asks it to stop or when the host dies, so an agent can exit on EOF. On stop the agent and every
 * process it started get SIGTERM; whatever is left after the stop timeout gets SIGKILL. Output on stdout and
 * stderr is forwarded line by line, tagged with the room and the pid, to an {@link AgentOutputSink}.
 *
 * <p><b>Containment.</b> Where cgroup v2 can be used (Linux 5.14 or later, with a cgroup this process may create
 * cgroups in, see {@link Containment}), each agent runs in a cgroup of its own, so that nothing it starts outlives
 * its stop by more than the stop timeout, whatever session, process group or parent it ends up with. Elsewhere the
 * agent runs in its own session ({@code setsid}) and its processes are found through {@code /proc}: descendants,
 * the session and process group, and the processes carrying its id in their environment; only a process that both
 * leaves the session and clears its environment escapes. The start-up log says which applies, and why.
 *
 * <p><b>Crash recovery.</b> Each running agent has a record in a state directory that must be private to this
 * process's user (created with mode 700; a directory or record another user could have written stops the start with
 * an error). When a launcher starts, it kills the agents whose host is gone and reports each as {@link
 * LifecycleEvent.OrphanReaped}: a recorded cgroup, or a process with the recorded pid and start time whose
 * environment carries the recorded agent id; anything else is left alone. Launches run on the launcher's own
 * threads.
 *
 * <p><b>Prewarmed agents.</b> With {@link Builder#prewarm prewarm(n)}, the launcher keeps {@code n} agent processes
 * started ahead of need, so that a room gets one that has already loaded. Such agents get no room argument and no
 * room variables, but {@code AGENT_ASSIGNMENT=stdin}. An agent writes the line {@code {"type":"idle"}} to stdout once
 * it has loaded; when a room needs it, the launcher writes one line of JSON to its stdin: {@code type} ({@code
 * "assignment"}), {@code roomName}, {@code agentIdentity}, {@code credential} and, when configured, {@code
 * heartbeatUrl}. The agent answers {@code {"type":"assigned"}} on stdout once it has taken the room. Every agent of
 * such a launcher gets its room this way, also one started for a room when none waits. A launch takes an agent that
 * said it is idle, else the one started first; one that said it is idle and does not answer within the {@link
 * Builder#assignmentTimeout assignment timeout} is stopped and another is started for the room. Idle agents count
 * against the agents the manager may run on this host ({@code maxTotalAgents}, or with a shared store the store's
 * cap per replica when lower): the host runs at most that many agent processes, idle ones included, apart from idle
 * ones being stopped, so the pool shrinks while the host is nearly full. Idle agents are
 * replaced when they die (after a backoff of up to a minute when they keep dying), replaced after the {@link
 * Builder#maxIdleAge maximum idle age}, recorded for reaping like other agents, and stopped when the manager drains
 * or closes. Thread-safe.
 */
public final class ProcessAgentLauncher implements AgentLauncher {
    /** How agents' processes are held together, so that stopping an agent stops everything it started. */
    public enum Containment {
        /** A cgroup per agent where cgroup v2 can be used, else the agent's session (with a warning at start). */
        AUTO,
        /** A cgroup per agent; the launcher refuses to start where cgroup v2 cannot be used. */
        CGROUP,
        /** The agent's session, process group, descendants and the processes carrying its id; no cgroup. */
        SESSION
    }

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final ProcessSpawner spawner;
    private final @Nullable WarmPool pool;
    private final ExecutorService launches = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "agent-launcher");
        thread.setDaemon(true);
        return thread;
    });

    private ProcessAgentLauncher(Builder builder) {
        this.spawner = new ProcessSpawner(new AgentProcessStarter(builder.command, builder.workingDirectory,
                builder.environment, builder.withheld, builder.inheritEnvironment, builder.heartbeatUrl,
                builder.ownSession), builder.stateDirectory, builder.outputSink, builder.maxLineLength,
                builder.outputQueueCapacity, builder.containment, builder.cgroupParent);
        this.pool = builder.prewarm == 0 ? null : new WarmPool(builder.prewarm, builder.maxIdleAge,
                builder.assignmentTimeout, PooledProcess.starter(spawner, builder.heartbeatUrl), launches);
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

    /**
     * The default state directory: {@code <java.io.tmpdir>/agent-lifecycle-<user>/agents}, one per user name, so
     * that users of one machine do not share it.
     */
    public static Path defaultStateDirectory() {
        String user = System.getProperty("user.name", "").replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "agent-lifecycle-" + (user.isEmpty() ? "user" : user),
                "agents");
    }

    /**
     * Decides how agents are contained, kills agents an earlier host left behind, then readies output forwarding.
     * Blocks while it reaps.
     *
     * @throws IllegalStateException if the state directory, or a record in it, cannot be trusted or used, or if
     *     {@link Containment#CGROUP} was asked for where cgroup v2 cannot be used
     */
    @Override
    public void start(LauncherContext context) {
        AgentRecordStore store = spawner.start(context);
        if (store != null) {
            try {
                OrphanReaper.reap(store, context);
            } catch (IOException e) {
                throw new IllegalStateException("agent state directory " + store.directory()
                        + " holds a record that cannot be trusted: " + e.getMessage(), e);
            }
        }
        if (pool != null) {
            pool.start(context.clock(), context.maxHostedAgents());
        }
    }

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        Require.nonNull(spec, "spec");
        if (pool != null) {
            return pool.launch(spec);
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return spawner.spawn(spec, null).agent();
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, launches);
        } catch (RuntimeException rejected) {
            return CompletableFuture.failedFuture(new IllegalStateException("launcher is closed", rejected));
        }
    }

    /** Stops the idle agents, if any, and starts no more. */
    @Override
    public void drain() {
        if (pool != null) {
            pool.drain();
        }
    }

    @Override
    public int idleAgents() {
        return pool == null ? 0 : pool.idle();
    }

    /**
     * Stops the idle agents (SIGTERM and end-of-file on stdin; SIGKILL after the stop timeout), waiting until they are
     * gone or the stop timeout and one more second have passed, then stops the launcher's threads. Agents serving
     * rooms are not touched (the manager stops them first).
     */
    @Override
    public void close() {
        if (pool != null) {
            CompletableFuture<Void> gone = pool.close();
            Clock.Timer giveUp = spawner.clock().schedule(Require.nanos(spawner.stopTimeout()) + SECOND_NANOS,
                    () -> gone.complete(null));
            gone.join();
            giveUp.cancel();
        }
        launches.shutdown();
        spawner.close();
    }

    /** Builds a {@link ProcessAgentLauncher}. Not thread-safe. Setters check their argument at once. */
    public static final class Builder {
        private final List<String> command;
        private @Nullable Path workingDirectory;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final Set<String> withheld = new LinkedHashSet<>();
        private boolean inheritEnvironment = true;
        private @Nullable String heartbeatUrl;
        private @Nullable Path stateDirectory = defaultStateDirectory();
        private AgentOutputSink outputSink = AgentOutputSink.systemLogger();
        private int maxLineLength = 8192;
        private int outputQueueCapacity = 10_000;
        private boolean ownSession = true;
        private Containment containment = Containment.AUTO;
        private @Nullable Path cgroupParent;
        private int prewarm;
        private Duration maxIdleAge = Duration.ofMinutes(30);
        private Duration assignmentTimeout = Duration.ofSeconds(5);

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

        /**
         * Keeps a variable of the host's environment from the agents (for example a credential of the host's own,
         * such as its admin token); variables set with {@link #environment} are still passed.
         */
        public Builder withholdEnvironment(String name) {
            withheld.add(Require.name(name, "withheld environment name"));
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
         * Where agent records are kept for reaping after a host crash (default {@link #defaultStateDirectory()}).
         * Created with mode 700 when missing; it must be owned by this process's user and open to nobody else, and
         * no directory above it may be writable by others unless sticky (like {@code /tmp}), or the launcher
         * refuses to start. Hosts sharing a directory, and launchers sharing it within one host, never reap each
         * other's live agents.
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

        /** How agents' processes are held together (default {@link Containment#AUTO}). */
        public Builder containment(Containment containment) {
            this.containment = Require.nonNull(containment, "containment");
            return this;
        }

        /**
         * The cgroup v2 directory each agent's cgroup is created in (default: this process's own cgroup, as {@code
         * /proc/self/cgroup} names it); this process must be allowed to create cgroups there and move processes into
         * them.
         */
        public Builder cgroupParent(Path cgroupParent) {
            this.cgroupParent = Require.nonNull(cgroupParent, "cgroupParent");
            return this;
        }

        /**
         * How many agents to keep started ahead of need, waiting for a room (default 0: agents are started when a
         * room needs one). More than 0 means the agent command speaks the assignment protocol described on {@link
         * ProcessAgentLauncher}.
         */
        public Builder prewarm(int prewarm) {
            this.prewarm = Require.atLeast(prewarm, 0, "prewarm");
            return this;
        }

        /** How long an agent started ahead of need waits for a room before it is replaced (default 30 minutes). */
        public Builder maxIdleAge(Duration maxIdleAge) {
            this.maxIdleAge = Require.positive(maxIdleAge, "maxIdleAge");
            return this;
        }

        /**
         * How long an idle agent has to confirm it took its room before it is stopped and another is started for the
         * room (default 5 seconds).
         */
        public Builder assignmentTimeout(Duration assignmentTimeout) {
            this.assignmentTimeout = Require.positive(assignmentTimeout, "assignmentTimeout");
            return this;
        }

        /** Builds the launcher. */
        public ProcessAgentLauncher build() {
            return new ProcessAgentLauncher(this);
        }
    }
}
