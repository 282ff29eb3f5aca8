package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The heart of the engine: applies each room's inputs through the {@link RoomStateMachine} in one transaction of
 * the {@link RoomStore} (which also grants agent slots and remembers event ids), then carries out the effects
 * (launches and stops through the {@link AgentSupervisor}, events through the {@link Publisher}) and wakes the room
 * at its next deadline. Nothing is carried out before its transaction committed. Inputs that effects cause are
 * queued and applied in turn by {@link #drain()}. Confined to the engine's thread.
 */
final class RoomLoop {
    private static final System.Logger LOG = LoggingListener.LOG;
    /** A room whose deadline is already due is re-examined at once, at most this often within one command. */
    private static final int MAX_IMMEDIATE_TICKS = 4;

    /** What to apply to a room, chosen in its transaction; null for nothing. */
    @FunctionalInterface
    interface Input {
        @Nullable RoomInput in(RoomStore.Transaction room);
    }

    /** An event id to sight in the same transaction as the event, remembered until {@code until}. */
    record EventId(String id, long until) {}

    /**
     * What one step did.
     *
     * @param transition the transition, or null when nothing was applied (no input, a repeated event id, or a state
     *     machine that failed)
     * @param sighting the event id's sighting, or null when none was given
     */
    record Step(@Nullable Transition transition, EventIdMemory.@Nullable Sighting sighting) {}

    private record Delivery(String room, RoomInput input) {}

    /**
     * What a committed transaction leaves to carry out.
     *
     * @param queuePlaces for each slot request in order: its place in the queue, 0 if granted and applied at once,
     *     -1 if granted but left to a later input
     */
    private record Committed(Step step, @Nullable RoomRecord next, List<Integer> queuePlaces, List<String> granted,
            @Nullable String hostElsewhere) {}

    private final Clock clock;
    private final RoomStateMachine machine;
    private final Publisher publisher;
    private final BooleanSupplier running;
    private final Runnable afterDrain;
    final RoomStore store;
    final AgentSupervisor agents;
    final RoomWakes wakes;
    private final ArrayDeque<Delivery> work = new ArrayDeque<>();
    private final Map<String, Integer> immediateTicks = new HashMap<>();
    private long storeFailures;
    private @Nullable String watched;
    private boolean watchedLaunched;

    /**
     * @param store where rooms are kept; null for this JVM's memory
     * @param running whether closed rooms leave remains: while the engine runs, or always when rooms are shared
     * @param afterDrain run after every {@link #drain()}, once the listeners have been told
     */
    RoomLoop(AgentManagerConfig config, Clock clock, RoomStateMachine machine, AgentLauncher launcher,
            SerialLoop loop, Publisher publisher, @Nullable RoomStore store, BooleanSupplier running,
            Runnable afterDrain) {
        this.clock = clock;
        this.machine = machine;
        this.publisher = publisher;
        this.running = running;
        this.afterDrain = afterDrain;
        this.wakes = new RoomWakes(clock, timer -> loop.submit(() -> wakeDueRooms(timer)));
        this.store = store != null ? store
                : new MemoryRoomStore(config.maxRooms(), config.maxTotalAgents(), config.eventIdMemory(), wakes::clear);
        this.agents = new AgentSupervisor(config, launcher, loop, publisher, this);
    }

    /** Queues an input for {@code room}; applied by the next {@link #drain()}. */
    void deliver(String room, RoomInput input) {
        work.add(new Delivery(room, input));
    }

    /**
     * Applies queued inputs until none is left, then tells the listeners. When a shared store fails, the inputs
     * left are dropped: the replica's maintenance repairs what they would have done.
     */
    void drain() {
        Delivery next;
        while ((next = work.poll()) != null) {
            RoomInput input = next.input();
            try {
                step(next.room(), room -> input, null, false);
            } catch (SharedStoreUnavailableException e) {
                storeFailures++;
                if (Long.bitCount(storeFailures) == 1) {
                    LOG.log(Level.WARNING, "Room " + next.room() + ": " + input + " not applied, and " + work.size()
                            + " more inputs dropped: " + e.getMessage() + " (" + storeFailures + " times so far)");
                }
                work.clear();
            }
        }
        immediateTicks.clear();
        publisher.flush();
        afterDrain.run();
    }

    /** Starts noting whether an agent is launched for {@code room} (null stops): see {@link #launchedWatched()}. */
    void watch(@Nullable String room) {
        watched = room;
        watchedLaunched = false;
    }

    /** Whether an agent was launched for the watched room since {@link #watch} was called. */
    boolean launchedWatched() {
        return watchedLaunched;
    }

    /**
     * Applies the input {@code input} chooses, in one transaction with the sighting of {@code eventId} (a repeated
     * id applies nothing), then carries out the effects.
     *
     * @return what was done, or null when skipped because another replica was changing the room
     * @throws SharedStoreUnavailableException if the shared store failed: nothing was applied
     */
    @Nullable Step step(String room, Input input, @Nullable EventId eventId, boolean skipIfLocked) {
        long now = clock.nanoTime();
        Committed done = store.inRoom(room, skipIfLocked, tx -> apply(room, tx, input, eventId, now));
        if (done == null) {
            return null;
        }
        Transition transition = done.step().transition();
        if (transition != null) {
            carryOut(room, transition.effects(), done);
            rearm(room, done.next());
        }
        return done.step();
    }

    private Committed apply(String room, RoomStore.Transaction tx, Input input, @Nullable EventId eventId, long now) {
        RoomInput in = input.in(tx);
        if (in == null) {
            return new Committed(new Step(null, null), null, List.of(), List.of(), null);
        }
        EventIdMemory.Sighting sighting = null;
        if (eventId != null) {
            sighting = tx.sight(eventId.id(), now, eventId.until());
            if (sighting != EventIdMemory.Sighting.FIRST) {
                return new Committed(new Step(null, sighting), null, List.of(), List.of(), null);
            }
        }
        RoomRecord current = tx.record();
        Transition transition;
        try {
            transition = machine.apply(room, current, in, now);
        } catch (RuntimeException bug) {
            LOG.log(Level.ERROR, "Room " + room + ": state machine failed on " + in + "; room left unchanged", bug);
            return new Committed(new Step(null, sighting), current, List.of(), List.of(), null);
        }
        RoomRecord next = transition.next();
        List<RoomEffect> effects = new ArrayList<>(transition.effects());
        List<Integer> queuePlaces = new ArrayList<>(1);
        List<String> granted = new ArrayList<>(0);
        for (int i = 0; i < effects.size(); i++) {
            RoomEffect effect = effects.get(i);
            if (effect instanceof RoomEffect.RequestSlot) {
                int place = tx.requestSlot();
                Transition grant = place == 0 ? grantNow(room, next, now) : null;
                if (grant != null) {
                    next = grant.next();
                    effects.addAll(grant.effects());
                }
                queuePlaces.add(place == 0 && grant == null ? -1 : place);
            } else if (effect instanceof RoomEffect.ReleaseSlot) {
                granted.addAll(tx.releaseSlot());
            } else if (effect instanceof RoomEffect.LaunchAgent) {
                tx.hostHere();
            }
        }
        if (next != null && next.closed() && !running.getAsBoolean()) {
            next = null;
        }
        boolean wasOpen = current != null && !current.closed();
        if (wasOpen && (next == null || next.closed()) && tx.holdsOrWaits()) {
            LOG.log(Level.WARNING, "Room " + room + ": removed while still holding an agent slot; releasing it");
            granted.addAll(tx.releaseSlot());
        }
        tx.put(next);
        Transition done = new Transition(next, effects, transition.ignored());
        return new Committed(new Step(done, sighting), next, queuePlaces, granted, tx.hostElsewhere());
    }

    /**
     * Applies the slot the room was just granted in the same transaction as its request, so that no other replica
     * sees the room holding a slot while its record still waits for one; null if the state machine failed.
     */
    private @Nullable Transition grantNow(String room, @Nullable RoomRecord record, long now) {
        try {
            return machine.apply(room, record, new RoomInput.SlotGranted(), now);
        } catch (RuntimeException bug) {
            LOG.log(Level.ERROR, "Room " + room + ": state machine failed on the slot it was granted", bug);
            return null;
        }
    }

    private void carryOut(String room, List<RoomEffect> effects, Committed done) {
        int places = 0;
        for (RoomEffect effect : effects) {
            if (effect instanceof RoomEffect.Publish publish) {
                publisher.add(publish.event());
            } else if (effect instanceof RoomEffect.RequestSlot) {
                int position = done.queuePlaces().get(places++);
                if (position < 0) {
                    deliver(room, new RoomInput.SlotGranted());
                } else if (position > 0) {
                    publisher.add(new LifecycleEvent.CapacityQueued(room, position));
                }
            } else if (effect instanceof RoomEffect.LaunchAgent launch) {
                watchedLaunched |= room.equals(watched);
                agents.launch(room, launch.generation());
            } else if (effect instanceof RoomEffect.StopAgent stop) {
                String host = done.hostElsewhere();
                if (host == null) {
                    agents.stop(room, stop.generation());
                } else {
                    store.notifyHost(host, room);
                }
            }
        }
        grant(done.granted());
    }

    /** Tells each of {@code rooms} that it was granted the slot it waited for. */
    void grant(List<String> rooms) {
        for (String granted : rooms) {
            deliver(granted, new RoomInput.SlotGranted());
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
