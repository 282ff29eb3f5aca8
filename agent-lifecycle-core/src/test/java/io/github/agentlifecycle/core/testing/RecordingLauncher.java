package io.github.agentlifecycle.core.testing;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A launcher for tests of every module. It records every launch, stop request and exit, and checks at each launch
 * what the engine promises: at most one live agent per room, at most {@code maxTotal} live agents, no launch after
 * {@link #close()}. An agent is live from its launch call until its exit completes, its launch fails or it
 * vanishes (dies without reporting an exit).
 *
 * <p>By default an agent starts at once and exits when first asked to stop. The test can script the next launch
 * ({@link #hangNext()}, {@link #stuckNext()}, {@link #failNext(String)}, {@link #delayNext()}) or hold every launch
 * ({@link #autoStart(boolean)}), and drive each {@link Agent} (start, fail, exit, crash, vanish).
 *
 * <p>A hung agent is killed on the clock, after the stop timeout; its kill timer is cancelled when the agent ends
 * some other way, so that {@link ManualClock#pendingTimers()} counts only timers of agents that are still alive.
 *
 * <p>Thread-safe: agents may be driven from the test thread while the engine calls in from its own. Futures are
 * completed outside the launcher's lock.
 */
public final class RecordingLauncher implements AgentLauncher {
    private final Clock clock;
    private final int maxTotal;
    private final List<Agent> launches = new ArrayList<>();
    private final List<String> stopped = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private long lastPid = 1000;
    private boolean autoStart = true;
    private boolean hangNext;
    private boolean stuckNext;
    private boolean delayNext;
    private @Nullable String failNext;
    private int stopCalls;
    private boolean closed;

    /** A launcher without a limit of its own that kills hung agents on the system clock. */
    public RecordingLauncher() {
        this(Clock.system(), Integer.MAX_VALUE);
    }

    /**
     * @param clock the clock hung agents are killed on
     * @param maxTotal how many agents may be live at once before a launch counts as a violation
     */
    public RecordingLauncher(Clock clock, int maxTotal) {
        this.clock = clock;
        this.maxTotal = maxTotal;
    }

    /** Whether launches complete at once (the default) or wait for {@link Agent#start()}. */
    public synchronized RecordingLauncher autoStart(boolean value) {
        autoStart = value;
        return this;
    }

    /** The next launched agent ignores stop requests until it is killed after the stop timeout. */
    public synchronized RecordingLauncher hangNext() {
        hangNext = true;
        return this;
    }

    /** The next launched agent ignores every stop, even the kill; it ends only when the test says so. */
    public synchronized RecordingLauncher stuckNext() {
        stuckNext = true;
        return this;
    }

    /** The next launch waits until {@link Agent#start()} or {@link Agent#failLaunch(String)}. */
    public synchronized RecordingLauncher delayNext() {
        delayNext = true;
        return this;
    }

    /** The next launch fails at once with {@code error}. */
    public synchronized RecordingLauncher failNext(String error) {
        failNext = error;
        return this;
    }

    /** Forgets every pending {@code ...Next()}. */
    public synchronized RecordingLauncher cooperate() {
        hangNext = false;
        stuckNext = false;
        delayNext = false;
        failNext = null;
        return this;
    }

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        Agent agent;
        String error;
        boolean start;
        synchronized (this) {
            if (!liveIn(spec.roomName()).isEmpty()) {
                violations.add("second live agent in room " + spec.roomName() + " at launch of " + spec);
            }
            if (live().size() >= maxTotal) {
                violations.add("more than " + maxTotal + " live agents at launch of " + spec);
            }
            if (closed) {
                violations.add("launch after close: " + spec);
            }
            agent = new Agent(spec, ++lastPid, hangNext, stuckNext);
            hangNext = false;
            stuckNext = false;
            launches.add(agent);
            error = failNext;
            failNext = null;
            start = error == null && autoStart && !delayNext;
            if (error == null) {
                delayNext = false;
            }
        }
        if (error != null) {
            agent.failLaunch(error);
        } else if (start) {
            agent.start();
        }
        return agent.launch;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** Every agent launched so far, oldest first. */
    public List<Agent> launches() {
        return select(agent -> true);
    }

    /** The agents launched for {@code room}, oldest first. */
    public List<Agent> launchesIn(String room) {
        return select(agent -> agent.spec.roomName().equals(room));
    }

    /** The live agents, oldest first. */
    public List<Agent> live() {
        return select(Agent::live);
    }

    /** The live agents of {@code room}: at most one unless the engine broke its promise. */
    public List<Agent> liveIn(String room) {
        return select(agent -> agent.live() && agent.spec.roomName().equals(room));
    }

    /** Live agents whose launch has completed, so that they can exit. */
    public List<Agent> running() {
        return select(agent -> agent.live() && agent.started());
    }

    /** Launches that have neither started nor failed yet. */
    public List<Agent> pending() {
        return select(Agent::pending);
    }

    private synchronized List<Agent> select(Predicate<Agent> filter) {
        List<Agent> selected = new ArrayList<>();
        for (Agent agent : launches) {
            if (filter.test(agent)) {
                selected.add(agent);
            }
        }
        return selected;
    }

    /** The newest agent of {@code room}; fails the test if none was launched there. */
    public Agent last(String room) {
        List<Agent> here = launchesIn(room);
        if (here.isEmpty()) {
            throw new AssertionError("no agent was launched in room " + room);
        }
        return here.get(here.size() - 1);
    }

    /** The newest agent of {@code room} if it is live, or null. */
    public synchronized @Nullable Agent liveAgentOf(String room) {
        for (int i = launches.size() - 1; i >= 0; i--) {
            Agent agent = launches.get(i);
            if (agent.spec.roomName().equals(room)) {
                return agent.live() ? agent : null;
            }
        }
        return null;
    }

    /** Every spec launched so far, oldest first. */
    public synchronized List<AgentSpec> launched() {
        List<AgentSpec> specs = new ArrayList<>();
        for (Agent agent : launches) {
            specs.add(agent.spec);
        }
        return specs;
    }

    /** The spec of the newest agent of {@code room}; fails the test if none was launched there. */
    public AgentSpec spec(String room) {
        return last(room).spec;
    }

    /** The identities of the agents asked to stop while they were live, each once, in the order of the first ask. */
    public synchronized List<String> stopped() {
        return new ArrayList<>(stopped);
    }

    /** Kill timers this launcher has scheduled on the clock that have not run or been cancelled. */
    public synchronized int pendingKillTimers() {
        int pending = 0;
        for (Agent agent : launches) {
            if (agent.killTimer != null && !agent.exit.isDone() && !agent.vanished) {
                pending++;
            }
        }
        return pending;
    }

    /** The broken promises seen so far; empty when the engine kept them all. */
    public synchronized List<String> violations() {
        return new ArrayList<>(violations);
    }

    /** What the engine asked of this launcher so far: launch calls and stop calls. */
    public synchronized History history() {
        return new History(launches.size(), stopCalls, live().size());
    }

    /**
     * A summary of the launcher's history, equal before and after a step that must not touch any agent.
     *
     * @param launchCalls launches requested
     * @param stopCalls stop requests received
     * @param live agents live now
     */
    public record History(int launchCalls, int stopCalls, int live) {}

    /** One launched agent and its handle. Its state is guarded by the launcher's lock. */
    public final class Agent implements AgentHandle {
        /** What the engine launched. */
        public final AgentSpec spec;
        /** The agent's made-up process id, unique within this launcher. */
        public final long pid;
        private final boolean ignoresStop;
        private final boolean ignoresKill;
        private final CompletableFuture<AgentHandle> launch = new CompletableFuture<>();
        private final CompletableFuture<AgentExit> exit = new CompletableFuture<>();
        private boolean started;
        private boolean launchFailed;
        private boolean vanished;
        private int stopRequests;
        private Clock.@Nullable Timer killTimer;

        private Agent(AgentSpec spec, long pid, boolean ignoresStop, boolean ignoresKill) {
            this.spec = spec;
            this.pid = pid;
            this.ignoresStop = ignoresStop;
            this.ignoresKill = ignoresKill;
        }

        /** Launched, not failed, not vanished and not exited. */
        public boolean live() {
            synchronized (RecordingLauncher.this) {
                return !launchFailed && !vanished && !exit.isDone();
            }
        }

        /** The launch has neither completed nor failed yet. */
        public boolean pending() {
            synchronized (RecordingLauncher.this) {
                return !launchFailed && !started;
            }
        }

        /** The launch has completed. */
        public boolean started() {
            synchronized (RecordingLauncher.this) {
                return started;
            }
        }

        /** Whether the agent {@link #vanish() vanished}. */
        public boolean vanished() {
            synchronized (RecordingLauncher.this) {
                return vanished;
            }
        }

        /** How often the engine asked this agent to stop. */
        public int stopRequests() {
            synchronized (RecordingLauncher.this) {
                return stopRequests;
            }
        }

        /** Completes a launch that waits (see {@link #delayNext()} and {@link #autoStart(boolean)}). */
        public void start() {
            synchronized (RecordingLauncher.this) {
                started = true;
            }
            launch.complete(this);
        }

        /** Fails a launch that waits, with {@code error} as the reason. */
        public void failLaunch(String error) {
            synchronized (RecordingLauncher.this) {
                launchFailed = true;
            }
            launch.completeExceptionally(new IllegalStateException(error));
        }

        /** The agent exits by itself with {@code code}. */
        public void exitWith(int code) {
            boolean stopRequested;
            synchronized (RecordingLauncher.this) {
                cancelKillTimer();
                stopRequested = stopRequests > 0;
            }
            exit.complete(AgentExit.exited(code, stopRequested));
        }

        /** The agent exits by itself with code 1. */
        public void crash() {
            exitWith(1);
        }

        /** The agent dies without its exit being reported, as if the launcher lost track of it: only {@link
         * #isAlive()} tells. */
        public void vanish() {
            synchronized (RecordingLauncher.this) {
                vanished = true;
                cancelKillTimer();
            }
        }

        private void cancelKillTimer() {
            if (killTimer != null) {
                killTimer.cancel();
            }
        }

        @Override
        public String agentIdentity() {
            return spec.agentIdentity();
        }

        @Override
        public OptionalLong pid() {
            return OptionalLong.of(pid);
        }

        @Override
        public CompletionStage<AgentExit> onExit() {
            return exit;
        }

        @Override
        public boolean isAlive() {
            return live();
        }

        @Override
        public void stop(Duration timeout) {
            synchronized (RecordingLauncher.this) {
                stopCalls++;
                stopRequests++;
                if (exit.isDone() || vanished) {
                    return;
                }
                if (stopRequests == 1) {
                    stopped.add(spec.agentIdentity());
                }
                if (ignoresKill) {
                    return;
                }
                if (ignoresStop) {
                    if (killTimer == null) {
                        killTimer = clock.schedule(timeout.toNanos(),
                                () -> exit.complete(AgentExit.signalled(9, true)));
                    }
                    return;
                }
            }
            exit.complete(AgentExit.signalled(15, true));
        }

        @Override
        public String toString() {
            synchronized (RecordingLauncher.this) {
                return spec.agentIdentity() + "@" + spec.roomName() + "(attempt " + spec.attempt()
                        + (pending() ? ", pending" : "") + (launchFailed ? ", launch failed" : "")
                        + (exit.isDone() ? ", exited" : "") + (vanished ? ", vanished" : "")
                        + (ignoresStop ? ", hangs" : "") + (ignoresKill ? ", stuck" : "")
                        + ", stops " + stopRequests + ")";
            }
        }
    }
}
