package io.github.agentlifecycle.postgres;

import static io.github.agentlifecycle.postgres.ReplicatedManagersTest.agentJoin;
import static io.github.agentlifecycle.postgres.ReplicatedManagersTest.join;
import static io.github.agentlifecycle.postgres.ReplicatedManagersTest.leave;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ManagerState;
import io.github.agentlifecycle.core.RestartPolicy;
import io.github.agentlifecycle.core.StopReason;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.postgres.Cluster.Replica;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Draining one replica of two on one PostgreSQL database: the drained replica keeps its rooms' agents until those
 * rooms end while new rooms get their agents on the other replica; at the drain's timeout a room still in use is
 * handed over, its next agent started by the other replica within a poll interval. Remote agents are left running
 * and adopted by the other replica. After every step: no room has two live agents, and every room with people has
 * one, except for the moment of a handover.
 */
class ReplicaDrainTest {
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private Cluster cluster;
    private final Set<String> roomsWithPeople = new LinkedHashSet<>();
    private final Set<String> roomsWithoutPeople = new LinkedHashSet<>();
    private final List<LifecycleEvent> eventsOfA = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A token request for {@code room} on {@code replica}, then a person joins through {@code webhooks}. */
    private EnsureResult personJoins(Replica replica, Replica webhooks, String room) {
        EnsureResult result = replica.manager().ensureAgent(room);
        assertThat(webhooks.manager().apply(join(room, "PA_" + room, "client-" + room, "EV_join_" + room)))
                .isEqualTo(EventOutcome.APPLIED);
        roomsWithoutPeople.remove(room);
        roomsWithPeople.add(room);
        return result;
    }

    private void personLeaves(Replica webhooks, String room) {
        assertThat(webhooks.manager().apply(leave(room, "PA_" + room, "client-" + room, "EV_leave_" + room)))
                .isEqualTo(EventOutcome.APPLIED);
        roomsWithPeople.remove(room);
        roomsWithoutPeople.add(room);
    }

    /** The agent {@code replica} runs in {@code room}, which reports ready through a heartbeat. */
    private static RecordingLauncher.Agent readyAgent(Replica replica, String room) {
        RecordingLauncher.Agent agent = replica.launcher().liveAgentOf(room);
        assertThat(agent).as("live agent of " + room + " on " + replica.id()).isNotNull();
        assertThat(replica.manager().heartbeat(room, agent.spec.agentIdentity())).isTrue();
        return agent;
    }

    /** No room has two live agents; every room with people has one unless it is being handed over. */
    private void checkAgents(String... handedOver) {
        Set<String> gap = Set.of(handedOver);
        for (String room : roomsWithPeople) {
            List<RecordingLauncher.Agent> live = cluster.liveIn(room);
            assertThat(live).as("live agents in " + room).hasSizeLessThanOrEqualTo(1);
            if (!gap.contains(room)) {
                assertThat(live).as("live agents in " + room + ", which has people").hasSize(1);
            }
        }
        for (String room : roomsWithoutPeople) {
            assertThat(cluster.liveIn(room)).as("live agents in " + room).hasSizeLessThanOrEqualTo(1);
        }
        for (Replica replica : cluster.replicas) {
            assertThat(replica.launcher().violations()).isEmpty();
        }
    }

