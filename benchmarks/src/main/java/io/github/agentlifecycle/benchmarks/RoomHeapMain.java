package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.testing.ManualClock;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Instant;

/**
 * Measures the heap an idle tracked room costs: used heap after a full GC with an engine holding no rooms, then
 * with {@code rooms} rooms (default 100 000), divided by the number of rooms. Two kinds of idle room:
 * <ul>
 * <li><b>idle with agent</b>: a token request started the agent, the agent joined the room, one human is present,
 * nobody does anything (state {@code active}, agent {@code ready}, no timer pending);
 * <li><b>human only</b>: a room known only from a human's {@code participant_joined} webhook, with no agent
 * requested (state {@code active}, no agent): the smallest room that stays tracked.
 * </ul>
 * A third measurement, over a hundredth as many rooms, is a room that is not idle but has a long history: with its
 * agent ready, a human joined and left 1100 times, each time with a new session, so that the room remembers as many
 * departed sessions as it keeps (1024; state {@code grace_period}).
 *
 * <p>Everything the engine keeps for a room is counted: its record, participants and their strings (room name,
 * room sid, session ids, identities, created here after the first reading and referenced only by the engine), the
 * engine's agent entry with its generated identity and credential, and capacity and map entries. The engine runs
 * with no replay window ({@link EngineFixture#configFor}), so it keeps neither event ids nor closed rooms: what a
 * room costs comes apart from what the traffic of the last minutes costs (about 100 B per event id). The launcher's handles ({@link IdleLauncher}: an
 * object and its exit future) are counted too; their size is measured separately and printed so it can be
 * subtracted. The clock is a {@link ManualClock} and the executor direct, so no timer or thread of the measurement
 * runs in between.
 *
 * <p>Run: {@code java -Xmx2g -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.RoomHeapMain}
 */
public final class RoomHeapMain {
    private static final Instant AT = Instant.parse("2026-11-24T09:00:00Z");
    /** More visits than the departed sessions a room remembers (1024). */
    private static final int BUSY_VISITS = 1100;

    private RoomHeapMain() {}

    /** Measures and prints; the optional argument is the number of rooms. */
    public static void main(String[] args) {
        int rooms = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        EngineFixture.quietLifecycleLog();
        double handle = bytesPerHandle(rooms);
        double idle = bytesPerRoom(rooms, new Kind(true, 0));
        double minimal = bytesPerRoom(rooms, new Kind(false, 0));
        int busyRooms = Math.max(1, rooms / 100);
        double busy = bytesPerRoom(busyRooms, new Kind(true, BUSY_VISITS));
        System.out.printf("rooms: %,d; JVM %s, max heap %,d MiB%n", rooms, Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("idle with agent: %,.0f bytes per room (of which the launcher's handle %,.0f;"
                + " engine alone %,.0f)%n", idle, handle, idle - handle);
        System.out.printf("human only:      %,.0f bytes per room%n", minimal);
        System.out.printf("after %d visits: %,.0f bytes per room (%,d rooms; %,.0f more than idle with agent)%n",
                BUSY_VISITS, busy, busyRooms, busy - idle);
    }

    /**
     * What the measured rooms hold.
     *
     * @param withAgent whether a token request started the room's agent, which then joined
     * @param visits how many times a human joined and left, each time with a new session; with none, one human
     *     joins and stays
     */
    private record Kind(boolean withAgent, int visits) {}

    /**
     * Opens rooms once and closes them, so that what the engine sizes on first use is in place, then measures the
     * heap before and after opening {@code count} rooms of {@code kind}.
     */
    private static double bytesPerRoom(int count, Kind kind) {
        ManualClock clock = new ManualClock();
        AgentManager manager = AgentManager.builder(new IdleLauncher())
                .config(EngineFixture.configFor(count))
                .clock(clock)
                .executor(Runnable::run)
                .build();
        manager.start();
        openRooms(manager, kind.visits() == 0 ? 1000 : 10, kind, new Ids(99));
        for (RoomSnapshot room : manager.rooms()) {
            manager.closeRoom(room.roomName());
        }
        long before = usedHeapAfterGc();
        openRooms(manager, count, kind, new Ids(7));
        long after = usedHeapAfterGc();
        requireState(manager.stats(), clock, count, kind);
        Reference.reachabilityFence(manager);
        manager.close();
        return (double) (after - before) / count;
    }

    private static void openRooms(AgentManager manager, int count, Kind kind, Ids ids) {
        for (int i = 0; i < count; i++) {
            BenchRoom room = new BenchRoom(String.format("room-%06d", i), ids.room(), String.format("client-%06d", i));
            if (kind.withAgent()) {
                EnsureResult ensured = manager.ensureAgent(room.name());
                RoomSnapshot snapshot = ensured.room();
                if (snapshot == null || snapshot.agentIdentity() == null) {
                    throw new IllegalStateException("no agent launched in " + room.name() + ": " + ensured);
                }
                join(manager, room, ids, snapshot.agentIdentity(), ParticipantRole.AGENT);
            }
            for (int visit = 0; visit < kind.visits(); visit++) {
                RoomEvent.Participant human = join(manager, room, ids, room.humanIdentity(), ParticipantRole.HUMAN);
                requireApplied(manager.apply(new RoomEvent.ParticipantLeft(room.name(), human, false, room.sid(),
                        ids.event(), AT)));
            }
            if (kind.visits() == 0) {
                join(manager, room, ids, room.humanIdentity(), ParticipantRole.HUMAN);
            }
        }
    }

    /** Fails unless the rooms are what {@code kind} says and, when idle, wait for no timer. */
    private static void requireState(ManagerStats stats, ManualClock clock, int count, Kind kind) {
        boolean idle = kind.visits() == 0;
        int agents = kind.withAgent() ? count : 0;
        if (stats.totalRooms() != count || stats.activeRooms() != (idle ? count : 0)
                || stats.roomsInGrace() != (idle ? 0 : count) || stats.totalHumans() != (idle ? count : 0)
                || stats.readyAgents() != agents || stats.totalAgents() != agents) {
            throw new IllegalStateException("rooms are not in the measured state: " + stats);
        }
        if (idle && clock.pendingTimers() > 2) {
            throw new IllegalStateException(clock.pendingTimers() + " timers pending; idle rooms should have none");
        }
    }

    private static RoomEvent.Participant join(AgentManager manager, BenchRoom room, Ids ids, String identity,
            ParticipantRole role) {
        RoomEvent.Participant participant = new RoomEvent.Participant(ids.session(), identity, role);
        requireApplied(manager.apply(new RoomEvent.ParticipantJoined(room.name(), participant, room.sid(), ids.event(),
                AT)));
        return participant;
    }

    private static void requireApplied(EventOutcome outcome) {
        if (outcome != EventOutcome.APPLIED) {
            throw new IllegalStateException("an event was " + outcome);
        }
    }

    /** What one {@link IdleLauncher} handle (the object and its exit future) occupies. */
    private static double bytesPerHandle(int count) {
        Object[] handles = new Object[count];
        long before = usedHeapAfterGc();
        for (int i = 0; i < count; i++) {
            handles[i] = new IdleLauncher.IdleAgent("agent");
        }
        long after = usedHeapAfterGc();
        Reference.reachabilityFence(handles);
        return (double) (after - before) / count;
    }

    /** Used heap after full collections, repeated until two readings agree. */
    private static long usedHeapAfterGc() {
        long previous = -1;
        for (int attempt = 0; attempt < 10; attempt++) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used == previous) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
