package io.github.agentlifecycle.core.internal;

import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where the engine keeps its rooms, their agent slots and the event ids it has seen: in this JVM ({@link
 * MemoryRoomStore}), or in a store shared by the replicas of a backend ({@link SharedRooms}). Every change to a room
 * runs in one {@linkplain #inRoom transaction}, which sees and changes that room alone. Confined to the engine's
 * thread.
 */
interface RoomStore {

    /**
     * Runs {@code work} in one transaction on {@code room}; what it wrote is kept only if it returns normally.
     *
     * @param skipIfLocked whether to give up, returning null, when another replica is changing the room right now
     * @throws io.github.agentlifecycle.core.spi.SharedStoreUnavailableException if a shared store failed; nothing
     *     was changed
     */
    <T> @Nullable T inRoom(String room, boolean skipIfLocked, Function<Transaction, T> work);

    /** The records of the open rooms. */
    Collection<RoomRecord> openRooms();

    /** How many rooms are open. */
    int openRoomCount();

    /** The record of an open room, or null. */
    @Nullable RoomRecord openRoom(String room);

    /** The rooms closed but remembered for the replay window (only those this JVM keeps itself). */
    Collection<String> closedRooms();

    /**
     * Drops slot entries and queue places that no room's record backs, and returns the rooms granted a slot as a
     * result (a safety net; a shared store has its own, in the replica's maintenance).
     */
    List<String> releaseUnbackedSlots();

    /** Tells replica {@code host} that the agent it hosts in {@code room} must follow the room's record. */
    default void notifyHost(String host, String room) {}

    /** Forgets every room, slot and event id; for a manager that closed. */
    void clear();

    /** One transaction on one room. */
    interface Transaction {

        /** The room's record (open, or the remains of a closed room), or null. */
        @Nullable RoomRecord record();

        /** The other replica that holds the room's slot and hosts its agent, or null (always null in one JVM). */
        @Nullable String hostElsewhere();

        /** Stores the room's next record, or removes the room when null. */
        void put(@Nullable RoomRecord next);

        /** The first sighting of an event id, remembered until {@code until}; times are {@code nanoTime} readings. */
        EventIdMemory.Sighting sight(String eventId, long now, long until);

        /** Asks for an agent slot: 0 if granted (or held), else the place in the queue. */
        int requestSlot();

        /** Gives back the slot or the place in the queue; returns the rooms granted a slot as a result. */
        List<String> releaseSlot();

        /** Whether the room holds a slot or waits for one. */
        boolean holdsOrWaits();

        /** Makes this replica the room's host: its agent is launched here. */
        void hostHere();
    }
}
