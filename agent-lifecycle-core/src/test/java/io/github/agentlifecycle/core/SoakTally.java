package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The soak run's listener, called on the engine's thread: gives each launching agent its mode (see {@link
 * SoakAgent}), hands each started agent to the driver so that it can make it ready, and counts what happened
 * (lifecycle events by kind, stop and close reasons, exits by how they ended, agents launched by mode). Its
 * collections stay bounded however long the run.
 */
final class SoakTally implements LifecycleListener {
    /** Started agents waiting for the driver, at most this many (the oldest are dropped). */
    private static final int MAX_WAITING = 200;

    /** An agent process that started, as the driver sees it. */
    record Started(String room, String identity) {}

    private final Path modes;
    private final Random random;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Deque<Started> started = new ArrayDeque<>();
    /** When the current stop of each room's agent began (one entry per room at most). */
    private final Map<String, Long> stoppingSince = new ConcurrentHashMap<>();
    private volatile long longestStopNanos;

    SoakTally(Path modes, long seed) {
        this.modes = modes;
        this.random = new Random(seed);
    }

    @Override
    public void onEvent(LifecycleEvent event) {
        increment(event.getClass().getSimpleName());
        if (event instanceof LifecycleEvent.AgentLaunching launching) {
            SoakAgent.Mode mode = SoakAgent.Mode.pick(random);
            increment("mode " + mode.word());
            SoakAgent.assign(modes, launching.agentIdentity(), mode, random);
        } else if (event instanceof LifecycleEvent.AgentLaunched launched) {
            synchronized (started) {
                started.addLast(new Started(launched.roomName(), launched.agentIdentity()));
                if (started.size() > MAX_WAITING) {
                    started.removeFirst();
                }
            }
        } else if (event instanceof LifecycleEvent.AgentStopping stopping) {
            increment("stopping " + stopping.reason());
            stoppingSince.putIfAbsent(stopping.roomName(), System.nanoTime());
        } else if (event instanceof LifecycleEvent.RoomClosed closed) {
            increment("closed " + closed.reason());
        } else if (event instanceof LifecycleEvent.AgentExited exited) {
            increment("exit " + (exited.expected() ? "requested " : "unrequested ") + describe(exited.exit()));
            Long since = stoppingSince.remove(exited.roomName());
            if (since != null) {
                longestStopNanos = Math.max(longestStopNanos, System.nanoTime() - since);
            }
        } else if (event instanceof LifecycleEvent.AgentLaunchFailed failed) {
            stoppingSince.remove(failed.roomName());
        }
    }

    private static String describe(AgentExit exit) {
        return exit.kind() == AgentExit.Kind.LOST ? "lost" : exit.describe();
    }

    private void increment(String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** The oldest started agent the driver has not taken yet, or null. */
    @Nullable Started nextStarted() {
        synchronized (started) {
            return started.pollFirst();
        }
    }

    /** How often {@code key} was counted. */
    long count(String key) {
        LongAdder adder = counts.get(key);
        return adder == null ? 0 : adder.sum();
    }

    /** Every count, by key. */
    Map<String, Long> counts() {
        Map<String, Long> all = new TreeMap<>();
        counts.forEach((key, adder) -> all.put(key, adder.sum()));
        return all;
    }

    /** The longest time from an agent's {@code AgentStopping} to its {@code AgentExited}. */
    Duration longestStop() {
        return Duration.ofNanos(longestStopNanos);
    }
}
