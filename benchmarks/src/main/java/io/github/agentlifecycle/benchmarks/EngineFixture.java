package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every engine benchmark does the same way: a configuration that fits the rooms, rooms opened the way a
 * real one is (a token request starts the agent, then the agent joins the room), and the checks that a run
 * measured what it claims to.
 */
final class EngineFixture {
    /** The core's lifecycle log; kept referenced so its level sticks. */
    private static final Logger LIFECYCLE_LOG = Logger.getLogger("io.github.agentlifecycle.core.AgentManager");

    private EngineFixture() {}

    /**
     * Turns the engine's per-event INFO lines off (warnings stay). With the JDK's default console handler every
     * join and leave would otherwise write a line to stderr, and the benchmark would measure the console.
     */
    static void quietLifecycleLog() {
        LIFECYCLE_LOG.setLevel(Level.WARNING);
    }

    /**
     * The default configuration, with room and agent caps raised to hold {@code rooms} rooms with an agent each, and
     * no replay window: the benchmarks cycle through pre-generated traffic, so each event id must be forgotten
     * before the traffic comes round again (each id is still looked up, added and dropped).
     */
    static AgentManagerConfig configFor(int rooms) {
        AgentManagerConfig defaults = AgentManagerConfig.defaults();
        return defaults.toBuilder()
                .maxRooms(Math.max(rooms, defaults.maxRooms()))
                .maxTotalAgents(Math.max(rooms, defaults.maxTotalAgents()))
                .replayWindow(Duration.ZERO)
                .build();
    }

    /**
     * Opens each room as a token request does ({@code ensureAgent}) and lets its agent join, so the agent is ready
     * and no startup timeout is pending. Rooms are then in {@code starting}, waiting for their first human.
     */
    static void openRooms(AgentManager manager, List<BenchRoom> rooms, Ids ids) {
        Instant at = Instant.parse("2026-11-24T08:59:00Z");
        for (BenchRoom room : rooms) {
            EnsureResult ensured = manager.ensureAgent(room.name());
            RoomSnapshot snapshot = ensured.room();
            if (ensured.status() != EnsureResult.Status.LAUNCHED || snapshot == null
                    || snapshot.agentIdentity() == null) {
                throw new IllegalStateException("room " + room.name() + " did not launch its agent: " + ensured);
            }
            RoomEvent.Participant agent = new RoomEvent.Participant(ids.session(), snapshot.agentIdentity(),
                    ParticipantRole.AGENT);
            EventOutcome joined = manager.apply(new RoomEvent.ParticipantJoined(room.name(), agent, room.sid(),
                    ids.event(), at));
            if (joined != EventOutcome.APPLIED) {
                throw new IllegalStateException("agent join in " + room.name() + " was " + joined);
            }
        }
    }

    /**
     * Prints the engine's event counters and fails if any measured event was dropped as a duplicate or ignored
     * (then the run measured the engine's shortcuts, not its work), or if an agent was launched again (then the
     * rooms did not stay in the state the benchmark claims).
     */
    static void requireAllApplied(AgentManager manager, int rooms, String benchmark) {
        ManagerStats stats = manager.stats();
        System.out.printf("%n[%s] events applied %,d, duplicates %,d, ignored %,d; rooms %d (active %d, grace %d);"
                + " agents ready %d, launches %d%n", benchmark, stats.eventsApplied(), stats.eventsDuplicate(),
                stats.eventsIgnored(), stats.totalRooms(), stats.activeRooms(), stats.roomsInGrace(),
                stats.readyAgents(), stats.agentLaunches());
        if (stats.eventsDuplicate() != 0 || stats.eventsIgnored() != 0) {
            throw new IllegalStateException(benchmark + ": some events were not applied; the traffic is degenerate");
        }
        if (stats.totalRooms() != rooms || stats.readyAgents() != rooms || stats.agentLaunches() != rooms) {
            throw new IllegalStateException(benchmark + ": rooms or agents changed during the run: " + stats);
        }
    }
}
