package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.internal.EventIdMemory;
import io.github.agentlifecycle.core.internal.RecentSessions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The least work an engine that keeps the lifecycle invariants must do for the join/leave traffic of
 * {@link EngineApplyBenchmark}, done with the engine's own data structures and nothing else: read the clock (a leave
 * sets the grace deadline, every event the room's last activity), drop an event id seen before
 * ({@link EventIdMemory}, each id looked up, added and dropped as by an engine with no replay window), find the room by name, check a join
 * against the sessions that already left the room and remember a leaving session ({@link RecentSessions}, the 1024
 * most recent, as the standard state machine keeps), and update the sessions present. Mutable fields, no records,
 * no effects, no timers, no lifecycle events or listeners, no queue and no futures.
 *
 * <p>What the engine does per event can cost no less than this on the same machine, so it bounds the throughput a
 * target can ask of the engine. Two switches leave out the clock read and the event-id check, to show what each
 * costs. Not thread-safe.
 */
final class BookkeepingFloor {
    /** Departed sessions a room remembers, as {@code StandardRoomStateMachine} keeps them. */
    static final int DEPARTED_KEPT = 1024;
    private static final long GRACE_NANOS = Duration.ofSeconds(60).toNanos();

    private final boolean readClock;
    private final boolean checkEventIds;
    private final EventIdMemory eventIds = new EventIdMemory(AgentManagerConfig.defaults().eventIdMemory());
    private final Map<String, Room> rooms = new HashMap<>();
    private long ticks;

    /**
     * Rooms as the engine holds them once opened: the agent's session present, nobody else.
     *
     * @param readClock whether each event reads {@link System#nanoTime()} (the system clock's source)
     * @param checkEventIds whether each event id is checked against, and added to, the recent ids
     */
    BookkeepingFloor(List<BenchRoom> benchRooms, Ids ids, boolean readClock, boolean checkEventIds) {
        this.readClock = readClock;
        this.checkEventIds = checkEventIds;
        for (BenchRoom room : benchRooms) {
            Room opened = new Room();
            opened.add(ids.session());
            rooms.put(room.name(), opened);
        }
    }

    /** Applies one event; false if the engine would have dropped or ignored it. */
    boolean apply(RoomEvent event) {
        long now = readClock ? System.nanoTime() : ++ticks;
        String id = event.eventId();
        if (checkEventIds && id != null && eventIds.sight(id, now, now) != EventIdMemory.Sighting.FIRST) {
            return false;
        }
        Room room = rooms.get(event.roomName());
        if (room == null) {
            return false;
        }
        if (event instanceof RoomEvent.ParticipantJoined joined) {
            String session = joined.participant().sessionId();
            if (room.departed.contains(session) || room.indexOf(session) >= 0) {
                return false;
            }
            room.add(session);
            room.graceDeadline = 0;
        } else if (event instanceof RoomEvent.ParticipantLeft left) {
            String session = left.participant().sessionId();
            room.departed = room.departed.plus(session, DEPARTED_KEPT);
            int present = room.indexOf(session);
            if (present < 0) {
                return false;
            }
            room.removeAt(present);
            room.graceDeadline = now + GRACE_NANOS;
        } else {
            return false;
        }
        room.lastActivity = now;
        return true;
    }

    /** What a room must hold for this traffic. */
    private static final class Room {
        RecentSessions departed = RecentSessions.empty();
        String[] present = new String[4];
        int count;
        long lastActivity;
        long graceDeadline;

        int indexOf(String session) {
            for (int i = 0; i < count; i++) {
                if (present[i].equals(session)) {
                    return i;
                }
            }
            return -1;
        }

        void add(String session) {
            if (count == present.length) {
                present = Arrays.copyOf(present, count * 2);
            }
            present[count++] = session;
        }

        void removeAt(int index) {
            present[index] = present[--count];
            present[count] = null;
        }
    }
}
