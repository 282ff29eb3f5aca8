package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.Clock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A drain under way: its deadline, whether it is done, and the progress it logs. A drain is done when this engine
 * runs no agent and, with rooms in this JVM, no room waits for one (queued, or restarting after a crash); with shared
 * state the other replicas keep the rooms, and remote agents (not host-bound) are left for them to adopt at once.
 * Confined to the engine's thread.
 */
final class DrainProgress {
    private static final System.Logger LOG = LoggingListener.LOG;

    private final Clock clock;
    private final RoomLoop rooms;
    private final boolean shared;
    private Clock.@Nullable Timer timer;
    private long deadline;
    private int lastAgents = -1;
    private boolean begun;

    DrainProgress(Clock clock, RoomLoop rooms, boolean shared) {
        this.clock = clock;
        this.rooms = rooms;
        this.shared = shared;
    }

    /** Starts the drain; {@code onTimeout} runs once {@code timeout} has passed unless {@link #cancel()} ran first. */
    void begin(Duration timeout, int agents, Runnable onTimeout) {
        long nanos = Require.nanos(timeout);
        begun = true;
        deadline = clock.nanoTime() + nanos;
        lastAgents = agents;
        LOG.log(Level.INFO, "Draining: taking no new rooms" + (shared ? " (other replicas start their agents)" : "")
                + "; " + left(agents) + "; whatever is left in " + Engine.seconds(timeout) + " is stopped");
        timer = clock.schedule(nanos, onTimeout);
    }

    boolean begun() {
        return begun;
    }

    /** Whether the drain is done; logs the agents left when their number changed. */
    boolean done(int agents, boolean hostBound) {
        if (shared && !hostBound) {
            LOG.log(Level.INFO, "Drained: the " + agents + " remote agents keep running; other replicas adopt them");
            return true;
        }
        boolean done = agents == 0 && (shared || noRoomWaitsForAnAgent());
        if (done) {
            LOG.log(Level.INFO, "Drained: no agent left");
        } else if (agents != lastAgents) {
            LOG.log(Level.INFO, "Draining: " + left(agents) + ", " + remaining() + " left to wait");
        }
        lastAgents = agents;
        return done;
    }

    /** The drain timed out: logs what is left, which is then stopped. */
    void timedOut(int agents) {
        timer = null;
        LOG.log(Level.WARNING, "Drain timed out: stopping what is left: " + left(agents));
    }

    void cancel() {
        Clock.Timer pending = timer;
        timer = null;
        if (pending != null) {
            pending.cancel();
        }
    }

    private String left(int agents) {
        return shared ? agents + " agents" : agents + " agents in " + rooms.store.openRoomCount() + " rooms";
    }

    private String remaining() {
        return Engine.seconds(Duration.ofNanos(Math.max(0, deadline - clock.nanoTime())));
    }

    private boolean noRoomWaitsForAnAgent() {
        for (RoomRecord room : rooms.store.openRooms()) {
            AgentState state = room.agent().state();
            if (state != AgentState.NONE && state != AgentState.FAILED) {
                return false;
            }
        }
        return true;
    }
}
