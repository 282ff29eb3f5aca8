package io.github.agentlifecycle.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.RoomEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoomTrafficTest {

    @Test
    void everyEventIsAppliedAlsoWhenTheTrafficRepeats() {
        Ids ids = new Ids(1);
        List<BenchRoom> rooms = BenchRoom.create(10, ids);
        AgentManager manager = EngineApplyBenchmark.startEngine(rooms, ids);
        try {
            RoomEvent[] events = new RoomTraffic(rooms, RoomTraffic.MIN_CYCLES, 2).events();
            assertThat(manager.config().replayWindow()).isZero();
            int plays = events.length + 2 * rooms.size();
            for (int i = 0; i < plays; i++) {
                assertThat(manager.apply(events[i % events.length])).as("event %d", i).isEqualTo(EventOutcome.APPLIED);
            }
            ManagerStats stats = manager.stats();
            assertThat(stats.roomsInGrace()).isEqualTo(rooms.size());
            assertThat(stats.readyAgents()).isEqualTo(rooms.size());
            assertThat(stats.agentLaunches()).isEqualTo(rooms.size());
        } finally {
            manager.close();
        }
    }

    @Test
    void roomsAlternateBetweenActiveAndGrace() {
        Ids ids = new Ids(1);
        List<BenchRoom> rooms = BenchRoom.create(3, ids);
        AgentManager manager = EngineApplyBenchmark.startEngine(rooms, ids);
        try {
            RoomEvent[] events = new RoomTraffic(rooms, 2, 2).events();
            for (int i = 0; i < rooms.size(); i++) {
                manager.apply(events[i]);
            }
            assertThat(manager.stats().activeRooms()).isEqualTo(3);
            for (int i = rooms.size(); i < 2 * rooms.size(); i++) {
                manager.apply(events[i]);
            }
            assertThat(manager.stats().roomsInGrace()).isEqualTo(3);
            manager.apply(events[2 * rooms.size()]);
            assertThat(manager.stats().activeRooms()).isEqualTo(1);
        } finally {
            manager.close();
        }
    }
}
