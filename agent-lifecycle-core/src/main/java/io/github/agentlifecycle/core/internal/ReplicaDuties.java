package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.ReplicaConfig;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.SharedRoomStore;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What a replica does for the cluster besides applying inputs: keeps its lease; fires deadlines that other
 * replicas set (dead ones too); takes over the rooms of replicas whose lease ended (their process agents count as
 * lost and are restarted here; remote agents are adopted); converges the agents it hosts to the rooms' records
 * (stopping those a record no longer wants, reporting those that vanished); grants slots to rooms that wait for one.
 * When it cannot renew its lease for most of a lease, it stops its own agents, since other replicas start new ones
 * when the lease ends.
 * Confined to the engine's thread.
 */
final class ReplicaDuties {
    private static final System.Logger LOG = LoggingListener.LOG;
    private static final int BATCH = 100;

    private final SharedRooms rooms;
    private final SharedRoomStore store;
    private final RoomLoop loop;
    private final Clock clock;
    private final Counters counters;
    private final ReplicaConfig config;
    private final boolean hostBound;
    private long lastRenewed;
    private boolean fenced;

    ReplicaDuties(SharedRooms rooms, RoomLoop loop, Clock clock, Counters counters, ReplicaConfig config,
            boolean hostBound) {
        this.rooms = rooms;
        this.store = rooms.store;
        this.loop = loop;
        this.clock = clock;
        this.counters = counters;
        this.config = config;
        this.hostBound = hostBound;
    }

    /** Opens the store and takes this replica's lease; {@code onNotified} gets rooms other replicas point at. */
    void open(Consumer<String> onNotified) {
        lastRenewed = clock.nanoTime();
        store.open(rooms.replicaId, SharedRooms.instant(lastRenewed + leaseNanos(), rooms.toEpoch()), onNotified);
    }

    long renewIntervalNanos() {
        return leaseNanos() / 5;
    }

    /**
     * How long a replica that cannot renew its lease keeps its agents: three fifths of the lease, so that they have
     * stopped, or nearly, when other replicas take their rooms over at the lease's end.
     */
    private long fenceAfterNanos() {
        return leaseNanos() / 5 * 3;
    }

    private long leaseNanos() {
        return Require.nanos(config.lease());
    }

    /** Ticks the rooms whose deadlines are due, whoever set them. */
    void fireDueDeadlines() {
        long toEpoch = rooms.toEpoch();
        for (String room : store.dueRooms(SharedRooms.instant(clock.nanoTime(), toEpoch), BATCH)) {
            loop.step(room, tx -> new RoomInput.Tick(), null, true);
            loop.drain();
        }
    }

    /** Gives free slots to rooms that wait for one, longest waiting first; none while this replica drains. */
    void grantQueuedRooms() {
        if (rooms.draining()) {
            return;
        }
        for (String room : store.queuedRooms(BATCH)) {
            loop.step(room, tx -> tx.requestSlot() == 0 ? new RoomInput.SlotGranted() : null, null, true);
            loop.drain();
        }
    }

    /**
     * Renews the lease, then takes over the rooms of dead replicas and converges this replica's agents. A store
     * that fails for a whole lease makes this replica stop its agents.
     */
    void renew() {
        long now = clock.nanoTime();
        long toEpoch = rooms.toEpoch();
        List<String> dead;
        try {
            dead = store.renewLease(SharedRooms.instant(now, toEpoch), SharedRooms.instant(now + leaseNanos(), toEpoch),
                    counters.asMap());
        } catch (SharedStoreUnavailableException e) {
            if (!fenced && now - lastRenewed >= fenceAfterNanos()) {
                fence(e);
            }
            throw e;
        }
        lastRenewed = now;
        if (fenced) {
            fenced = false;
            LOG.log(Level.INFO, "Replica " + rooms.replicaId + ": lease renewed again; taking rooms again");
        }
        for (String replica : rooms.draining() ? List.<String>of() : dead) {
            for (String room : store.roomsHostedBy(replica)) {
                takeOver(room, replica);
            }
        }
        convergeHostedRooms();
        convergeLocalAgents();
    }

    boolean fenced() {
        return fenced;
    }

    private void fence(SharedStoreUnavailableException cause) {
        fenced = true;
        if (!hostBound) {
            LOG.log(Level.WARNING, "Replica " + rooms.replicaId + ": lease not renewed (" + cause.getMessage()
                    + "); its remote agents keep running and other replicas adopt them when the lease ends");
            return;
        }
        List<LiveAgent> local = new ArrayList<>(loop.agents.all());
        LOG.log(Level.ERROR, "Replica " + rooms.replicaId + ": lease not renewed for "
                + (clock.nanoTime() - lastRenewed) / 1_000_000 + " ms (" + cause.getMessage() + "); stopping its "
                + local.size() + " agents, since other replicas start new ones when the lease ends");
        for (LiveAgent agent : local) {
            if (!agent.stopRequested) {
                loop.agents.requestStop(agent);
            }
        }
    }

    /** A dead replica hosted {@code room}'s agent: it is lost (a remote one is adopted), and this replica hosts now. */
    private void takeOver(String room, String deadReplica) {
        loop.step(room, tx -> {
            if (!deadReplica.equals(tx.hostElsewhere())) {
                return null;
            }
            tx.hostHere();
            RoomRecord record = tx.record();
            if (record == null) {
                return null;
            }
            LOG.log(Level.WARNING, "Room " + room + ": replica " + deadReplica + " stopped renewing its lease;"
                    + " replica " + rooms.replicaId + " takes the room over");
            AgentRecord agent = record.agent();
            if (agent.state() == AgentState.QUEUED) {
                return new RoomInput.SlotGranted();
            }
            if (hostBound && agent.state().holdsProcess()) {
                return new RoomInput.AgentExited(agent.generation(),
                        AgentExit.lost(agent.state() == AgentState.STOPPING,
                                "its host replica " + deadReplica + " stopped renewing its lease"));
            }
            return null;
        }, null, true);
        loop.drain();
    }

