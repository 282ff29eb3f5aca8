package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.MaintenanceReport;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        int roomsBefore = loop.rooms.size();
        long closingBefore = publisher.counters.roomsClosing;
        int repaired = repairWakes();
        int orphans = stopOrphans();
        releaseUnbackedSlots();
        loop.drain();
        int closing = (int) (publisher.counters.roomsClosing - closingBefore);
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "GC complete: " + loop.rooms.size() + " rooms, " + loop.pool.held() + " agents, "
                    + closing + " rooms closing");
        }
        return new MaintenanceReport(roomsBefore, repaired, orphans, deadAgents, closing);
    }

    /** Ticks every room, open or closed; returns how many had lost their wake-up. */
    private int repairWakes() {
        int repaired = 0;
        long now = clock.nanoTime();
        RoomWakes wakes = loop.wakes;
        wakes.replaceLostTimer(now);
        for (Map.Entry<String, RoomRecord> entry : new ArrayList<>(loop.rooms.entrySet())) {
            String room = entry.getKey();
            if (entry.getValue().nextDeadline() != null && (!wakes.has(room) || wakes.isOverdue(room, now))) {
                repaired++;
                wakes.clear(room);
            }
            loop.deliver(room, new RoomInput.Tick());
        }
        for (String room : new ArrayList<>(loop.closedRooms.keySet())) {
            loop.deliver(room, new RoomInput.Tick());
        }
        loop.drain();
        return repaired;
    }

    /** Stops every agent its room no longer owns; returns how many. */
    private int stopOrphans() {
        int orphans = 0;
        for (LiveAgent agent : new ArrayList<>(loop.agents.all())) {
            RoomRecord record = loop.rooms.get(agent.room);
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
        Set<String> backed = new HashSet<>();
        for (RoomRecord record : loop.rooms.values()) {
            if (record.agent().holdsSlot() || record.agent().state() == AgentState.QUEUED) {
                backed.add(record.name());
            }
        }
        List<String> stale = new ArrayList<>(loop.pool.holders());
        stale.addAll(loop.pool.waiters());
        for (String room : stale) {
            if (!backed.contains(room)) {
                LOG.log(Level.WARNING, "Room " + room + ": agent slot held by no room record; released");
                loop.releaseSlot(room);
            }
        }
    }
}
