package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.StopReason;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Notes, per measured room, the {@link System#nanoTime()} at which the engine told its listeners about each step
 * of the room's end: grace started, grace expired, agent stopping, agent exited, room closed. Runs on the engine's
 * thread; read the times only after
 * {@link #awaitClosed} returned true (the latch orders the engine's writes before the reads).
 */
final class GraceTimeline implements LifecycleListener {
    private final Map<String, Integer> index = new HashMap<>();
    private final CountDownLatch closed;
    final long[] graceStarted;
    final long[] graceExpired;
    final long[] stopping;
    final long[] exited;
    final long[] roomClosed;
    private final List<String> anomalies = new ArrayList<>();
    private final Map<AgentExit.Kind, Integer> exitKinds = new EnumMap<>(AgentExit.Kind.class);

    GraceTimeline(List<String> rooms) {
        for (int i = 0; i < rooms.size(); i++) {
            index.put(rooms.get(i), i);
        }
        int n = rooms.size();
        this.closed = new CountDownLatch(n);
        this.graceStarted = new long[n];
        this.graceExpired = new long[n];
        this.stopping = new long[n];
        this.exited = new long[n];
        this.roomClosed = new long[n];
    }

    @Override
    public void onEvent(LifecycleEvent event) {
        Integer i = index.get(event.roomName());
        if (i == null) {
            return;
        }
        long now = System.nanoTime();
        if (event instanceof LifecycleEvent.GraceStarted) {
            graceStarted[i] = now;
        } else if (event instanceof LifecycleEvent.GraceExpired) {
            graceExpired[i] = now;
        } else if (event instanceof LifecycleEvent.AgentStopping e) {
            if (e.reason() != StopReason.ROOM_CLOSING || graceExpired[i] == 0) {
                anomaly(event);
            }
            stopping[i] = now;
        } else if (event instanceof LifecycleEvent.AgentExited e) {
            if (!e.expected()) {
                anomaly(event);
            }
            synchronized (exitKinds) {
                exitKinds.merge(e.exit().kind(), 1, Integer::sum);
            }
            exited[i] = now;
        } else if (event instanceof LifecycleEvent.RoomClosed e) {
            if (e.reason() != CloseReason.GRACE_EXPIRED) {
                anomaly(event);
            }
            roomClosed[i] = now;
            closed.countDown();
        } else if (event instanceof LifecycleEvent.AgentLaunchFailed || event instanceof LifecycleEvent.AgentRestarting
                || event instanceof LifecycleEvent.AgentStopOverdue || event instanceof LifecycleEvent.GraceCancelled
                || event instanceof LifecycleEvent.EventIgnored) {
            anomaly(event);
        }
    }

    private void anomaly(LifecycleEvent event) {
        synchronized (anomalies) {
            anomalies.add(event.toString());
        }
    }

    /** Waits until every measured room was closed. */
    boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return closed.await(timeout, unit);
    }

    /** Rooms not closed yet. */
    long open() {
        return closed.getCount();
    }

    /**
     * How the measured agents' exits were reported, by kind: {@code LOST} ones were found dead by the engine's
     * health check before the exit itself reached the engine.
     */
    Map<AgentExit.Kind, Integer> exitKinds() {
        synchronized (exitKinds) {
            return new EnumMap<>(exitKinds);
        }
    }

    /** Events a clean run does not have (an unexpected stop reason, exit or close reason, a relaunch, ...). */
    List<String> anomalies() {
        synchronized (anomalies) {
            return new ArrayList<>(anomalies);
        }
    }
}
