package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.postgres.Cluster.Replica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several replicas on one PostgreSQL database serve the same rooms as one JVM would. */
class ReplicatedManagersTest {
    private Cluster cluster;

    @AfterEach
    void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void concurrentTokenRequestsOnDifferentReplicasStartOneAgentPerRoom() throws Exception {
        cluster = new Cluster(3, 50);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<EnsureResult>> answers = new ArrayList<>();
            for (int room = 0; room < 15; room++) {
                CountDownLatch go = new CountDownLatch(1);
                for (Replica replica : cluster.replicas) {
                    String name = "room-" + room;
                    answers.add(threads.submit(() -> {
                        go.await();
                        return replica.manager().ensureAgent(name);
                    }));
                }
                go.countDown();
            }
            for (Future<EnsureResult> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS).status()).isIn(EnsureResult.Status.LAUNCHED,
                        EnsureResult.Status.RUNNING);
            }
        } finally {
            threads.shutdownNow();
        }
        for (int room = 0; room < 15; room++) {
            int launches = 0;
            for (Replica replica : cluster.replicas) {
                launches += replica.launcher().launchesIn("room-" + room).size();
            }
            assertThat(launches).as("launches in room-" + room).isEqualTo(1);
        }
    }

    @Test
    void graceEndsOnTimeWhenTheLeaveLandsOnAnotherReplicaThanTheAgent() {
        cluster = new Cluster(3, 50);
        Replica a = cluster.replica(0);
        Replica b = cluster.replica(1);
        Replica c = cluster.replica(2);
        assertThat(a.manager().ensureAgent("room-a").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        RecordingLauncher.Agent agent = a.launcher().last("room-a");
        assertThat(c.manager().apply(agentJoin(agent, "EV_0"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(b.manager().apply(join("room-a", "PA_1", "alice", "EV_1"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(b.manager().apply(join("room-a", "PA_1", "alice", "EV_1"))).isEqualTo(EventOutcome.DUPLICATE);
        assertThat(c.manager().apply(join("room-a", "PA_1", "alice", "EV_1"))).isEqualTo(EventOutcome.DUPLICATE);
        assertThat(c.manager().apply(leave("room-a", "PA_1", "alice", "EV_2"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(a.manager().room("room-a").orElseThrow().state()).isEqualTo(RoomState.GRACE_PERIOD);

        cluster.advance(Cluster.GRACE.minusMillis(100));
        assertThat(agent.stopRequests()).as("stop requests before the grace period ended").isZero();
        cluster.advance(Duration.ofMillis(100));
        Cluster.await("the hosting replica stops the agent", () -> agent.stopRequests() > 0);
        Cluster.await("the room is gone everywhere", () -> cluster.replicas.stream()
                .allMatch(r -> r.manager().room("room-a").isEmpty()));
        assertThat(cluster.live()).isEmpty();
    }

    @Test
    void aLateJoinDeliveredToAnotherReplicaAfterItsLeaveIsIgnored() {
        cluster = new Cluster(2, 50);
        Replica a = cluster.replica(0);
        Replica b = cluster.replica(1);
        a.manager().ensureAgent("room-a");
        assertThat(a.manager().apply(join("room-a", "PA_1", "alice", "EV_1"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(b.manager().apply(leave("room-a", "PA_2", "alice", "EV_3"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(a.manager().apply(join("room-a", "PA_2", "alice", "EV_2"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(b.manager().room("room-a").orElseThrow().humanCount()).isEqualTo(1);
    }

    @Test
    void aDeadlineSetByAReplicaThatDiedFiresOnAnother() {
        cluster = new Cluster(2, 50);
        Replica a = cluster.replica(0);
        Replica b = cluster.replica(1);
        a.manager().ensureAgent("room-a");
        RecordingLauncher.Agent agent = a.launcher().last("room-a");
        a.manager().apply(join("room-a", "PA_1", "alice", "EV_1"));
        b.manager().apply(leave("room-a", "PA_1", "alice", "EV_2"));
        b.store().cutOff(true);

        cluster.advance(Cluster.GRACE.plus(Cluster.POLL));
        Cluster.await("the surviving replica ends the grace period", () -> agent.stopRequests() > 0);
        assertThat(a.manager().room("room-a")).isEmpty();
    }

    @Test
    void aKilledReplicasRoomsGetNewAgentsOnLiveReplicasWithinTheLease() {
        cluster = new Cluster(3, 50);
        Replica a = cluster.replica(0);
        a.manager().ensureAgent("room-a");
        a.manager().ensureAgent("room-b");
        for (String room : List.of("room-a", "room-b")) {
            a.manager().apply(join(room, "PA_" + room, "alice", "EV_" + room));
        }
        assertThat(cluster.live()).hasSize(2);
        cluster.kill(a);

        cluster.advance(Cluster.LEASE.plusSeconds(1));
        Replica b = cluster.replica(1);
        cluster.advance(Duration.ofSeconds(2));
        for (String room : List.of("room-a", "room-b")) {
            List<RecordingLauncher.Agent> live = cluster.liveIn(room);
            assertThat(live).as("live agents in " + room).hasSize(1);
            assertThat(a.launcher().liveIn(room)).isEmpty();
            RoomSnapshot snapshot = b.manager().room(room).orElseThrow();
            assertThat(snapshot.humanCount()).isEqualTo(1);
            assertThat(snapshot.agentState()).isIn(AgentState.LAUNCHING, AgentState.RUNNING);
        }
    }

    @Test
    void remoteAgentsOfAReplicaThatDiedAreAdoptedNotStartedAgain() {
        cluster = new Cluster(2, AgentManagerConfig.builder().gracePeriod(Cluster.GRACE).build(), false);
        Replica a = cluster.replica(0);
        Replica b = cluster.replica(1);
        a.manager().ensureAgent("room-a");
        RecordingLauncher.Agent agent = a.launcher().last("room-a");
        b.manager().apply(agentJoin(agent, "EV_0"));
        b.manager().apply(join("room-a", "PA_1", "alice", "EV_1"));
        a.store().cutOff(true);

        cluster.advance(Cluster.LEASE.plusSeconds(3));
        assertThat(agent.stopRequests()).as("a remote agent outlives its replica's lease").isZero();
        assertThat(b.launcher().launches()).as("adopted, not started again").isEmpty();
        assertThat(b.attached()).extracting(AgentSpec::roomName).containsExactly("room-a");
        assertThat(b.manager().room("room-a").orElseThrow().agentState()).isEqualTo(AgentState.READY);

        b.manager().apply(leave("room-a", "PA_1", "alice", "EV_2"));
        cluster.advance(Cluster.GRACE.plusSeconds(3));
        assertThat(b.manager().room("room-a")).as("the room closes on the adopting replica").isEmpty();
        assertThat(agent.stopRequests()).as("stopped through the adopting replica").isPositive();
        assertThat(b.launcher().launches()).isEmpty();
    }

    @Test
    void aReplicaCutOffForMostOfALeaseStopsItsAgentsAndTheRoomsMoveOn() {
        cluster = new Cluster(2, 50);
        Replica a = cluster.replica(0);
        Replica b = cluster.replica(1);
        a.manager().ensureAgent("room-a");
        a.manager().apply(join("room-a", "PA_1", "alice", "EV_1"));
        RecordingLauncher.Agent first = a.launcher().last("room-a");
        a.store().cutOff(true);

        assertThatThrownBy(() -> a.manager().ensureAgent("room-b")).isInstanceOf(SharedStoreUnavailableException.class);
        cluster.advance(Cluster.LEASE);
        assertThat(first.stopRequests()).as("the cut-off replica stopped its own agent").isPositive();
        cluster.advance(Duration.ofSeconds(4));
        assertThat(b.launcher().liveIn("room-a")).hasSize(1);

        a.store().cutOff(false);
        cluster.advance(Duration.ofSeconds(2));
        assertThat(a.manager().ensureAgent("room-a").status()).isEqualTo(EnsureResult.Status.RUNNING);
        assertThat(cluster.liveIn("room-a")).hasSize(1);
    }

    @Test
    void maxTotalAgentsHoldsAcrossReplicasAndAFreedSlotGoesToTheRoomWaitingLongest() {
        cluster = new Cluster(3, 2);
        for (int room = 0; room < 4; room++) {
            Replica replica = cluster.replica(room % 3);
            EnsureResult result = replica.manager().ensureAgent("room-" + room);
            assertThat(result.status()).isEqualTo(room < 2 ? EnsureResult.Status.LAUNCHED : EnsureResult.Status.QUEUED);
        }
        assertThat(cluster.live()).hasSize(2);
        assertThat(cluster.replica(2).manager().stats().queuedRooms()).isEqualTo(2);

        assertThat(cluster.replica(2).manager().closeRoom("room-0")).isTrue();
        Cluster.await("room-0's agent is stopped", () -> cluster.liveIn("room-0").isEmpty());
        cluster.advance(Cluster.POLL.multipliedBy(2));
        assertThat(cluster.liveIn("room-2")).hasSize(1);
        assertThat(cluster.liveIn("room-3")).isEmpty();
        assertThat(cluster.live()).hasSize(2);
    }

    @Test
    void everyReplicaAnswersRoomsAndStatsTheSame() {
        cluster = new Cluster(3, 50);
        cluster.replica(0).manager().ensureAgent("room-a");
        cluster.replica(1).manager().ensureAgent("room-b");
        cluster.replica(2).manager().apply(join("room-a", "PA_1", "alice", "EV_1"));
        cluster.replica(1).manager().apply(join("room-b", "PA_2", "bob", "EV_2"));
        cluster.advance(Cluster.LEASE);
        List<String> rooms = describe(cluster.replica(0).manager().rooms());
        ManagerStats stats = cluster.replica(0).manager().stats();
        assertThat(rooms).hasSize(2);
        assertThat(stats.totalHumans()).isEqualTo(2);
        assertThat(stats.agentLaunches()).isEqualTo(2);
        int hosted = 0;
        for (Replica replica : cluster.replicas) {
            assertThat(describe(replica.manager().rooms())).isEqualTo(rooms);
            ManagerStats own = replica.manager().stats();
            assertThat(own).usingRecursiveComparison().ignoringFields("hostedAgents").isEqualTo(stats);
            assertThat(own.hostedAgents()).isEqualTo(replica.launcher().live().size());
            hosted += own.hostedAgents();
        }
        assertThat(hosted).isEqualTo(2);
    }

    @Test
    void callsFailFastWhileTheStoreIsUnreachableAndWorkWhenItIsBack() {
        cluster = new Cluster(1, 50);
        Replica a = cluster.replica(0);
        a.store().cutOff(true);
        assertThatThrownBy(() -> a.manager().ensureAgent("room-a")).isInstanceOf(SharedStoreUnavailableException.class);
        assertThatThrownBy(() -> a.manager().apply(join("room-a", "PA_1", "alice", "EV_1")))
                .isInstanceOf(SharedStoreUnavailableException.class);
        assertThat(a.launcher().launches()).isEmpty();
        a.store().cutOff(false);
        cluster.advance(Duration.ofSeconds(1));
        assertThat(a.manager().apply(join("room-a", "PA_1", "alice", "EV_1"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(a.manager().ensureAgent("room-a").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
    }

    private static List<String> describe(List<RoomSnapshot> rooms) {
        List<String> lines = new ArrayList<>();
        for (RoomSnapshot room : rooms) {
            lines.add(room.roomName() + " " + room.state() + " " + room.humanCount() + " " + room.agentState() + " "
                    + room.agentIdentity() + " " + room.agentPid() + " " + room.createdAt() + " " + room.lastActivity());
        }
        return lines;
    }

    static RoomEvent join(String room, String session, String identity, String eventId) {
        return new RoomEvent.ParticipantJoined(room, new RoomEvent.Participant(session, identity,
                ParticipantRole.HUMAN), "RM_1", eventId, null);
    }

    static RoomEvent agentJoin(RecordingLauncher.Agent agent, String eventId) {
        return new RoomEvent.ParticipantJoined(agent.spec.roomName(), new RoomEvent.Participant("PA_" + agent.pid,
                agent.spec.agentIdentity(), ParticipantRole.AGENT), "RM_1", eventId, null);
    }

    static RoomEvent leave(String room, String session, String identity, String eventId) {
        return new RoomEvent.ParticipantLeft(room, new RoomEvent.Participant(session, identity,
                ParticipantRole.HUMAN), false, "RM_1", eventId, null);
    }
}
