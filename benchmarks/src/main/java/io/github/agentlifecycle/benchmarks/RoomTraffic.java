package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import java.time.Instant;
import java.util.List;

/**
 * Pre-generated webhook traffic: in each cycle every room sees its human join, then every room sees that human
 * leave, each with a fresh session id and fresh event ids. A room therefore alternates between active (a human
 * present) and grace period (the human just left), which is the steady state of a room people keep coming back
 * to.
 *
 * <p>A benchmark cycles through the events again and again, so the traffic must be longer than what the engine
 * remembers: the last 1024 sessions that left each room (a join naming one of them is dropped as late) and the
 * event ids of the replay window (none in the benchmarks' configuration, {@link EngineFixture#configFor}). With at
 * least {@link #MIN_CYCLES} cycles per room, every event of the second pass is new to the engine again.
 */
final class RoomTraffic {
    /** More cycles per room than the sessions a room remembers as gone (1024). */
    static final int MIN_CYCLES = 1100;

    private final RoomEvent[] events;
    private final int[] roomIndexes;

    /**
     * Traffic for {@code rooms}, {@code cycles} join/leave cycles each.
     *
     * @param seed seeds the session and event ids
     */
    RoomTraffic(List<BenchRoom> rooms, int cycles, long seed) {
        Ids ids = new Ids(seed);
        int perCycle = rooms.size() * 2;
        events = new RoomEvent[cycles * perCycle];
        roomIndexes = new int[events.length];
        Instant start = Instant.parse("2026-11-24T09:00:00Z");
        int next = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            Instant joinedAt = start.plusSeconds(cycle * 60L);
            Instant leftAt = joinedAt.plusSeconds(30);
            Participant[] present = new Participant[rooms.size()];
            for (int r = 0; r < rooms.size(); r++) {
                BenchRoom room = rooms.get(r);
                present[r] = new Participant(ids.session(), room.humanIdentity(), ParticipantRole.HUMAN);
                events[next] = new RoomEvent.ParticipantJoined(room.name(), present[r], room.sid(), ids.event(),
                        joinedAt);
                roomIndexes[next++] = r;
            }
            for (int r = 0; r < rooms.size(); r++) {
                BenchRoom room = rooms.get(r);
                events[next] = new RoomEvent.ParticipantLeft(room.name(), present[r], false, room.sid(),
                        ids.event(), leftAt);
                roomIndexes[next++] = r;
            }
        }
    }

    /** The events in delivery order. The array is shared, not copied. */
    RoomEvent[] events() {
        return events;
    }

    /** For each event, the index of its room in the list the traffic was made for. Shared, not copied. */
    int[] roomIndexes() {
        return roomIndexes;
    }
}
