package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The heart of the engine: applies each room's inputs through the {@link RoomStateMachine}, stores the next
 * record, carries out the effects (slots from the {@link CapacityPool}, launches and stops through the {@link
 * AgentSupervisor}, events through the {@link Publisher}) and wakes the room at its next deadline. Inputs that
 * effects cause are queued and applied in turn by {@link #drain()}. Confined to the engine's thread.
 */
final class RoomLoop {
    private static final System.Logger LOG = LoggingListener.LOG;
    /** A room whose deadline is already due is re-examined at once, at most this often within one command. */
    private static final int MAX_IMMEDIATE_TICKS = 4;

    private record Delivery(String room, RoomInput input) {}

    private final AgentManagerConfig config;
    private final Clock clock;
    private final RoomStateMachine machine;
    private final Publisher publisher;
    private final BooleanSupplier running;
    private final Runnable afterDrain;
    final AgentSupervisor agents;
    final CapacityPool pool;
    final RoomWakes wakes;
    /** Open rooms, the ones users see. */
    final Map<String, RoomRecord> rooms = new HashMap<>();
    /** The remains of closed rooms, oldest first, kept for the replay window and at most {@code maxRooms}. */
    final Map<String, RoomRecord> closedRooms = new LinkedHashMap<>();
    private long closedRoomsForgottenEarly;
    private final ArrayDeque<Delivery> work = new ArrayDeque<>();
    private final Map<String, Integer> immediateTicks = new HashMap<>();
    private @Nullable String watched;
    private boolean watchedLaunched;

    /**
     * @param running whether the engine runs: closed rooms leave remains only while it does
     * @param afterDrain run after every {@link #drain()}, once the listeners have been told
     */
    RoomLoop(AgentManagerConfig config, Clock clock, RoomStateMachine machine, AgentLauncher launcher,
            SerialLoop loop, Publisher publisher, BooleanSupplier running, Runnable afterDrain) {
        this.config = config;
        this.clock = clock;
        this.machine = machine;
        this.publisher = publisher;
        this.running = running;
        this.afterDrain = afterDrain;
        this.pool = new CapacityPool(config.maxTotalAgents());
        this.wakes = new RoomWakes(clock, timer -> loop.submit(() -> wakeDueRooms(timer)));
        this.agents = new AgentSupervisor(config, launcher, loop, publisher, this);
    }

    /** Queues an input for {@code room}; applied by the next {@link #drain()}. */
    void deliver(String room, RoomInput input) {
        work.add(new Delivery(room, input));
    }

    /** Applies queued inputs until none is left, then tells the listeners. */
    void drain() {
        Delivery next;
        while ((next = work.poll()) != null) {
            step(next.room(), next.input());
        }
        immediateTicks.clear();
        publisher.flush();
        afterDrain.run();
    }

    /** {@link #drain()}, returning whether an agent was launched for {@code room} on the way. */
    boolean drainLaunches(String room) {
        watched = room;
        watchedLaunched = false;
        try {
            drain();
            return watchedLaunched;
        } finally {
            watched = null;
        }
    }

    /** Applies one input now (inputs its effects cause are queued). A state machine that throws changes nothing. */
    Transition step(String room, RoomInput input) {
        RoomRecord live = rooms.get(room);
        RoomRecord current = live != null ? live : closedRooms.get(room);
        Transition transition;
        try {
            transition = machine.apply(room, current, input, clock.nanoTime());
        } catch (RuntimeException bug) {
            LOG.log(Level.ERROR, "Room " + room + ": state machine failed on " + input + "; room left unchanged", bug);
            return new Transition(current, List.of());
        }
        RoomRecord next = transition.next();
        if (next != null && next.closed() && !running.getAsBoolean()) {
            next = null;
        }
        if (next == null) {
            rooms.remove(room);
            closedRooms.remove(room);
        } else if (next.closed()) {
            rooms.remove(room);
            rememberClosed(room, next);
        } else {
            rooms.put(room, next);
            closedRooms.remove(room);
        }
        for (RoomEffect effect : transition.effects()) {
            carryOut(room, effect);
        }
        if (live != null && (next == null || next.closed())) {
            forget(room);
        }
        rearm(room, next);
        return transition;
    }

    /** Keeps a closed room's remains; past {@code maxRooms} of them, the oldest is forgotten before its time. */
    private void rememberClosed(String room, RoomRecord remains) {
        closedRooms.put(room, remains);
        if (closedRooms.size() <= config.maxRooms()) {
            return;
        }
        Iterator<String> oldest = closedRooms.keySet().iterator();
        String forgotten = oldest.next();
        oldest.remove();
        wakes.clear(forgotten);
        closedRoomsForgottenEarly++;
        if (Long.bitCount(closedRoomsForgottenEarly) == 1) {
            LOG.log(Level.WARNING, "Room " + forgotten + ": forgotten before its replay window ended, since more"
                    + " than maxRooms (" + config.maxRooms() + ") rooms closed within it; "
                    + closedRoomsForgottenEarly + " so far");
        }
    }

    private void carryOut(String room, RoomEffect effect) {
        if (effect instanceof RoomEffect.Publish publish) {
            publisher.add(publish.event());
        } else if (effect instanceof RoomEffect.RequestSlot) {
            int position = pool.request(room);
            if (position == 0) {
                deliver(room, new RoomInput.SlotGranted());
            } else {
                publisher.add(new LifecycleEvent.CapacityQueued(room, position));
            }
        } else if (effect instanceof RoomEffect.ReleaseSlot) {
            releaseSlot(room);
        } else if (effect instanceof RoomEffect.LaunchAgent launch) {
            watchedLaunched |= room.equals(watched);
            agents.launch(room, launch.generation());
        } else if (effect instanceof RoomEffect.StopAgent stop) {
            agents.stop(room, stop.generation());
        }
    }

    /** Frees the slot {@code room} holds or waits for, granting it to the rooms next in line. */
    void releaseSlot(String room) {
        for (String granted : pool.release(room)) {
            deliver(granted, new RoomInput.SlotGranted());
        }
    }

    /** A removed room must hold nothing: no slot, no queue place. */
    private void forget(String room) {
        if (pool.holds(room) || pool.isWaiting(room)) {
            LOG.log(Level.WARNING, "Room " + room + ": removed while still holding an agent slot; releasing it");
            releaseSlot(room);
        }
    }

    /** Wakes {@code room} at its record's next deadline, at once (a few times) if it is already due. */
    private void rearm(String room, @Nullable RoomRecord record) {
        Long next = record == null ? null : record.nextDeadline();
        if (next == null) {
            wakes.clear(room);
            return;
        }
        long due = next;
        if (wakes.isSetTo(room, due)) {
            return;
        }
        if (!wakes.timerCovers(due) && due - clock.nanoTime() <= 0
                && immediateTicks.merge(room, 1, Integer::sum) <= MAX_IMMEDIATE_TICKS) {
            wakes.clear(room);
            deliver(room, new RoomInput.Tick());
            return;
        }
        wakes.set(room, due);
    }

    /** The clock timer of {@link #wakes} fired: wakes each room whose deadline has come, one at a time. */
    private void wakeDueRooms(long timer) {
        if (!wakes.timerFired(timer)) {
            return;
        }
        for (String room : wakes.takeDue(clock.nanoTime())) {
            deliver(room, new RoomInput.Tick());
            drain();
        }
        wakes.rescheduleTimer();
    }
}
