package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.spi.ManualClock;
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
 * engine's agent entry with its generated identity and credential, capacity and map entries, and each room's share
 * of the engine's fixed-size event-id memory (10 000 ids in all). The launcher's handles ({@link IdleLauncher}: an
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
        double idle = bytesPerRoom(rooms, true);
        double minimal = bytesPerRoom(rooms, false);
        int busyRooms = Math.max(1, rooms / 100);
        double busy = bytesPerBusyRoom(busyRooms);
        System.out.printf("rooms: %,d; JVM %s, max heap %,d MiB%n", rooms, Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("idle with agent: %,.0f bytes per room (of which the launcher's handle %,.0f;"
                + " engine alone %,.0f)%n", idle, handle, idle - handle);
        System.out.printf("human only:      %,.0f bytes per room%n", minimal);
        System.out.printf("after %d visits: %,.0f bytes per room (%,d rooms; %,.0f more than idle with agent)%n",
                BUSY_VISITS, busy, busyRooms, busy - idle);
    }

    private static double bytesPerRoom(int count, boolean withAgent) {
        ManualClock clock = new ManualClock();
        AgentManager manager = AgentManager.builder(new IdleLauncher())
                .config(EngineFixture.configFor(count))
                .clock(clock)
                .executor(Runnable::run)
                .build();
        manager.start();
        openRooms(manager, 1000, withAgent, 99);
        for (RoomSnapshot room : manager.rooms()) {
            manager.closeRoom(room.roomName());
        }
        long before = usedHeapAfterGc();
        openRooms(manager, count, withAgent, 7);
        long after = usedHeapAfterGc();
        ManagerStats stats = manager.stats();
        int agents = withAgent ? count : 0;
        if (stats.totalRooms() != count || stats.activeRooms() != count || stats.totalHumans() != count
                || stats.readyAgents() != agents || stats.totalAgents() != agents) {
            throw new IllegalStateException("rooms are not in the measured state: " + stats);
        }
        if (clock.pendingTimers() > 2) {
            throw new IllegalStateException(clock.pendingTimers() + " timers pending; idle rooms should have none");
        }
        Reference.reachabilityFence(manager);
        manager.close();
        return (double) (after - before) / count;
    }

    private static double bytesPerBusyRoom(int count) {
        ManualClock clock = new ManualClock();
        AgentManager manager = AgentManager.builder(new IdleLauncher())
                .config(EngineFixture.configFor(count))
                .clock(clock)
                .executor(Runnable::run)
                .build();
        manager.start();
        openBusyRooms(manager, 10, new Ids(98));
        for (RoomSnapshot room : manager.rooms()) {
            manager.closeRoom(room.roomName());
        }
        long before = usedHeapAfterGc();
        openBusyRooms(manager, count, new Ids(11));
        long after = usedHeapAfterGc();
        ManagerStats stats = manager.stats();
        if (stats.totalRooms() != count || stats.roomsInGrace() != count || stats.readyAgents() != count
                || stats.eventsIgnored() != 0) {
            throw new IllegalStateException("rooms are not in the measured state: " + stats);
        }
        Reference.reachabilityFence(manager);
        manager.close();
        return (double) (after - before) / count;
    }

    private static void openBusyRooms(AgentManager manager, int count, Ids ids) {
        for (int i = 0; i < count; i++) {
            BenchRoom room = new BenchRoom(String.format("room-%06d", i), ids.room(), String.format("client-%06d", i));
            EnsureResult ensured = manager.ensureAgent(room.name());
            RoomSnapshot snapshot = ensured.room();
            if (snapshot == null || snapshot.agentIdentity() == null) {
                throw new IllegalStateException("no agent launched in " + room.name() + ": " + ensured);
            }
            join(manager, room, ids, snapshot.agentIdentity(), ParticipantRole.AGENT);
            for (int visit = 0; visit < BUSY_VISITS; visit++) {
                RoomEvent.Participant human = join(manager, room, ids, room.humanIdentity(), ParticipantRole.HUMAN);
                requireApplied(manager.apply(new RoomEvent.ParticipantLeft(room.name(), human, false, room.sid(),
                        ids.event(), AT)));
            }
        }
    }

    private static void requireApplied(EventOutcome outcome) {
        if (outcome != EventOutcome.APPLIED) {
            throw new IllegalStateException("an event was " + outcome);
        }
    }

    private static void openRooms(AgentManager manager, int count, boolean withAgent, long seed) {
        Ids ids = new Ids(seed);
        for (int i = 0; i < count; i++) {
            BenchRoom room = new BenchRoom(String.format("room-%06d", i), ids.room(), String.format("client-%06d", i));
            if (withAgent) {
                EnsureResult ensured = manager.ensureAgent(room.name());
                RoomSnapshot snapshot = ensured.room();
                if (snapshot == null || snapshot.agentIdentity() == null) {
                    throw new IllegalStateException("no agent launched in " + room.name() + ": " + ensured);
                }
                join(manager, room, ids, snapshot.agentIdentity(), ParticipantRole.AGENT);
            }
            join(manager, room, ids, room.humanIdentity(), ParticipantRole.HUMAN);
        }
    }

    private static RoomEvent.Participant join(AgentManager manager, BenchRoom room, Ids ids, String identity,
            ParticipantRole role) {
        RoomEvent.Participant participant = new RoomEvent.Participant(ids.session(), identity, role);
        requireApplied(manager.apply(new RoomEvent.ParticipantJoined(room.name(), participant, room.sid(), ids.event(),
                AT)));
        return participant;
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
