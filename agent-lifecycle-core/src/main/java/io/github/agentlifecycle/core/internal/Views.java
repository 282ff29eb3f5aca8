package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.ManagerState;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/** What users see of the engine: room snapshots (wall-clock times) and totals. Confined to the engine's thread. */
final class Views {
    private final AgentManagerConfig config;
    private final Clock clock;
    private final RoomLoop loop;
    private final Counters counters;
    private final long toEpoch;

    /**
     * @param toEpoch what to add to a {@code nanoTime} reading to get nanoseconds since the epoch: fixed for the
     *     engine's life, so that replicas sharing rooms show the same instants
     */
    Views(AgentManagerConfig config, Clock clock, RoomLoop loop, Counters counters, long toEpoch) {
        this.config = config;
        this.clock = clock;
        this.loop = loop;
        this.counters = counters;
        this.toEpoch = toEpoch;
    }

    RoomSnapshot snapshot(RoomRecord record) {
        long now = clock.nanoTime();
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
                Instant.ofEpochSecond(0, record.createdAt() + toEpoch),
                Instant.ofEpochSecond(0, record.lastActivity() + toEpoch),
                record.state() == RoomState.GRACE_PERIOD && grace != null
                        ? Duration.ofNanos(Math.max(0, grace - now)) : null);
    }

    /**
     * Totals over the open rooms, and the counters: this engine's own, or {@code cluster}'s when given (the sums
     * every replica published last).
     */
    ManagerStats stats(@Nullable Counters cluster, ManagerState managerState) {
        Counters counters = cluster != null ? cluster : this.counters;
        int active = 0, grace = 0, starting = 0, empty = 0, closing = 0, agentsHeld = 0, ready = 0, failed = 0;
        int participants = 0, humans = 0;
        Collection<RoomRecord> open = loop.store.openRooms();
        int queued = 0;
        for (RoomRecord record : open) {
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
            if (state == AgentState.QUEUED) {
                queued++;
            }
            if (state == AgentState.FAILED) {
                failed++;
            }
            participants += record.participantCount();
            humans += record.humanCount();
        }
        return new ManagerStats(open.size(), active, grace, starting, empty, closing, agentsHeld, ready,
                queued, failed, participants, humans, config.maxTotalAgents(),
                counters.eventsApplied, counters.eventsDuplicate, counters.eventsIgnored, counters.eventsRefused,
                counters.agentLaunches, counters.agentLaunchFailures, counters.agentCrashes, counters.agentRestarts,
                counters.roomsClosed, counters.orphansReaped, managerState, loop.agents.all().size(),
                loop.agents.idleAgents(), counters.warmLaunches, counters.coldLaunches);
    }
}
