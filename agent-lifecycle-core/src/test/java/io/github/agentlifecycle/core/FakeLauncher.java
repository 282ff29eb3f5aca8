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
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A launcher for tests that records every launch and stop and itself checks the limits the engine promises: at
 * most one live agent per room and at most {@code maxTotal} live agents. An agent is live from the launch call
 * until its exit completes (or its launch fails). Synchronized: agents may be driven from the test thread while
 * the engine calls in.
 */
final class FakeLauncher implements AgentLauncher {
    private final Clock clock;
    private final int maxTotal;
    private final AtomicLong pids = new AtomicLong(1000);
    private final List<FakeAgent> launches = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private boolean autoStart = true;
    private boolean hangNext;
    private boolean stuckNext;
    private String failNext;

    FakeLauncher(Clock clock, int maxTotal) {
        this.clock = clock;
        this.maxTotal = maxTotal;
    }

    /** Whether launches complete at once (default) or wait for {@link FakeAgent#start()}. */
    synchronized FakeLauncher autoStart(boolean value) {
        autoStart = value;
        return this;
    }

    /** The next launched agent ignores SIGTERM and exits only when killed after the stop timeout. */
    synchronized FakeLauncher hangNext() {
        hangNext = true;
        return this;
    }

    /** The next launched agent ignores every stop, even the kill; it ends only when the test says so. */
    synchronized FakeLauncher stuckNext() {
        stuckNext = true;
        return this;
    }

    /** The next launch fails with {@code error}. */
    synchronized FakeLauncher failNext(String error) {
        failNext = error;
        return this;
    }

    @Override
    public synchronized CompletionStage<AgentHandle> launch(AgentSpec spec) {
        long liveHere = launches.stream().filter(a -> a.live() && a.spec.roomName().equals(spec.roomName())).count();
        if (liveHere > 0) {
            violations.add("second live agent in room " + spec.roomName() + ": " + spec);
        }
        long liveTotal = launches.stream().filter(FakeAgent::live).count();
        if (liveTotal >= maxTotal) {
            violations.add("more than " + maxTotal + " live agents at launch of " + spec);
        }
        FakeAgent agent = new FakeAgent(spec, pids.incrementAndGet(), hangNext, stuckNext);
        hangNext = false;
        stuckNext = false;
        launches.add(agent);
        if (failNext != null) {
            String error = failNext;
            failNext = null;
            agent.failLaunch(error);
        } else if (autoStart) {
            agent.start();
        }
        return agent.launch;
    }

    synchronized List<FakeAgent> launches() {
        return new ArrayList<>(launches);
    }

    synchronized List<FakeAgent> launchesIn(String room) {
        return launches.stream().filter(a -> a.spec.roomName().equals(room)).collect(Collectors.toList());
    }

    synchronized List<FakeAgent> live() {
        return launches.stream().filter(FakeAgent::live).collect(Collectors.toList());
    }

    synchronized List<FakeAgent> liveIn(String room) {
        return launches.stream().filter(a -> a.live() && a.spec.roomName().equals(room)).collect(Collectors.toList());
    }

    synchronized FakeAgent last(String room) {
        List<FakeAgent> here = launchesIn(room);
        if (here.isEmpty()) {
            throw new AssertionError("no agent was launched in " + room);
        }
        return here.get(here.size() - 1);
    }

    synchronized List<String> violations() {
        return new ArrayList<>(violations);
    }

    /** One launched agent and its handle. */
    final class FakeAgent implements AgentHandle {
        final AgentSpec spec;
        final long pid;
        final boolean ignoresTerm;
        final boolean ignoresKill;
        final CompletableFuture<AgentHandle> launch = new CompletableFuture<>();
        final CompletableFuture<AgentExit> exit = new CompletableFuture<>();
        private int stopRequests;
        private boolean launchFailed;
        private boolean diedSilently;

        FakeAgent(AgentSpec spec, long pid, boolean ignoresTerm, boolean ignoresKill) {
            this.spec = spec;
            this.pid = pid;
            this.ignoresTerm = ignoresTerm;
            this.ignoresKill = ignoresKill;
        }

        boolean live() {
            synchronized (FakeLauncher.this) {
                return !launchFailed && !diedSilently && !exit.isDone();
            }
        }

        int stopRequests() {
            synchronized (FakeLauncher.this) {
                return stopRequests;
            }
        }

        /** Completes a launch that waits (see {@link FakeLauncher#autoStart(boolean)}). */
        void start() {
            launch.complete(this);
        }

        void failLaunch(String error) {
            synchronized (FakeLauncher.this) {
                launchFailed = true;
            }
            launch.completeExceptionally(new IllegalStateException(error));
        }

        /** The agent exits by itself with {@code code}. */
        void exitWith(int code) {
            exit.complete(AgentExit.exited(code, stopRequests() > 0));
        }

        void crash() {
            exitWith(1);
        }

        /** The agent is gone but its exit is never reported, as if the launcher lost track of it. */
        void dieSilently() {
            synchronized (FakeLauncher.this) {
                diedSilently = true;
            }
        }

        @Override
        public boolean isAlive() {
            synchronized (FakeLauncher.this) {
                return !diedSilently && !exit.isDone();
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
        public void stop(Duration timeout) {
            boolean first;
            synchronized (FakeLauncher.this) {
                stopRequests++;
                first = stopRequests == 1;
            }
            if (ignoresKill) {
                return;
            }
            if (!ignoresTerm) {
                exit.complete(AgentExit.signalled(15, true));
            } else if (first) {
                clock.schedule(timeout.toNanos(), () -> exit.complete(AgentExit.signalled(9, true)));
            }
        }
    }
}