    @Test
    void aDrainedReplicaKeepsItsRoomsUntilTheyEndWhileNewRoomsGetTheirAgentsOnAnother() {
        cluster = new Cluster(2, 50);
        Replica a = cluster.replica(0);
        Replica b = cluster.replica(1);
        assertThat(personJoins(a, b, "room-a").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        assertThat(personJoins(a, a, "room-b").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        RecordingLauncher.Agent agentA = readyAgent(a, "room-a");
        RecordingLauncher.Agent agentB = readyAgent(a, "room-b");
        checkAgents();

        CompletableFuture<Void> drained = a.manager().drainAsync(Duration.ofMinutes(30)).toCompletableFuture();
        assertThat(a.manager().state()).isEqualTo(ManagerState.DRAINING);
        assertThat(b.manager().state()).isEqualTo(ManagerState.RUNNING);
        checkAgents();

        assertThat(personJoins(a, a, "room-c").status()).isEqualTo(EnsureResult.Status.QUEUED);
        assertThat(a.launcher().launchesIn("room-c")).isEmpty();
        cluster.advance(Cluster.POLL);
        assertThat(b.launcher().liveIn("room-c")).as("room-c's agent, started by replica B's poll").hasSize(1);
        readyAgent(b, "room-c");
        assertThat(a.launcher().launchesIn("room-c")).isEmpty();
        assertThat(a.manager().ensureAgent("room-c").status()).isEqualTo(EnsureResult.Status.RUNNING);
        checkAgents();

        cluster.advance(Cluster.LEASE.multipliedBy(2));
        assertThat(a.launcher().liveIn("room-a")).containsExactly(agentA);
        assertThat(a.launcher().liveIn("room-b")).containsExactly(agentB);
        assertThat(agentA.stopRequests() + agentB.stopRequests()).isZero();
        assertThat(a.manager().stats().hostedAgents()).isEqualTo(2);
        assertThat(a.manager().heartbeat("room-a", agentA.spec.agentIdentity())).isTrue();
        assertThat(drained).isNotDone();
        checkAgents();

        personLeaves(b, "room-a");
        cluster.advance(Cluster.GRACE.minusSeconds(1));
        assertThat(agentA.stopRequests()).as("stop requests within the grace period").isZero();
        checkAgents();
        cluster.advance(Duration.ofSeconds(1).plus(Cluster.POLL));
        Cluster.await("room-a's agent stops on replica A", () -> !agentA.live());
        Cluster.await("room-a is gone", () -> b.manager().room("room-a").isEmpty());
        assertThat(a.manager().state()).isEqualTo(ManagerState.DRAINING);
        assertThat(agentB.live()).isTrue();
        assertThat(drained).isNotDone();
        checkAgents();

        personLeaves(b, "room-b");
        cluster.advance(Cluster.GRACE.plus(Cluster.POLL));
        Cluster.await("replica A closes once it hosts no agent", drained::isDone);
        assertThat(agentB.live()).isFalse();
        assertThat(a.manager().state()).isEqualTo(ManagerState.CLOSED);
        assertThat(b.manager().room("room-b")).isEmpty();
        assertThat(b.launcher().launchesIn("room-a")).isEmpty();
        assertThat(b.launcher().launchesIn("room-b")).isEmpty();
        assertThat(b.manager().room("room-c").orElseThrow().agentState()).isEqualTo(AgentState.READY);
        checkAgents();
    }

    @Test
    void aDrainTimeoutHandsARoomStillInUseToAnotherReplicaWithinAPollInterval() {
        cluster = new Cluster(2, AgentManagerConfig.builder()
                .gracePeriod(Cluster.GRACE)
                .restartPolicy(RestartPolicy.builder().initialDelay(Duration.ofSeconds(30)).build())
                .build());
        Replica a = cluster.replica(0);
        Replica b = cluster.replica(1);
        a.manager().addListener(eventsOfA::add);
        personJoins(a, b, "room-a");
        RecordingLauncher.Agent first = readyAgent(a, "room-a");
        checkAgents();

        CompletableFuture<Void> drained = a.manager().drainAsync(DRAIN_TIMEOUT).toCompletableFuture();
        cluster.advance(DRAIN_TIMEOUT.minusMillis(100));
        assertThat(first.live()).isTrue();
        assertThat(first.stopRequests()).isZero();
        assertThat(drained).isNotDone();
        checkAgents();

        cluster.advance(Duration.ofMillis(100));
        assertThat(drained).as("replica A closed at the drain's timeout").isDone();
        assertThat(a.manager().state()).isEqualTo(ManagerState.CLOSED);
        assertThat(first.live()).isFalse();
        assertThat(eventsOfA).filteredOn(LifecycleEvent.AgentStopping.class::isInstance)
                .extracting(event -> ((LifecycleEvent.AgentStopping) event).reason())
                .containsExactly(StopReason.HANDED_OVER);
        checkAgents("room-a");

        cluster.advance(Cluster.POLL);
        assertThat(b.launcher().liveIn("room-a")).as("room-a's next agent, on replica B").hasSize(1);
        assertThat(a.launcher().launchesIn("room-a")).containsExactly(first);
        assertThat(b.manager().stats().agentCrashes()).isZero();
        assertThat(b.manager().stats().agentRestarts()).isZero();
        assertThat(b.manager().room("room-a").orElseThrow().humanCount()).isEqualTo(1);
        checkAgents();

        cluster.advance(Cluster.LEASE.multipliedBy(2));
        assertThat(b.launcher().launchesIn("room-a")).hasSize(1);
        checkAgents();
    }

    @Test
    void aDrainWithRemoteAgentsEndsAtOnceAndTheOtherReplicaAdoptsThem() {
        cluster = new Cluster(2, AgentManagerConfig.builder().gracePeriod(Cluster.GRACE).build(), false);
        Replica a = cluster.replica(0);
        Replica b = cluster.replica(1);
        personJoins(a, b, "room-a");
        personJoins(a, b, "room-b");
        RecordingLauncher.Agent agentA = a.launcher().liveAgentOf("room-a");
        RecordingLauncher.Agent agentB = a.launcher().liveAgentOf("room-b");
        assertThat(b.manager().apply(agentJoin(agentA, "EV_agent_a"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(b.manager().apply(agentJoin(agentB, "EV_agent_b"))).isEqualTo(EventOutcome.APPLIED);
        checkAgents();

        CompletableFuture<Void> drained = a.manager().drainAsync(Duration.ofMinutes(30)).toCompletableFuture();
        assertThat(drained).as("a drain with only remote agents ends at once").isDone();
        assertThat(a.manager().state()).isEqualTo(ManagerState.CLOSED);
        assertThat(agentA.stopRequests() + agentB.stopRequests()).as("remote agents keep running").isZero();
        checkAgents();

        cluster.advance(Cluster.LEASE.plusSeconds(2));
        assertThat(b.attached()).as("replica B adopts every agent of replica A")
                .extracting(AgentSpec::roomName).containsExactlyInAnyOrder("room-a", "room-b");
        assertThat(b.launcher().launches()).as("no agent started again").isEmpty();
        assertThat(agentA.stopRequests() + agentB.stopRequests()).isZero();
        for (String room : List.of("room-a", "room-b")) {
            assertThat(b.manager().room(room).orElseThrow().agentState()).isEqualTo(AgentState.READY);
        }
        checkAgents();

        personLeaves(b, "room-a");
        cluster.advance(Cluster.GRACE.plus(Cluster.POLL));
        Cluster.await("replica B stops the agent it adopted when its room ends", () -> agentA.stopRequests() > 0);
        assertThat(agentB.stopRequests()).isZero();
        assertThat(b.launcher().launches()).isEmpty();
        checkAgents();
    }
}
