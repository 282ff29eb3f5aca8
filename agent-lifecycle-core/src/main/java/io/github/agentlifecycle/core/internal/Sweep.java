package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.MaintenanceReport;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.lang.System.Logger.Level;
import java.util.ArrayList;

/**
 * The periodic safety net: re-examines every room (re-arming a timer that is missing or overdue, which means it
 * was lost, and letting due deadlines act), stops agents that belong to no room, and drops capacity entries that no
 * room backs. Confined to the engine's thread.
 */
final class Sweep {
    private static final System.Logger LOG = LoggingListener.LOG;

    private final Clock clock;
    private final RoomLoop loop;
    private final Publisher publisher;

    Sweep(Clock clock, RoomLoop loop, Publisher publisher) {
        this.clock = clock;
        this.loop = loop;
        this.publisher = publisher;
    }

    /** Runs the sweep; {@code deadAgents} is what the health check that ran just before found, for the report. */
    MaintenanceReport run(int deadAgents) {
        int roomsBefore = loop.store.openRoomCount();
        long closingBefore = publisher.counters.roomsClosing;
        int repaired = repairWakes();
        int orphans = stopOrphans();
        releaseUnbackedSlots();
        loop.drain();
        int closing = (int) (publisher.counters.roomsClosing - closingBefore);
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "GC complete: " + loop.store.openRoomCount() + " rooms, " + loop.agents.all().size()
                    + " agents here, " + closing + " rooms closing");
        }
        return new MaintenanceReport(roomsBefore, repaired, orphans, deadAgents, closing);
    }

    /** Ticks every room, open or closed; returns how many had lost their wake-up. */
    private int repairWakes() {
        int repaired = 0;
        long now = clock.nanoTime();
        RoomWakes wakes = loop.wakes;
        wakes.replaceLostTimer(now);
        for (RoomRecord record : new ArrayList<>(loop.store.openRooms())) {
            String room = record.name();
            if (record.nextDeadline() != null && (!wakes.has(room) || wakes.isOverdue(room, now))) {
                repaired++;
                wakes.clear(room);
            }
            loop.deliver(room, new RoomInput.Tick());
        }
        for (String room : new ArrayList<>(loop.store.closedRooms())) {
            loop.deliver(room, new RoomInput.Tick());
        }
        loop.drain();
        return repaired;
    }

    /** Stops every agent its room no longer owns; returns how many. */
    private int stopOrphans() {
        int orphans = 0;
        for (LiveAgent agent : new ArrayList<>(loop.agents.all())) {
            RoomRecord record = loop.store.openRoom(agent.room);
            boolean owned = record != null && record.agent().generation() == agent.generation
                    && record.agent().state().holdsProcess();
            if (!owned && !agent.stopRequested) {
                orphans++;
                publisher.add(new LifecycleEvent.OrphanReaped(agent.room, agent.identity, agent.pid()));
                loop.agents.requestStop(agent);
            }
        }
        return orphans;
    }

    private void releaseUnbackedSlots() {
        loop.grant(loop.store.releaseUnbackedSlots());
    }
}
