package io.github.agentlifecycle.core;

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

/**
 * A launcher for property tests, driven step by step by a {@link PropertyHarness}. It records every launch, stop
 * request and exit, and checks at each launch what the engine promises: at most one live agent per room and at
 * most {@code maxTotal} live agents. An agent is live from its launch call until its exit completes, its launch
 * fails or it vanishes (dies without reporting an exit).
 *
 * <p>A hung agent's kill timer is cancelled when the agent ends some other way, so that {@link
 * io.github.agentlifecycle.core.testing.ManualClock#pendingTimers()} counts only timers of agents that are still
 * alive. Confined to the test thread.
 */
final class ScriptedLauncher implements AgentLauncher {
    private final Clock clock;
    private final int maxTotal;
    private final List<Agent> launches = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private long nextPid = 1000;
    private boolean hangNext;
    private boolean delayNext;
    private String failNext;
    private int stopCalls;
    private boolean closed;

    ScriptedLauncher(Clock clock, int maxTotal) {
        this.clock = clock;
        this.maxTotal = maxTotal;
    }

    /** The next launched agent ignores stop requests until it is killed after the stop timeout. */
    void hangNext() {
        hangNext = true;
    }

    /** The next launch waits until {@link Agent#start()} or {@link Agent#failLaunch(String)}. */
    void delayNext() {
        delayNext = true;
    }

    /** The next launch fails at once with {@code error}. */
    void failNext(String error) {
        failNext = error;
    }

    /** Forgets the pending {@link #hangNext()}, {@link #delayNext()} and {@link #failNext(String)}. */
    void cooperate() {
        hangNext = false;
        delayNext = false;
        failNext = null;
    }

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        if (!liveIn(spec.roomName()).isEmpty()) {
            violations.add("second live agent in room " + spec.roomName() + " at launch of " + spec);
        }
        if (live().size() >= maxTotal) {
            violations.add("more than " + maxTotal + " live agents at launch of " + spec);
        }
        if (closed) {
            violations.add("launch after close: " + spec);
        }
        Agent agent = new Agent(spec, ++nextPid, hangNext);
        hangNext = false;
        launches.add(agent);
        if (failNext != null) {
            String error = failNext;
            failNext = null;
            agent.failLaunch(error);
        } else if (delayNext) {
            delayNext = false;
        } else {
            agent.start();
        }
        return agent.launch;
    }

    @Override
    public void close() {
        closed = true;
    }

    List<Agent> launches() {
        return new ArrayList<>(launches);
    }

    List<Agent> live() {
        List<Agent> live = new ArrayList<>();
        for (Agent agent : launches) {
            if (agent.live()) {
                live.add(agent);
            }
        }
        return live;
    }

    List<Agent> liveIn(String room) {
        List<Agent> live = new ArrayList<>();
        for (Agent agent : launches) {
            if (agent.live() && agent.spec.roomName().equals(room)) {
                live.add(agent);
            }
        }
        return live;
    }

    /** Live agents whose launch has completed, so that they can exit. */
    List<Agent> running() {
        List<Agent> running = new ArrayList<>();
        for (Agent agent : launches) {
            if (agent.live() && agent.started) {
                running.add(agent);
            }
        }
        return running;
    }

    /** Launches that have neither started nor failed yet. */
    List<Agent> pending() {
        List<Agent> pending = new ArrayList<>();
        for (Agent agent : launches) {
            if (agent.pending()) {
                pending.add(agent);
            }
        }
        return pending;
    }

    /** The newest live agent of {@code room}, or null. */
    Agent liveAgentOf(String room) {
        for (int i = launches.size() - 1; i >= 0; i--) {
            Agent agent = launches.get(i);
            if (agent.spec.roomName().equals(room)) {
                return agent.live() ? agent : null;
            }
        }
        return null;
    }

    /** Kill timers this launcher has scheduled on the clock that have not run or been cancelled. */
    int pendingKillTimers() {
        int pending = 0;
        for (Agent agent : launches) {
            if (agent.killTimer != null && !agent.exit.isDone() && !agent.vanished) {
                pending++;
            }
        }
        return pending;
    }

    List<String> violations() {
        return new ArrayList<>(violations);
    }

    /** What the engine asked of this launcher so far: launch calls and stop calls. */
    History history() {
        return new History(launches.size(), stopCalls, live().size());
    }

    /**
     * A summary of the launcher's history, equal before and after a step that must not touch any agent.
     *
     * @param launchCalls launches requested
     * @param stopCalls stop requests received
     * @param live agents live now
     */
    record History(int launchCalls, int stopCalls, int live) {}

    /** One launched agent and its handle. */
    final class Agent implements AgentHandle {
        final AgentSpec spec;
        final long pid;
        final boolean ignoresStop;
        final CompletableFuture<AgentHandle> launch = new CompletableFuture<>();
        final CompletableFuture<AgentExit> exit = new CompletableFuture<>();
        private boolean started;
        private boolean launchFailed;
        private boolean vanished;
        private int stopRequests;
        private Clock.Timer killTimer;
        Long lastHeartbeat;
        boolean heartbeatLapsed;

        Agent(AgentSpec spec, long pid, boolean ignoresStop) {
            this.spec = spec;
            this.pid = pid;
            this.ignoresStop = ignoresStop;
        }

        boolean live() {
            return !launchFailed && !vanished && !exit.isDone();
        }

        boolean pending() {
            return !launchFailed && !started;
        }

        boolean started() {
            return started;
        }

        int stopRequests() {
            return stopRequests;
        }

        void start() {
            started = true;
            launch.complete(this);
        }

        void failLaunch(String error) {
            launchFailed = true;
            launch.completeExceptionally(new IllegalStateException(error));
        }

        /** The agent dies without its exit being reported: only {@link #isAlive()} tells. */
        void vanish() {
            vanished = true;
            if (killTimer != null) {
                killTimer.cancel();
            }
        }

        boolean vanished() {
            return vanished;
        }

        /** The agent exits by itself with {@code code}. */
        void exitWith(int code) {
            if (killTimer != null) {
                killTimer.cancel();
            }
            exit.complete(AgentExit.exited(code, stopRequests > 0));
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
            stopCalls++;
            stopRequests++;
            if (exit.isDone() || vanished) {
                return;
            }
            if (!ignoresStop) {
                exit.complete(AgentExit.signalled(15, true));
            } else if (killTimer == null) {
                killTimer = clock.schedule(timeout.toNanos(), () -> exit.complete(AgentExit.signalled(9, true)));
            }
        }

        @Override
        public String toString() {
            return spec.agentIdentity() + "@" + spec.roomName() + "(attempt " + spec.attempt()
                    + (pending() ? ", pending" : "") + (launchFailed ? ", launch failed" : "")
                    + (exit.isDone() ? ", exited" : "") + (vanished ? ", vanished" : "")
                    + (ignoresStop ? ", hangs" : "")
                    + ", stops " + stopRequests + ")";
        }
    }
}
