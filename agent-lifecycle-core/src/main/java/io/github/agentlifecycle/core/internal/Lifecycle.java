package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.ManagerState;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.Clock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The engine's life after start: its {@link ManagerState}, the drain (no new rooms, the rooms it serves to their
 * end, then close, or close at the timeout) and the close (host-bound agents stopped, remote ones left running).
 * Moves between states take one lock; the move to draining is made on the caller's thread, so that readiness turns
 * the moment a drain is asked for, every other move on the engine's loop.
 */
final class Lifecycle {
    private static final System.Logger LOG = LoggingListener.LOG;

    private final AgentManagerConfig config;
    private final Clock clock;
    private final AgentLauncher launcher;
    private final SerialLoop loop;
    private final RoomLoop rooms;
    private final AgentSupervisor agents;
    private final @Nullable ReplicaDuties replica;
    private final PeriodicWork periodic;
    private final @Nullable Runnable onClosed;
    private final DrainProgress drain;
    private final Object phaseLock = new Object();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile ManagerState phase = ManagerState.NEW;
    private Clock.@Nullable Timer shutdownTimer;

    Lifecycle(AgentManagerConfig config, Clock clock, AgentLauncher launcher, SerialLoop loop, RoomLoop rooms,
            @Nullable ReplicaDuties replica, PeriodicWork periodic, @Nullable Runnable onClosed) {
        this.config = config;
        this.clock = clock;
        this.launcher = launcher;
        this.loop = loop;
        this.rooms = rooms;
        this.agents = rooms.agents;
        this.replica = replica;
        this.periodic = periodic;
        this.onClosed = onClosed;
        this.drain = new DrainProgress(clock, rooms, replica != null);
    }

    ManagerState state() {
        return phase;
    }

    /** Whether rooms' inputs are applied: running or draining. */
    boolean serving() {
        return phase.serving();
    }

    /** The engine's loop has started: it runs now (unless it was closed meanwhile). */
    void started() {
        moveTo(ManagerState.RUNNING, ManagerState.NEW);
    }

    /**
     * Stops taking new rooms and lets the rooms it serves end normally; closes once they have (with shared state:
     * once this replica hosts no agent), or at {@code timeout} at the latest. Completes when closed.
     */
    CompletionStage<Void> drain(Duration timeout) {
        Require.nonNegative(timeout, "timeout");
        if (moveTo(ManagerState.DRAINING, ManagerState.RUNNING)) {
            if (replica != null) {
                replica.drain();
            }
            loop.submit(() -> {
                if (phase != ManagerState.DRAINING) {
                    return;
                }
                drainLauncher();
                drain.begin(timeout, agents.all().size(), () -> loop.submit(() -> {
                    if (phase == ManagerState.DRAINING) {
                        drain.timedOut(agents.all().size());
                        beginClose();
                    }
                }));
                afterDrain();
            });
        } else {
            loop.submit(this::closeIfNew);
        }
        return closed.thenApply(ignored -> null);
    }

    /** Moves to {@code next} if the phase is one of {@code from}. */
    private boolean moveTo(ManagerState next, ManagerState... from) {
        synchronized (phaseLock) {
            for (ManagerState state : from) {
                if (phase == state) {
                    phase = next;
                    return true;
                }
            }
            return false;
        }
    }

    /** Closes: see {@link io.github.agentlifecycle.core.AgentManager#closeAsync()}. Completes once closed. */
    CompletionStage<Void> close() {
        loop.submit(() -> {
            if (phase.serving()) {
                beginClose();
            } else {
                closeIfNew();
            }
        });
        return closed.thenApply(ignored -> null);
    }

    /** A manager that never started closes at once: it has nothing to stop. */
    private void closeIfNew() {
        if (moveTo(ManagerState.CLOSING, ManagerState.NEW)) {
            finishClose();
        }
    }

    private void beginClose() {
        moveTo(ManagerState.CLOSING, ManagerState.RUNNING, ManagerState.DRAINING);
        drain.cancel();
        periodic.cancelAll();
        drainLauncher();
        if (replica != null) {
            replica.leave();
        } else if (!launcher.hostBound()) {
            LOG.log(Level.INFO, "Stopping agent manager: its " + agents.all().size() + " remote agents keep running"
                    + " in their rooms; the next start adopts them");
        } else {
            LOG.log(Level.INFO, "Stopping agent manager: closing " + rooms.store.openRoomCount() + " rooms");
            for (RoomRecord room : new ArrayList<>(rooms.store.openRooms())) {
                rooms.deliver(room.name(), new RoomInput.CloseRequested(CloseReason.SHUTDOWN));
            }
            rooms.drain();
        }
        closeWhenAgentsGone();
        if (phase == ManagerState.CLOSING) {
            long wait = Require.nanos(config.agentStopTimeout()) + Duration.ofSeconds(1).toNanos();
            shutdownTimer = clock.schedule(wait, () -> loop.submit(this::finishClose));
        }
    }

    private void drainLauncher() {
        try {
            launcher.drain();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "launcher failed to drain", e);
        }
    }

    /** After every batch of inputs: a drain that is done closes the manager; a closing one may be done. */
    void afterDrain() {
        if (phase == ManagerState.DRAINING && drain.begun() && drain.done(agents.all().size(), launcher.hostBound())) {
            beginClose();
        }
        closeWhenAgentsGone();
    }

    private void closeWhenAgentsGone() {
        if (phase == ManagerState.CLOSING && (agents.isEmpty() || !launcher.hostBound())) {
            finishClose();
        }
    }

    private void finishClose() {
        if (phase == ManagerState.CLOSED) {
            return;
        }
        moveTo(ManagerState.CLOSED, ManagerState.CLOSING);
        cancel(shutdownTimer);
        periodic.cancelAll();
        rooms.wakes.clearAll();
        agents.closeLauncher();
        if (replica != null) {
            replica.close();
        }
        LOG.log(Level.INFO, "Agent manager stopped");
        closed.complete(null);
        if (onClosed != null) {
            onClosed.run();
        }
    }

    private static void cancel(Clock.@Nullable Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