    /**
     * Rooms hosted here whose record says an agent runs that does not (its exit was not applied), or waits. A remote
     * agent without a handle here (taken over from a dead replica, or left by this replica's previous run) is
     * adopted: launched again through the launcher, which attaches to the running agent instead of starting one.
     */
    private void convergeHostedRooms() {
        for (String room : store.roomsHostedBy(rooms.replicaId)) {
            int[] adopt = {-1};
            loop.step(room, tx -> {
                RoomRecord record = tx.record();
                if (record == null || tx.hostElsewhere() != null) {
                    return null;
                }
                AgentRecord agent = record.agent();
                LiveAgent live = loop.agents.get(room);
                if (agent.state() == AgentState.QUEUED) {
                    return new RoomInput.SlotGranted();
                }
                boolean here = live != null && live.generation == agent.generation();
                if (hostBound && agent.state().holdsProcess() && !here) {
                    return new RoomInput.AgentExited(agent.generation(), AgentExit.lost(
                            agent.state() == AgentState.STOPPING, "not running on its host replica"));
                }
                if (!hostBound && agent.state() == AgentState.STOPPING && !here) {
                    LOG.log(Level.WARNING, "Room " + room + ": agent " + agent.identity() + " was being stopped by"
                            + " another replica, which alone could stop it; it leaves when its dispatch ends");
                    return new RoomInput.AgentExited(agent.generation(), AgentExit.lost(true,
                            "remote agent whose stop was under way on another replica"));
                }
                if (!hostBound && agent.state().holdsProcess() && live == null) {
                    adopt[0] = agent.generation();
                }
                return null;
            }, null, true);
            if (adopt[0] >= 0) {
                LOG.log(Level.INFO, "Room " + room + ": adopting its remote agent on replica " + rooms.replicaId);
                loop.agents.launch(room, adopt[0]);
            }
            loop.drain();
        }
    }

    /** Stops each local agent its room's record no longer wants here. */
    void convergeLocalAgents() {
        Set<String> local = new LinkedHashSet<>();
        for (LiveAgent agent : loop.agents.all()) {
            local.add(agent.room);
        }
        for (String room : local) {
            converge(room);
        }
    }

    /** Stops the local agent of {@code room} if its record no longer wants it to run here, or wants it stopped. */
    void converge(String room) {
        LiveAgent agent = loop.agents.get(room);
        if (agent == null || agent.stopRequested) {
            return;
        }
        Boolean wanted = rooms.inRoom(room, false, tx -> {
            RoomRecord record = tx.record();
            if (record == null || record.closed() || tx.hostElsewhere() != null) {
                return false;
            }
            AgentRecord wants = record.agent();
            return wants.generation() == agent.generation && wants.state().holdsProcess()
                    && wants.state() != AgentState.STOPPING;
        });
        if (Boolean.FALSE.equals(wanted) && !agent.stopRequested) {
            LOG.log(Level.INFO, "Room " + room + ": agent " + agent.identity + " stopped, as its room's record"
                    + " no longer wants it on replica " + rooms.replicaId);
            loop.agents.requestStop(agent);
        }
    }

    /** The cluster's counters, as every replica last published them; null when the store keeps none. */
    @Nullable Map<String, Long> clusterCounters() {
        Map<String, Long> sums = store.clusterCounters();
        return sums.isEmpty() ? null : sums;
    }

    /**
     * Takes no new rooms' agents and no dead replica's rooms from now on: the other replicas do. Any thread may call
     * it.
     */
    void drain() {
        rooms.drain();
    }

    /**
     * Leaves the rooms to the other replicas as this one closes: hands each room with a host-bound agent over (its
     * agent stops, then the room waits for another replica to start the next one; if the store cannot record that, the
     * agent is stopped all the same and the other replicas restart it once this replica's lease has ended); leaves
     * remote agents running for the other replicas to adopt.
     */
    void leave() {
        rooms.drain();
        List<LiveAgent> local = new ArrayList<>(loop.agents.all());
        if (!hostBound) {
            LOG.log(Level.INFO, "Stopping agent manager: its " + local.size() + " remote agents keep running;"
                    + " other replicas adopt them");
            return;
        }
        LOG.log(Level.INFO, "Stopping agent manager: handing the rooms of the " + local.size() + " agents of replica "
                + rooms.replicaId + " to the other replicas");
        for (LiveAgent agent : local) {
            try {
                loop.step(agent.room, tx -> tx.hostElsewhere() == null ? new RoomInput.HandOver() : null, null, false);
            } catch (SharedStoreUnavailableException e) {
                LOG.log(Level.WARNING, "Room " + agent.room + ": not handed over (" + e.getMessage() + "); its agent"
                        + " is stopped and restarted elsewhere when this replica's lease ends");
            }
            if (!agent.stopRequested) {
                loop.agents.requestStop(agent);
            }
        }
        loop.drain();
    }

    /** Ends the lease: other replicas take this one's rooms over at once. */
    void close() {
        try {
            store.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "shared store failed to close", e);
        }
    }
}
