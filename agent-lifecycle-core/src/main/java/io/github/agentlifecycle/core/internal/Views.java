package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;

/** What users see of the engine: room snapshots (wall-clock times) and totals. Confined to the engine's thread. */
final class Views {
    private final AgentManagerConfig config;
    private final Clock clock;
    private final RoomLoop loop;
    private final Counters counters;

    Views(AgentManagerConfig config, Clock clock, RoomLoop loop, Counters counters) {
        this.config = config;
        this.clock = clock;
        this.loop = loop;
        this.counters = counters;
    }

    RoomSnapshot snapshot(RoomRecord record) {
        long now = clock.nanoTime();
        Instant wallNow = clock.instant();
        Long grace = record.graceDeadline();
        AgentRecord agent = record.agent();
        AgentState agentState = agent.state();
        LiveAgent live = loop.agents.get(record.name());
        Long pid = agent.pid();
        if (pid == null && live != null && live.generation == agent.generation()) {
            pid = live.pid();
        }
        String identity = agent.identity() != null ? agent.identity()
                : live != null && agentState.holdsProcess() ? live.identity : null;
        return new RoomSnapshot(
                record.name(),
                record.state(),
                record.instanceId(),
                record.humanCount(),
                record.participantCount(),
                new ArrayList<>(record.sessions().values()),
                agentState.holdsProcess(),
                agentState,
                identity,
                agentState.holdsProcess() ? pid : null,
                agent.totalRestarts(),
                wallNow.minusNanos(now - record.createdAt()),
                wallNow.minusNanos(now - record.lastActivity()),
                record.state() == RoomState.GRACE_PERIOD && grace != null
                        ? Duration.ofNanos(Math.max(0, grace - now)) : null);
    }

    ManagerStats stats() {
        int active = 0, grace = 0, starting = 0, empty = 0, closing = 0, agentsHeld = 0, ready = 0, failed = 0;
        int participants = 0, humans = 0;
        for (RoomRecord record : loop.rooms.values()) {
            switch (record.state()) {
                case ACTIVE -> active++;
                case GRACE_PERIOD -> grace++;
                case STARTING -> starting++;
                case EMPTY -> empty++;
                case CLOSING -> closing++;
            }
            AgentState state = record.agent().state();
            if (state.holdsProcess()) {
                agentsHeld++;
            }
            if (state == AgentState.READY) {
                ready++;
            }
            if (state == AgentState.FAILED) {
                failed++;
            }
            participants += record.participantCount();
            humans += record.humanCount();
        }
        return new ManagerStats(loop.rooms.size(), active, grace, starting, empty, closing, agentsHeld, ready,
                loop.pool.waitingCount(), failed, participants, humans, config.maxTotalAgents(),
                counters.eventsApplied, counters.eventsDuplicate, counters.eventsIgnored, counters.eventsRefused,
                counters.agentLaunches, counters.agentLaunchFailures, counters.agentCrashes, counters.agentRestarts,
                counters.roomsClosed, counters.orphansReaped);
    }
}
