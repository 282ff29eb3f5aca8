package io.github.agentlifecycle.core.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Room state shared by several replicas of a backend, so that any replica can serve any room: a token request
 * on one replica, the room's webhooks on others. Plugged in with {@code AgentManager.Builder#sharedStore}; without
 * one the manager keeps its state in memory. {@code agent-lifecycle-postgres} provides one on PostgreSQL.
 *
 * <p>The engine keeps one row per room. A row holds the engine's record of the room as opaque bytes (the store
 * never looks inside them) and the few columns the store itself works with: whether the room is open, when its
 * next deadline is due, which replica holds its agent slot (and so hosts its agent) and since when it waits for
 * one. Every change to a room runs in one {@linkplain #inRoom transaction} that holds the room's row lock, so
 * changes to one room are applied one at a time in some order on whichever replicas receive them, as they are in
 * one JVM.
 *
 * <p>Times are the replicas' {@link Clock#instant()} readings, so replicas need clocks kept in step (NTP) to within
 * a small fraction of the lease time.
 *
 * <p>Implementations must be thread-safe. Every method answers within a bounded time: when the store cannot be
 * reached or does not answer in time it throws {@link SharedStoreUnavailableException}, and a transaction that
 * throws changes nothing, with one exception no database can rule out: a connection lost while committing leaves
 * the outcome unknown. The engine then carries out no effect of that transaction; its safety nets (start-up timeout,
 * convergence of hosted agents, the deadline poll) repair a change that did commit.
 *
 * <p>A room's lock may be shared with other rooms (a lock keyed by a hash), so that they take turns and
 * {@code skipIfLocked} may skip a room nobody is changing; the engine tries such rooms again on its next poll.
 */
public interface SharedRoomStore {

    /**
     * Called once by {@code AgentManager.start()}, before anything else: prepares the store (for example creates or
     * checks its schema) and records this replica's lease until {@code leaseUntil}.
     *
     * @param replicaId this replica's id, unique in the cluster
     * @param onNotified called, on a thread of the store's, with a room's name when another replica {@linkplain
     *     #notifyReplica notified} this one about it
     * @throws IllegalStateException if the store cannot be used by this version of the library (for example its
     *     schema is newer); the message says why in one line
     */
    void open(String replicaId, Instant leaseUntil, Consumer<String> onNotified);

    /**
     * Runs {@code work} in one transaction holding {@code room}'s row lock, and commits what it wrote.
     *
     * @param skipIfLocked whether to give up at once (returning null, running nothing) when another transaction
     *     holds the row, rather than wait for it
     * @return what {@code work} returned, or null when skipped
     */
    <T> @Nullable T inRoom(String room, boolean skipIfLocked, Function<RoomTransaction, T> work);

    /** The rows of every open room. */
    List<RoomRow> openRooms();

    /** How many rooms are open. */
    default int openRoomCount() {
        return openRooms().size();
    }

    /** The names of up to {@code limit} rooms whose deadline is due at {@code now}, the most overdue first. */
    List<String> dueRooms(Instant now, int limit);

    /** The names of the rooms whose slot is held by {@code replicaId}. */
    List<String> roomsHostedBy(String replicaId);

    /** The names of up to {@code limit} rooms waiting for an agent slot, the longest waiting first. */
    List<String> queuedRooms(int limit);

    /**
     * Extends this replica's lease until {@code leaseUntil}, publishes its counters (see {@link #clusterCounters()}),
     * forgets event ids no longer remembered at {@code now}, and returns the ids of the replicas that hold a slot
     * but whose lease ended before {@code now}: their agents are gone with them.
     *
     * @param counters this replica's counters by name, totals since it started
     */
    List<String> renewLease(Instant now, Instant leaseUntil, Map<String, Long> counters);

    /** The sums, by name, of the counters every replica (live or not) published last. */
    Map<String, Long> clusterCounters();

    /** Tells {@code replicaId} (soon, best effort) that {@code room} changed in a way its agent must follow. */
    void notifyReplica(String replicaId, String room);

    /**
     * The most agents one replica may host at once, when the store caps them per replica ({@link Integer#MAX_VALUE},
     * the default, when it does not). Tells launchers how many processes the host may run.
     */
    default int maxAgentsPerReplica() {
        return Integer.MAX_VALUE;
    }

    /** Called once when the manager has closed: ends this replica's lease and releases connections. */
    void close();

    /** One room's row, as stored. */
    record RoomRow(String name, byte[] state, boolean open, @Nullable Instant dueAt, @Nullable String host,
            @Nullable Instant queuedSince) {}

    /** One transaction on one room's row; valid only inside {@link #inRoom}. Not thread-safe. */
    interface RoomTransaction {

        /** The room's row, or null when there is none. */
        @Nullable RoomRow row();

        /** Writes the room's state and due time, keeping its slot columns; creates the row if needed. */
        void write(byte[] state, boolean open, @Nullable Instant dueAt);

        /** Deletes the room's row (its slot and its place in the queue go with it). */
        void delete();

        /**
         * Records the first sighting of an event id, to be remembered until {@code keepUntil}.
         *
         * @return true if the id was not remembered at {@code now} (first sighting), false for a repeat
         */
        boolean firstSighting(String eventId, Instant now, Instant keepUntil);

        /**
         * Asks for one of {@code maxTotal} agent slots for this room, held by this replica.
         *
         * @return 0 if granted now (or already held), else the room's place in the queue (1 = next)
         */
        int requestSlot(int maxTotal, Instant now);

        /**
         * Gives back this room's slot, or withdraws its place in the queue, and grants freed slots to the rooms
         * waiting longest, held by this replica.
         *
         * @return the rooms granted a slot as a result, in queue order
         */
        List<String> releaseSlot(int maxTotal);

        /** Makes this replica the one that holds the room's slot (its agent is launched here). */
        void hostHere();
    }
}
