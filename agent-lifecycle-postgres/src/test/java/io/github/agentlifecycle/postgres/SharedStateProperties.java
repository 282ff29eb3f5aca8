package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ManagerState;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RestartPolicy;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.postgres.Cluster.Replica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * The engine's invariants hold for three replicas sharing one PostgreSQL database: random token requests,
 * joins and leaves (each delivered to a random replica, some twice, some leaves before their joins), agents
 * joining, crashing and vanishing, clock advances that fire deadlines, and replicas killed, cut off, drained (their
 * rooms kept until they end, or handed over at the drain's timeout) and replaced.
 * After every step: at most one live agent per room and at most {@code maxTotalAgents} in the cluster, every
 * replica reports the same rooms, each room's human count is the number of distinct sessions present, a repeated
 * event changes nothing. After each settling pause: every room with people and budget has an agent, and no room
 * without people keeps one past its grace period.
 */
class SharedStateProperties {
    private static final String[] ROOMS = {"room-a", "room-b", "room-c"};
    private static final int MAX_AGENTS = 2;

    /**
     * Steps encoded as numbers: {@code op % 13} is the kind, {@code op / 13 % 3} the replica, {@code op / 39 % 3}
     * the room, {@code op / 117} a pick among candidates.
     */
    @Property(tries = 25)
    void invariantsHoldAcrossReplicasAndReplicaCrashes(
            @ForAll @Size(min = 20, max = 70) List<@IntRange(min = 0, max = 13 * 3 * 3 * 8 - 1) Integer> ops) {
        AgentManagerConfig config = AgentManagerConfig.builder()
                .gracePeriod(Cluster.GRACE)
                .joinTimeout(Duration.ofSeconds(30))
                .maxTotalAgents(MAX_AGENTS)
                .restartPolicy(RestartPolicy.builder().initialDelay(Duration.ofSeconds(1))
                        .maxDelay(Duration.ofSeconds(4)).maxRestarts(3).build())
                .build();
        try (Cluster cluster = new Cluster(3, config)) {
            Run run = new Run(cluster);
            run.steps(ops);
            Statistics.label("a replica drained").collect(!run.drained.isEmpty());
            Statistics.label("a replica drained").coverage(c -> c.check(true).percentage(p -> p > 50));
        }
    }

    private static final class Run {
        private final Cluster cluster;
        /** Replicas cut off from the database (they come back) and killed (they never do). */
        private final Set<Replica> dead = new LinkedHashSet<>();
        private final Set<Replica> killed = new LinkedHashSet<>();
        /** Replicas drained: they serve their rooms until those end or the drain times out, then close for good. */
        private final Set<Replica> drained = new LinkedHashSet<>();
        /** Human sessions present per room, by session id, as the events delivered say. */
        private final Map<String, Set<String>> present = new HashMap<>();
        /** Sessions whose leave was delivered, so their join no longer counts. */
        private final Set<String> departed = new LinkedHashSet<>();
        /** Joins held back to be delivered after their leave. */
        private final Map<String, RoomEvent> heldJoins = new LinkedHashMap<>();
        private final List<RoomEvent> delivered = new ArrayList<>();
        private final List<String> trace = new ArrayList<>();
        private int nextSession;
        private int nextEvent;

        Run(Cluster cluster) {
            this.cluster = cluster;
        }

        void steps(List<Integer> ops) {
            for (int op : ops) {
                step(op);
                check();
            }
            settle();
        }

        private void step(int op) {
            Replica replica = live(op / 13 % 3);
            String room = ROOMS[op / 39 % 3];
            int pick = op / 117;
            switch (op % 13) {
                case 0, 1 -> {
                    try {
                        EnsureResult result = replica.manager().ensureAgent(room);
                        note(replica, "token " + room + " -> " + result.status());
                    } catch (SharedStoreUnavailableException fenced) {
                        note(replica, "token " + room + " -> " + fenced.getMessage());
                    }
                }
                case 2, 3 -> {
                    String session = "PA_" + (++nextSession);
                    deliver(replica, join(room, session));
                }
                case 4 -> {
                    List<String> sessions = new ArrayList<>(present.getOrDefault(room, Set.of()));
                    if (!sessions.isEmpty()) {
                        String session = sessions.get(pick % sessions.size());
                        deliver(replica, leave(room, session));
                    }
                }
                case 5 -> {
                    String session = "PA_" + (++nextSession);
                    heldJoins.put(session, join(room, session));
                    deliver(replica, leave(room, session));
                }
                case 6 -> {
                    if (!heldJoins.isEmpty()) {
                        String session = new ArrayList<>(heldJoins.keySet()).get(pick % heldJoins.size());
                        RoomEvent late = heldJoins.remove(session);
                        assertThat(replica.manager().apply(late)).as("late join").isEqualTo(EventOutcome.IGNORED);
                        delivered.add(late);
                        note(replica, "late join " + session);
                    }
                }
                case 7 -> {
                    if (!delivered.isEmpty()) {
                        RoomEvent again = delivered.get(pick % delivered.size());
                        List<String> before = view(replica);
                        assertThat(replica.manager().apply(again)).as("redelivery of " + again.eventId())
                                .isEqualTo(EventOutcome.DUPLICATE);
                        assertThat(view(replica)).as("state after a duplicate").isEqualTo(before);
                        note(replica, "again " + again.eventId());
                    }
                }
                case 8 -> {
                    List<RecordingLauncher.Agent> live = cluster.live();
                    if (!live.isEmpty()) {
                        RecordingLauncher.Agent agent = live.get(pick % live.size());
                        if (pick % 2 == 0) {
                            agent.crash();
                        } else {
                            replica.manager().apply(new RoomEvent.ParticipantJoined(agent.spec.roomName(),
                                    new RoomEvent.Participant("PA_agent_" + agent.pid, agent.spec.agentIdentity(),
                                            ParticipantRole.AGENT), "RM_1", "EV_" + (++nextEvent), null));
                        }
                        note(replica, (pick % 2 == 0 ? "crash " : "agent joins ") + agent.spec);
                    }
                }
                case 9 -> {
                    cluster.advance(Duration.ofSeconds(1 + pick * 3L));
                    note(replica, "advance " + (1 + pick * 3) + " s");
                }
                case 10 -> {
                    if (running().size() > 1) {
                        if (pick % 2 == 0) {
                            cluster.kill(replica);
                            killed.add(replica);
                        } else {
                            replica.store().cutOff(true);
                        }
                        dead.add(replica);
                        note(replica, pick % 2 == 0 ? "killed" : "cut off");
                    }
                }
                case 11 -> {
                    if (running().size() > 1 && replica.manager().state() == ManagerState.RUNNING) {
                        Duration timeout = Duration.ofSeconds(1 + pick * 5L);
                        replica.manager().drainAsync(timeout);
                        drained.add(replica);
                        note(replica, "drain, timeout " + timeout.toSeconds() + " s -> " + replica.manager().state());
                    }
                }
                default -> {
                    List<Replica> cutOff = new ArrayList<>(dead);
                    cutOff.removeAll(killed);
                    if (!cutOff.isEmpty()) {
                        Replica back = cutOff.get(pick % cutOff.size());
                        dead.remove(back);
                        back.store().cutOff(false);
                        cluster.advance(Duration.ofSeconds(1));
                        note(back, "reconnected, 1 s later");
                    } else if ((!killed.isEmpty() || !drained.isEmpty()) && cluster.replicas.size() < 6) {
                        note(cluster.startReplica(), "started in place of a killed one");
                    }
                }
            }
        }

        private Replica live(int index) {
            List<Replica> alive = new ArrayList<>();
            for (Replica replica : cluster.replicas) {
                if (!gone(replica)) {
                    alive.add(replica);
                }
            }
            return alive.get(index % alive.size());
        }

        /** Whether the replica is dead, cut off, or closed after its drain. */
        private boolean gone(Replica replica) {
            return dead.contains(replica) || !replica.manager().state().serving();
        }

        /** The replicas that take new rooms: neither gone nor draining. */
        private List<Replica> running() {
            List<Replica> running = new ArrayList<>();
            for (Replica replica : cluster.replicas) {
                if (!gone(replica) && replica.manager().state() == ManagerState.RUNNING) {
                    running.add(replica);
                }
            }
            return running;
        }

        private void deliver(Replica replica, RoomEvent event) {
            EventOutcome outcome = replica.manager().apply(event);
            delivered.add(event);
            String room = event.roomName();
            if (event instanceof RoomEvent.ParticipantJoined joined) {
                String session = joined.participant().sessionId();
                if (!departed.contains(session)) {
                    present.computeIfAbsent(room, r -> new LinkedHashSet<>()).add(session);
                }
            } else if (event instanceof RoomEvent.ParticipantLeft left) {
                String session = left.participant().sessionId();
                departed.add(session);
                present.getOrDefault(room, new LinkedHashSet<>()).remove(session);
            }
            note(replica, event.getClass().getSimpleName() + " " + event.eventId() + " -> " + outcome);
        }

        /** The invariants that hold after every step. */
        private void check() {
            Map<String, Integer> perRoom = new HashMap<>();
            for (RecordingLauncher.Agent agent : cluster.live()) {
                perRoom.merge(agent.spec.roomName(), 1, Integer::sum);
            }
            perRoom.forEach((room, count) -> assertThat(count).as("live agents in " + room + trace()).isOne());
            assertThat(cluster.live().size()).as("live agents in the cluster" + trace()).isLessThanOrEqualTo(MAX_AGENTS);
            List<String> first = null;
            for (Replica replica : cluster.replicas) {
                if (gone(replica)) {
                    continue;
                }
                List<String> view = view(replica);
                if (first == null) {
                    first = view;
                } else {
                    assertThat(view).as("rooms seen by " + replica.id() + trace()).isEqualTo(first);
                }
            }
            for (RoomSnapshot room : live(0).manager().rooms()) {
                int expected = present.getOrDefault(room.roomName(), Set.of()).size();
                assertThat(room.humanCount()).as("humans in " + room.roomName() + trace()).isEqualTo(expected);
            }
        }

        /**
         * Reconnects every replica, lets the cluster settle, and checks the rooms: people and budget mean an agent,
         * no people past the grace period means none.
         */
        private void settle() {
            for (Replica replica : dead) {
                if (!killed.contains(replica)) {
                    replica.store().cutOff(false);
                }
            }
            dead.retainAll(killed);
            cluster.advance(Cluster.LEASE);
            for (String room : ROOMS) {
                if (!present.getOrDefault(room, Set.of()).isEmpty()) {
                    note(live(0), "token " + room + " -> " + live(0).manager().ensureAgent(room).status());
                }
            }
            cluster.advance(Cluster.LEASE.plusSeconds(10));
            check();
            List<RoomSnapshot> rooms = live(0).manager().rooms();
            long holding = rooms.stream().filter(r -> r.agentState().holdsProcess()
                    || r.agentState() == AgentState.BACKOFF).count();
            for (RoomSnapshot room : rooms) {
                boolean failed = room.agentState() == AgentState.FAILED;
                boolean queued = room.agentState() == AgentState.QUEUED;
                if (queued) {
                    assertThat(holding).as("slots held while " + room.roomName() + " waits" + trace())
                            .isEqualTo(MAX_AGENTS);
                } else if (room.humanCount() > 0 && !failed) {
                    awaitAgent(room.roomName());
                }
            }
            cluster.advance(Cluster.GRACE.plus(Cluster.LEASE).plusSeconds(15));
            for (String room : ROOMS) {
                if (present.getOrDefault(room, Set.of()).isEmpty()) {
                    Cluster.await("no agent left in " + room + " past its grace period" + trace(),
                            () -> cluster.liveIn(room).isEmpty());
                }
            }
        }

        /**
         * Lets a room with people that is between agents (a restart's backoff, a stop in progress) get its next
         * one: within the longest backoff plus a poll.
         */
        private void awaitAgent(String room) {
            for (int second = 0; second < 6 && cluster.liveIn(room).isEmpty(); second++) {
                RoomSnapshot now = live(0).manager().room(room).orElseThrow();
                if (now.agentState() == AgentState.FAILED) {
                    return;
                }
                cluster.advance(Duration.ofSeconds(1));
            }
            assertThat(cluster.liveIn(room)).as("agent in " + live(0).manager().room(room) + trace()).hasSize(1);
        }

        private List<String> view(Replica replica) {
            List<String> lines = new ArrayList<>();
            for (RoomSnapshot room : replica.manager().rooms()) {
                lines.add(room.roomName() + " " + room.state() + " humans=" + room.humanCount() + " participants="
                        + room.participantCount() + " agent=" + room.agentState() + " " + room.agentIdentity()
                        + " restarts=" + room.agentRestarts());
            }
            return lines;
        }

        private RoomEvent join(String room, String session) {
            return new RoomEvent.ParticipantJoined(room, new RoomEvent.Participant(session, "user-" + session,
                    ParticipantRole.HUMAN), "RM_1", "EV_" + (++nextEvent), null);
        }

        private RoomEvent leave(String room, String session) {
            return new RoomEvent.ParticipantLeft(room, new RoomEvent.Participant(session, "user-" + session,
                    ParticipantRole.HUMAN), false, "RM_1", "EV_" + (++nextEvent), null);
        }

        private void note(Replica replica, String what) {
            trace.add(replica.id() + ": " + what);
        }

        private String trace() {
            return "\nsteps:\n  " + String.join("\n  ", trace);
        }
    }
}
