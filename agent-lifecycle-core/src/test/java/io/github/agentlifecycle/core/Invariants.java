package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.PropertyHarness.Checker;
import io.github.agentlifecycle.core.PropertyHarness.Outcome;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One {@link Checker} per invariant of the core architecture (DESIGN.md, invariants 1 to 8), and for drains and
 * adopted rooms.
 */
final class Invariants {
    private Invariants() {}

    /** Invariant 1, against the launcher's own record of launch calls and exits. */
    static final class AgentLimits implements Checker {
        @Override
        public void check(PropertyHarness h) {
            List<String> violations = h.launcher.violations();
            if (!violations.isEmpty()) {
                throw h.failure("invariant 1: the launcher saw " + violations);
            }
            Map<String, Integer> perRoom = new HashMap<>();
            int total = 0;
            for (RecordingLauncher.Agent agent : h.launcher.launches()) {
                if (agent.live()) {
                    total++;
                    perRoom.merge(agent.spec.roomName(), 1, Integer::sum);
                }
            }
            for (Map.Entry<String, Integer> room : perRoom.entrySet()) {
                if (room.getValue() > 1) {
                    throw h.failure("invariant 1: " + room.getValue() + " live agents in " + room.getKey());
                }
            }
            if (total > h.config.maxTotalAgents()) {
                throw h.failure("invariant 1: " + total + " live agents, more than maxTotalAgents = "
                        + h.config.maxTotalAgents());
            }
        }
    }

    /** Invariant 2, against the reference model. */
    static final class HumanCounts implements Checker {
        @Override
        public void check(PropertyHarness h) {
            int total = 0;
            for (RoomSnapshot room : h.rooms().values()) {
                int expected = h.model.humans(room.roomName());
                long listed = room.participants().stream().filter(p -> p.role() == ParticipantRole.HUMAN).count();
                if (room.humanCount() < 0 || room.humanCount() != expected || listed != expected) {
                    throw h.failure("invariant 2: " + room.roomName() + " reports humanCount " + room.humanCount()
                            + " and lists " + listed + " humans; the model has " + expected + ": "
                            + h.model.present(room.roomName()));
                }
                if (room.participantCount() != room.participants().size()) {
                    throw h.failure("invariant 2: " + room.roomName() + " participantCount "
                            + room.participantCount() + " but " + room.participants().size() + " listed");
                }
                total += expected;
            }
            int reported = h.manager.stats().totalHumans();
            if (reported != total) {
                throw h.failure("invariant 2: stats().totalHumans() = " + reported + ", the model has " + total);
            }
        }
    }

    /** Invariant 3: a redelivered event id is a duplicate and changes nothing. */
    static final class Idempotence implements Checker {
        int duplicatesChecked;
        private Observation before;

        @Override
        public void before(PropertyHarness h, Action action) {
            before = action instanceof Action.Duplicate ? Observation.of(h) : null;
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            if (outcome.event() == null) {
                return;
            }
            if (!(outcome.action() instanceof Action.Duplicate)) {
                if (outcome.eventOutcome() == EventOutcome.DUPLICATE) {
                    throw h.failure("invariant 3: an event with a new id was dropped as a duplicate: "
                            + outcome.event());
                }
                return;
            }
            if (outcome.eventOutcome() != EventOutcome.DUPLICATE) {
                throw h.failure("invariant 3: redelivered " + outcome.event() + " returned "
                        + outcome.eventOutcome() + ", not DUPLICATE");
            }
            Observation after = Observation.of(h);
            before.assertUnchanged(h, after);
            duplicatesChecked++;
        }

        /** Everything a duplicate must leave as it was. */
        private record Observation(List<RoomSnapshot> rooms, List<Object> gauges, List<Long> counters,
                RecordingLauncher.History launcher, List<Duration> timers) {

            static Observation of(PropertyHarness h) {
                ManagerStats s = h.manager.stats();
                List<Object> gauges = List.of(s.totalRooms(), s.activeRooms(), s.roomsInGrace(), s.startingRooms(),
                        s.emptyRooms(), s.closingRooms(), s.totalAgents(), s.readyAgents(), s.queuedRooms(),
                        s.failedAgents(), s.totalParticipants(), s.totalHumans(), s.maxTotalAgents());
                List<Long> counters = List.of(s.eventsApplied(), s.eventsDuplicate(), s.eventsIgnored(),
                        s.agentLaunches(), s.agentLaunchFailures(), s.agentCrashes(), s.agentRestarts(),
                        s.roomsClosed(), s.orphansReaped());
                return new Observation(h.manager.rooms(), gauges, counters, h.launcher.history(),
                        h.clock.pendingDelays());
            }

            void assertUnchanged(PropertyHarness h, Observation after) {
                if (!rooms.equals(after.rooms)) {
                    throw h.failure("invariant 3: a duplicate changed the rooms from\n  " + rooms + "\nto\n  "
                            + after.rooms);
                }
                if (!gauges.equals(after.gauges)) {
                    throw h.failure("invariant 3: a duplicate changed the stats gauges from " + gauges + " to "
                            + after.gauges);
                }
                List<Long> expected = new ArrayList<>(counters);
                expected.set(1, counters.get(1) + 1);
                if (!expected.equals(after.counters)) {
                    throw h.failure("invariant 3: a duplicate should count once as a duplicate and nothing else;"
                            + " counters went from " + counters + " to " + after.counters);
                }
                if (!launcher.equals(after.launcher)) {
                    throw h.failure("invariant 3: a duplicate reached the launcher: " + launcher + " -> "
                            + after.launcher);
                }
                if (!timers.equals(after.timers)) {
                    throw h.failure("invariant 3: a duplicate changed the timers from " + timers + " to "
                            + after.timers);
                }
            }
        }
    }

    /** Invariant 4: joins and leaves of one session commute; a late leave of an old session is harmless. */
    static final class SessionsCommute implements Checker {
        int lateJoinsDropped;
        int staleLeaves;

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            check(h);
            RoomEvent event = outcome.event();
            if (event == null || outcome.action() instanceof Action.Duplicate) {
                return;
            }
            String room = event.roomName();
            if (event instanceof RoomEvent.ParticipantJoined joined) {
                String session = joined.participant().sessionId();
                EventOutcome expected = outcome.joined() != null ? EventOutcome.APPLIED : EventOutcome.IGNORED;
                if (outcome.eventOutcome() != expected) {
                    throw h.failure("invariant 4: join of " + session + " returned " + outcome.eventOutcome()
                            + ", expected " + expected);
                }
                if (outcome.action() instanceof Action.LateJoin && h.model.isTombstoned(room, session)) {
                    if (present(h, room).contains(session)) {
                        throw h.failure("invariant 4: the late join of " + session
                                + " (its leave came first) made it present");
                    }
                    lateJoinsDropped++;
                }
            } else if (event instanceof RoomEvent.ParticipantLeft left) {
                EventOutcome expected = outcome.left() != null ? EventOutcome.APPLIED : EventOutcome.IGNORED;
                if (outcome.eventOutcome() != expected) {
                    throw h.failure("invariant 4: leave of " + left.participant().sessionId() + " returned "
                            + outcome.eventOutcome() + ", expected " + expected);
                }
                if (outcome.action() instanceof Action.StaleLeave && outcome.left() != null) {
                    String identity = left.participant().identity();
                    for (Participant newer : h.model.present(room)) {
                        if (newer.identity().equals(identity) && !present(h, room).contains(newer.sessionId())) {
                            throw h.failure("invariant 4: the late leave of old session "
                                    + left.participant().sessionId() + " removed the new session "
                                    + newer.sessionId() + " of " + identity);
                        }
                    }
                    staleLeaves++;
                }
            }
        }

        @Override
        public void check(PropertyHarness h) {
            for (RoomSnapshot room : h.rooms().values()) {
                Set<Participant> reported = new HashSet<>(room.participants());
                Set<Participant> expected = new HashSet<>(h.model.present(room.roomName()));
                if (!reported.equals(expected) || reported.size() != room.participants().size()) {
                    throw h.failure("invariant 4: " + room.roomName() + " lists " + room.participants()
                            + "; the model has " + h.model.present(room.roomName()));
                }
            }
        }

        private static Set<String> present(PropertyHarness h, String room) {
            Set<String> sessions = new HashSet<>();
            RoomSnapshot snapshot = h.snapshot(room);
            if (snapshot != null) {
                for (Participant participant : snapshot.participants()) {
                    sessions.add(participant.sessionId());
                }
            }
            return sessions;
        }
    }

    /**
     * Invariant 5: once the last human has left at T, the agent is still live and not asked to stop at
     * T+grace-1ns, and has been asked to stop at T+grace, by the grace timer. A human who rejoins before then
     * cancels it: at T+grace the room is open and its agent untouched.
     */
    static final class Grace implements Checker {
        int expiriesChecked;
        int expiriesWithAgent;
        int cancellationsChecked;
        private final List<Watch> watches = new ArrayList<>();

        private static final class Watch {
            final String room;
            final long deadline;
            RecordingLauncher.Agent agent;
            boolean cancelled;

            Watch(String room, long deadline, RecordingLauncher.Agent agent) {
                this.room = room;
                this.deadline = deadline;
                this.agent = agent;
            }
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            if (h.stopping()) {
                watches.clear();
                return;
            }
            String room = outcome.room();
            Action action = outcome.action();
            boolean closedByRequest = action instanceof Action.AdminClose && Boolean.TRUE.equals(outcome.result())
                    || outcome.event() instanceof RoomEvent.RoomFinished
                            && outcome.eventOutcome() == EventOutcome.APPLIED;
            // A token request keeps the room past its grace period; an adoption keeps the grace period as it is.
            if (outcome.tokenTaken() && !outcome.adoptionTaken() || closedByRequest) {
                watches.removeIf(w -> w.room.equals(room));
            }
            if (outcome.joined() != null && outcome.joined().role() == ParticipantRole.HUMAN) {
                for (Watch watch : watches) {
                    if (watch.room.equals(room)) {
                        watch.cancelled = true;
                    }
                }
            }
            if (outcome.left() != null && outcome.left().role() == ParticipantRole.HUMAN
                    && h.model.humans(room) == 0) {
                startWatch(h, room);
            }
            check(h);
        }

        private void startWatch(PropertyHarness h, String room) {
            RoomSnapshot snapshot = h.snapshot(room);
            if (snapshot == null || snapshot.state() != RoomState.GRACE_PERIOD
                    || !PropertyHarness.GRACE.equals(snapshot.graceRemaining())) {
                throw h.failure("invariant 5: the last human left " + room + " but it is not in a full grace"
                        + " period: " + snapshot);
            }
            RecordingLauncher.Agent agent = h.launcher.liveAgentOf(room);
            if (agent != null && !(agent.started() && agent.stopRequests() == 0
                    && snapshot.agentState() == AgentState.READY)) {
                agent = null;
            }
            long deadline = h.now() + PropertyHarness.GRACE.toNanos();
            watches.removeIf(w -> w.room.equals(room) && w.deadline == deadline);
            watches.add(new Watch(room, deadline, agent));

        }

        @Override
        public void check(PropertyHarness h) {
            if (h.stopping()) {
                watches.clear();
                return;
            }
            long now = h.now();
            for (Iterator<Watch> it = watches.iterator(); it.hasNext(); ) {
                Watch watch = it.next();
                RecordingLauncher.Agent agent = watch.agent;
                if (agent != null && (!agent.live() && agent.stopRequests() == 0 || h.mayCountAsHung(agent))) {
                    watch.agent = null;
                    agent = null;
                }
                RoomSnapshot room = h.snapshot(watch.room);
                if (now - watch.deadline < 0) {
                    boolean open = room != null && (watch.cancelled ? room.state() != RoomState.CLOSING
                            : room.state() == RoomState.GRACE_PERIOD);
                    if (!open) {
                        throw h.failure("invariant 5: " + watch.room + " closed before its grace period ended at "
                                + h.time(watch.deadline) + (watch.cancelled ? " (a human had rejoined)" : "")
                                + ": " + room);
                    }
                    if (agent != null && (!agent.live() || agent.stopRequests() > 0)) {
                        throw h.failure("invariant 5: the agent " + agent + " of " + watch.room
                                + " was stopped before the grace period ended at " + h.time(watch.deadline));
                    }
                    continue;
                }
                it.remove();
                if (watch.cancelled) {
                    if (room == null || room.state() == RoomState.CLOSING) {
                        throw h.failure("invariant 5: a human rejoined " + watch.room
                                + " during its grace period, yet it closed when that period would have ended: "
                                + room);
                    }
                    if (agent != null && (!agent.live() || agent.stopRequests() > 0)) {
                        throw h.failure("invariant 5: a human rejoined " + watch.room + ", yet its agent " + agent
                                + " was stopped when the cancelled grace period would have ended");
                    }
                    cancellationsChecked++;
                    continue;
                }
                if (room != null && room.state() != RoomState.CLOSING) {
                    throw h.failure("invariant 5: " + watch.room + " is still open at the end of its grace period "
                            + h.time(watch.deadline) + ": " + room);
                }
                if (agent != null && agent.stopRequests() == 0) {
                    throw h.failure("invariant 5: the agent " + agent + " of " + watch.room
                            + " was not asked to stop when the grace period ended");
                }
                expiriesChecked++;
                if (agent != null) {
                    expiriesWithAgent++;
                }
            }
        }

        @Override
        public List<Long> checkpoints() {
            List<Long> checkpoints = new ArrayList<>(watches.size() * 2);
            for (Watch watch : watches) {
                checkpoints.add(watch.deadline - 1);
                checkpoints.add(watch.deadline);
            }
            return checkpoints;
        }

        @Override
        public void beforeShutdown(PropertyHarness h) {
            watches.clear();
        }
    }

    /**
     * Invariant 6: after a token request for a room nobody has joined yet, the room stays open and its ready agent
     * is not stopped until the join timeout (measured from the latest such request), whatever maintenance runs;
     * at the join timeout it closes. Adopting the room while nobody is in it ends that wait: the room then lasts
     * until its grace period ends ({@link AdoptedGrace}), until a later token request.
     */
    static final class JoinTimeout implements Checker {
        int timeoutsChecked;
        int readyAgentsKept;
        private final Map<String, Watch> watches = new LinkedHashMap<>();
        private boolean tokenCounts;
        private boolean adoptionEndsWait;

        private static final class Watch {
            long deadline;
            final Set<RecordingLauncher.Agent> ready = new LinkedHashSet<>();

            Watch(long deadline) {
                this.deadline = deadline;
            }
        }

        @Override
        public void before(PropertyHarness h, Action action) {
            tokenCounts = false;
            adoptionEndsWait = false;
            if (action instanceof Action.Token token) {
                String room = h.room(token.room());
                tokenCounts = !h.isClosing(room) && !h.model.hadHuman(room);
            } else if (action instanceof Action.Arrive arrive) {
                String room = h.room(arrive.room());
                tokenCounts = !h.isClosing(room) && !h.model.hadHuman(room);
            } else if (action instanceof Action.Adopt adopt) {
                String room = h.room(adopt.room());
                adoptionEndsWait = !h.isClosing(room) && h.model.humans(room) == 0;
            }
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            String room = outcome.room();
            Action action = outcome.action();
            if (outcome.adoptionTaken() && adoptionEndsWait) {
                // The adoption of an empty room moves its join deadline to the end of its grace period.
                watches.remove(room);
            }
            if (outcome.tokenTaken() && tokenCounts) {
                long deadline = h.now() + PropertyHarness.JOIN_TIMEOUT.toNanos();
                Watch watch = watches.computeIfAbsent(room, r -> new Watch(deadline));
                if (deadline - watch.deadline > 0) {
                    watch.deadline = deadline;
                }
            }
            boolean humanJoined = outcome.joined() != null && outcome.joined().role() == ParticipantRole.HUMAN;
            boolean closedByRequest = action instanceof Action.AdminClose && Boolean.TRUE.equals(outcome.result())
                    || outcome.event() instanceof RoomEvent.RoomFinished
                            && outcome.eventOutcome() == EventOutcome.APPLIED;
            if (humanJoined || closedByRequest) {
                watches.remove(room);
            }
            check(h);
        }

        @Override
        public void check(PropertyHarness h) {
            if (h.stopping()) {
                watches.clear();
                return;
            }
            long now = h.now();
            for (Iterator<Map.Entry<String, Watch>> it = watches.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Watch> entry = it.next();
                String name = entry.getKey();
                Watch watch = entry.getValue();
                RoomSnapshot room = h.snapshot(name);
                if (now - watch.deadline < 0) {
                    if (room == null || room.state() == RoomState.CLOSING) {
                        throw h.failure("invariant 6: " + name + " was closed while waiting for its first human,"
                                + " before the join timeout at " + h.time(watch.deadline) + ": " + room);
                    }
                    RecordingLauncher.Agent agent = h.launcher.liveAgentOf(name);
                    if (agent != null && agent.started() && room.agentState() == AgentState.READY) {
                        watch.ready.add(agent);
                    }
                    for (RecordingLauncher.Agent ready : watch.ready) {
                        if (ready.stopRequests() > 0 && !h.mayCountAsHung(ready)) {
                            throw h.failure("invariant 6: the ready agent " + ready + " of " + name
                                    + " was stopped while waiting for the first human, before the join timeout at "
                                    + h.time(watch.deadline));
                        }
                    }
                    continue;
                }
                it.remove();
                if (room != null && room.state() != RoomState.CLOSING) {
                    throw h.failure("invariant 6: nobody joined " + name + " within the join timeout, yet it is"
                            + " still open at " + h.time(watch.deadline) + ": " + room);
                }
                timeoutsChecked++;
                if (!watch.ready.isEmpty()) {
                    readyAgentsKept++;
                }
            }
        }

        @Override
        public List<Long> checkpoints() {
            List<Long> checkpoints = new ArrayList<>(watches.size() * 2);
            for (Watch watch : watches.values()) {
                checkpoints.add(watch.deadline - 1);
                checkpoints.add(watch.deadline);
            }
            return checkpoints;
        }

        @Override
        public void beforeShutdown(PropertyHarness h) {
            watches.clear();
        }
    }

    /**
     * Invariant 7: a closing room has asked its agent to stop; a removed room has no live agent; no timer outlives
     * its room; after shutdown nothing is left.
     */
    static final class Closing implements Checker {
        int roomsRemoved;
        private final Set<String> tracked = new HashSet<>();

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            boolean closedByRequest = outcome.action() instanceof Action.AdminClose
                    && Boolean.TRUE.equals(outcome.result())
                    || outcome.event() instanceof RoomEvent.RoomFinished
                            && outcome.eventOutcome() == EventOutcome.APPLIED;
            if (closedByRequest) {
                RoomSnapshot room = h.snapshot(outcome.room());
                if (room != null && room.state() != RoomState.CLOSING) {
                    throw h.failure("invariant 7: " + outcome.action() + " left " + outcome.room() + " open: "
                            + room);
                }
            }
            check(h);
        }

        @Override
        public void check(PropertyHarness h) {
            for (String name : h.roomNames) {
                RoomSnapshot room = h.snapshot(name);
                if (room == null) {
                    if (tracked.remove(name)) {
                        roomsRemoved++;
                    }
                    List<RecordingLauncher.Agent> live = h.launcher.liveIn(name);
                    if (!live.isEmpty()) {
                        throw h.failure("invariant 7: " + name + " is gone but its agent is live: " + live);
                    }
                    continue;
                }
                tracked.add(name);
                if (room.state() == RoomState.CLOSING) {
                    for (RecordingLauncher.Agent agent : h.launcher.liveIn(name)) {
                        if (agent.started() && agent.stopRequests() == 0) {
                            throw h.failure("invariant 7: " + name + " is closing but its agent " + agent
                                    + " was not asked to stop");
                        }
                    }
                }
            }
            for (Duration delay : h.clock.pendingDelays()) {
                if (delay.isNegative() || delay.isZero()) {
                    throw h.failure("invariant 7: a timer is already due but has not run, a deadline the engine"
                            + " cannot settle: " + h.clock.pendingDelays());
                }
            }
            int timers = h.clock.pendingTimers();
            int killTimers = h.launcher.pendingKillTimers();
            int remains = h.model.remainsAt(h.now()).size();
            if (h.rooms().isEmpty() && remains == 0 && timers != h.engineTimers() + killTimers) {
                throw h.failure("invariant 7: no rooms and no remains of closed rooms are left, yet " + timers
                        + " timers are pending (" + killTimers + " of them the launcher's): "
                        + h.clock.pendingDelays());
            }
            if (timers > h.engineTimers() + h.rooms().size() + remains + killTimers) {
                throw h.failure("invariant 7: " + timers + " timers pending for " + h.rooms().size()
                        + " rooms and the remains of " + remains + " closed ones: " + h.clock.pendingDelays());
            }
        }

        @Override
        public void afterShutdown(PropertyHarness h) {
            if (!h.closeCompleted()) {
                throw h.failure("invariant 7: closeAsync() has not completed after the stop timeout");
            }
            for (RoomSnapshot room : h.rooms().values()) {
                boolean unreported = h.launcher.launches().stream()
                        .anyMatch(a -> a.spec.roomName().equals(room.roomName()) && a.vanished());
                if (room.state() != RoomState.CLOSING || !unreported) {
                    throw h.failure("invariant 7: room left after shutdown: " + room);
                }
            }
            if (!h.launcher.live().isEmpty()) {
                throw h.failure("invariant 7: agents live after shutdown: " + h.launcher.live());
            }
            if (h.clock.pendingTimers() != 0) {
                throw h.failure("invariant 7: timers pending after shutdown: " + h.clock.pendingDelays());
            }
        }
    }

    /**
     * A closed room stays closed for the replay window: an event the room would ignore (a replay, the late join of a
     * session that left, an event of an instance that has ended, a leave) neither brings it back nor counts a person.
     */
    static final class ClosedRoomsStayClosed implements Checker {
        int eventsKeptOut;
        int roomsReopened;
        private java.util.Set<String> closedBefore = Set.of();

        @Override
        public void before(PropertyHarness h, Action action) {
            closedBefore = h.model.remainsAt(h.now());
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            check(h);
            RoomEvent event = outcome.event();
            if (event == null || !closedBefore.contains(event.roomName()) || outcome.tokenTaken()) {
                return;
            }
            RoomSnapshot room = h.snapshot(event.roomName());
            if (outcome.eventOutcome() == EventOutcome.APPLIED) {
                if (room == null) {
                    throw h.failure("closed rooms: " + event + " was applied to the remains of "
                            + event.roomName() + ", yet the room did not start afresh");
                }
                roomsReopened++;
                return;
            }
            if (room != null) {
                throw h.failure("closed rooms: " + event + " returned " + outcome.eventOutcome() + ", yet it"
                        + " brought " + event.roomName() + " back: " + room);
            }
            eventsKeptOut++;
        }
    }

    /**
     * Invariant 8, as a safety condition checked after every step: a room with humans whose agent is wanted and
     * not failed is never left without one, and never waits in the queue while a slot is free. The eventual part
     * is checked by {@link LifecycleProperties#roomsWithHumansGetAnAgent}.
     */
    static final class NoStarvation implements Checker {
        @Override
        public void check(PropertyHarness h) {
            for (RoomSnapshot room : h.rooms().values()) {
                if (room.humanCount() == 0 || !h.wanted(room.roomName()) || room.state() == RoomState.CLOSING
                        || room.agentState() == AgentState.FAILED) {
                    continue;
                }
                if (room.agentState() == AgentState.NONE) {
                    throw h.failure("invariant 8: " + room.roomName() + " has humans and wants an agent but has"
                            + " none: " + room);
                }
                if (room.agentState() == AgentState.QUEUED && slotsHeld(h, null) < h.config.maxTotalAgents()) {
                    throw h.failure("invariant 8: " + room.roomName() + " waits for a slot while only "
                            + slotsHeld(h, null) + " of " + h.config.maxTotalAgents() + " are held");
                }
            }
        }

        /** Rooms (other than {@code except}) holding one of the {@code maxTotalAgents} slots. */
        static int slotsHeld(PropertyHarness h, String except) {
            int held = 0;
            for (RoomSnapshot room : h.rooms().values()) {
                if (!Objects.equals(room.roomName(), except)
                        && (room.agentState().holdsProcess() || room.agentState() == AgentState.BACKOFF)) {
                    held++;
                }
            }
            return held;
        }
    }

    /**
     * Adopting a room nobody is in: its grace period starts then (or, if one runs already, is kept), and the room
     * keeps its agent until exactly the grace period after that start, unless a human joins first: until then the
     * room is open in its grace period, has an agent (launched, queued or running) and no ready agent of it is asked
     * to stop; at that instant the room closes with {@link CloseReason#GRACE_EXPIRED}, its agent is asked to stop,
     * and no {@link LifecycleEvent.JoinTimedOut} is published. A human who joins first cancels it: the room is still
     * open then. A later token request moves the room's end past the grace period ({@link JoinTimeout}).
     */
    static final class AdoptedGrace implements Checker {
        int expiriesChecked;
        int expiriesWithAgent;
        int gracesKept;
        int cancellationsChecked;
        /** The grace period of each room as followed here, from the last human's leave or an adoption. */
        private final Map<String, Run> graces = new HashMap<>();
        private final List<Watch> watches = new ArrayList<>();
        private boolean closingBefore;

        /** A grace period of one incarnation of a room (told apart by when the engine created it). */
        private record Run(Instant createdAt, long deadline) {}

        private static final class Watch {
            final String room;
            final long deadline;
            final Set<RecordingLauncher.Agent> ready = new LinkedHashSet<>();
            boolean cancelled;

            Watch(String room, long deadline) {
                this.room = room;
                this.deadline = deadline;
            }
        }

        @Override
        public void before(PropertyHarness h, Action action) {
            closingBefore = action instanceof Action.Adopt adopt && h.isClosing(h.room(adopt.room()));
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            if (h.stopping()) {
                watches.clear();
                graces.clear();
                return;
            }
            forgetEndedGraces(h);
            String room = outcome.room();
            boolean closedByRequest = outcome.action() instanceof Action.AdminClose
                    && Boolean.TRUE.equals(outcome.result())
                    || outcome.event() instanceof RoomEvent.RoomFinished
                            && outcome.eventOutcome() == EventOutcome.APPLIED;
            if (closedByRequest || outcome.tokenTaken() && !outcome.adoptionTaken()) {
                watches.removeIf(w -> w.room.equals(room));
            }
            if (outcome.joined() != null && outcome.joined().role() == ParticipantRole.HUMAN) {
                graces.remove(room);
                for (Watch watch : watches) {
                    if (watch.room.equals(room)) {
                        watch.cancelled = true;
                    }
                }
            }
            RoomSnapshot snapshot = room == null ? null : h.snapshot(room);
            if (outcome.left() != null && outcome.left().role() == ParticipantRole.HUMAN
                    && h.model.humans(room) == 0 && snapshot != null) {
                long deadline = h.now() + PropertyHarness.GRACE.toNanos();
                graces.put(room, new Run(snapshot.createdAt(), deadline));
                // Everyone left at the instant of the adoption: the new grace period ends when the cancelled one
                // would have.
                watches.removeIf(w -> w.room.equals(room) && w.cancelled && w.deadline == deadline);
            }
            if (outcome.adoptionTaken() && !closingBefore && h.model.humans(room) == 0) {
                adopted(h, room, snapshot);
            }
            check(h);
        }

        private void adopted(PropertyHarness h, String room, RoomSnapshot snapshot) {
            if (snapshot == null) {
                throw h.failure("adopted grace: the adoption of " + room + " was taken, yet the room is not open");
            }
            Run run = graces.get(room);
            if (run != null) {
                gracesKept++;
            } else {
                run = new Run(snapshot.createdAt(), h.now() + PropertyHarness.GRACE.toNanos());
                graces.put(room, run);
            }
            Duration remaining = Duration.ofNanos(run.deadline() - h.now());
            if (snapshot.state() != RoomState.GRACE_PERIOD || !remaining.equals(snapshot.graceRemaining())) {
                throw h.failure("adopted grace: after the adoption of " + room + ", which nobody is in, its grace"
                        + " period should " + (remaining.equals(PropertyHarness.GRACE) ? "start" : "go on") + " with "
                        + remaining + " left: " + snapshot);
            }
            if (snapshot.agentState() == AgentState.NONE) {
                throw h.failure("adopted grace: the adoption of " + room + " left it without an agent: "
                        + snapshot);
            }
            watches.removeIf(w -> w.room.equals(room));
            watches.add(new Watch(room, run.deadline()));
        }

        /** Forgets the grace periods that have ended, and those of rooms that closed or started afresh since. */
        private void forgetEndedGraces(PropertyHarness h) {
            long now = h.now();
            graces.entrySet().removeIf(entry -> {
                RoomSnapshot room = h.snapshot(entry.getKey());
                return room == null || room.state() == RoomState.CLOSING
                        || !room.createdAt().equals(entry.getValue().createdAt())
                        || now - entry.getValue().deadline() >= 0;
            });
        }

        @Override
        public void check(PropertyHarness h) {
            if (h.stopping()) {
                watches.clear();
                graces.clear();
                return;
            }
            long now = h.now();
            for (Iterator<Watch> it = watches.iterator(); it.hasNext(); ) {
                Watch watch = it.next();
                RoomSnapshot room = h.snapshot(watch.room);
                if (now - watch.deadline < 0) {
                    boolean open = room != null && (watch.cancelled ? room.state() != RoomState.CLOSING
                            : room.state() == RoomState.GRACE_PERIOD);
                    if (!open) {
                        throw h.failure("adopted grace: " + watch.room + " closed before the grace period its"
                                + " adoption runs ended at " + h.time(watch.deadline)
                                + (watch.cancelled ? " (a human had joined)" : "") + ": " + room);
                    }
                    RecordingLauncher.Agent agent = h.launcher.liveAgentOf(watch.room);
                    if (agent != null && agent.started() && agent.stopRequests() == 0
                            && room.agentState() == AgentState.READY) {
                        watch.ready.add(agent);
                    }
                    for (RecordingLauncher.Agent ready : watch.ready) {
                        if (ready.stopRequests() > 0 && !h.mayCountAsHung(ready)) {
                            throw h.failure("adopted grace: the ready agent " + ready + " of " + watch.room
                                    + " was asked to stop before the grace period its adoption runs ended at "
                                    + h.time(watch.deadline));
                        }
                    }
                    continue;
                }
                it.remove();
                if (watch.cancelled) {
                    if (room == null || room.state() == RoomState.CLOSING) {
                        throw h.failure("adopted grace: a human joined " + watch.room + " during the grace period"
                                + " its adoption started, yet it closed when that period would have ended: "
                                + room);
                    }
                    cancellationsChecked++;
                    continue;
                }
                expired(h, watch, room);
            }
            forgetEndedGraces(h);
        }

        private void expired(PropertyHarness h, Watch watch, RoomSnapshot room) {
            if (room != null && room.state() != RoomState.CLOSING) {
                throw h.failure("adopted grace: " + watch.room + " is still open when the grace period its"
                        + " adoption runs ended at " + h.time(watch.deadline) + ": " + room);
            }
            CloseReason reason = null;
            for (PropertyHarness.Published published : h.published()) {
                if (published.at() != watch.deadline || !published.event().roomName().equals(watch.room)) {
                    continue;
                }
                if (published.event() instanceof LifecycleEvent.RoomClosing closing) {
                    reason = closing.reason();
                } else if (published.event() instanceof LifecycleEvent.JoinTimedOut) {
                    throw h.failure("adopted grace: the grace period " + watch.room + " was adopted with ended at "
                            + h.time(watch.deadline) + ", yet a join timeout was published then");
                }
            }
            if (reason != CloseReason.GRACE_EXPIRED) {
                throw h.failure("adopted grace: " + watch.room + " should have closed with GRACE_EXPIRED when the"
                        + " grace period its adoption runs ended at " + h.time(watch.deadline) + ", not "
                        + reason);
            }
            for (RecordingLauncher.Agent agent : h.launcher.liveIn(watch.room)) {
                if (agent.started() && agent.stopRequests() == 0) {
                    throw h.failure("adopted grace: the agent " + agent + " of " + watch.room + " was not asked to"
                            + " stop when the grace period its adoption runs ended");
                }
            }
            for (RecordingLauncher.Agent ready : watch.ready) {
                if (ready.live() && ready.stopRequests() == 0) {
                    throw h.failure("adopted grace: the ready agent " + ready + " of " + watch.room + " was not"
                            + " asked to stop when the grace period its adoption runs ended");
                }
            }
            expiriesChecked++;
            if (!watch.ready.isEmpty()) {
                expiriesWithAgent++;
            }
        }

        @Override
        public List<Long> checkpoints() {
            List<Long> checkpoints = new ArrayList<>(watches.size() * 2);
            for (Watch watch : watches) {
                checkpoints.add(watch.deadline - 1);
                checkpoints.add(watch.deadline);
            }
            return checkpoints;
        }

        @Override
        public void beforeShutdown(PropertyHarness h) {
            watches.clear();
            graces.clear();
        }
    }

    /**
     * Adopting a room whose agent is live (launching, running or stopping) launches nothing: no launch call for the
     * room during the adoption, and the answer is not {@link EnsureResult.Status#LAUNCHED}.
     */
    static final class AdoptionLaunchesNothing implements Checker {
        int adoptionsOfLiveAgents;
        private List<RecordingLauncher.Agent> liveBefore = List.of();
        private int launchesBefore;

        @Override
        public void before(PropertyHarness h, Action action) {
            if (action instanceof Action.Adopt adopt) {
                String room = h.room(adopt.room());
                liveBefore = h.launcher.liveIn(room);
                launchesBefore = h.launcher.launchesIn(room).size();
            } else {
                liveBefore = List.of();
            }
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            if (outcome.action() instanceof Action.Adopt && !liveBefore.isEmpty()) {
                List<RecordingLauncher.Agent> launches = h.launcher.launchesIn(outcome.room());
                if (launches.size() != launchesBefore) {
                    throw h.failure("adoption: " + outcome.room() + " had the live agent " + liveBefore
                            + ", yet its adoption launched " + launches.subList(launchesBefore, launches.size()));
                }
                if (outcome.token().status() == EnsureResult.Status.LAUNCHED) {
                    throw h.failure("adoption: " + outcome.room() + " had the live agent " + liveBefore
                            + ", yet its adoption was answered " + outcome.token());
                }
                adoptionsOfLiveAgents++;
            }
            check(h);
        }
    }

    /**
     * Adopting a room with people in it sets no deadline: the room is active, with no grace period, and as long as
     * a human stays it stays open, publishes no join timeout or grace expiry, and no ready agent of it is asked to
     * stop (unless it fell silent for the heartbeat timeout).
     */
    static final class AdoptionWithPeople implements Checker {
        int adoptionsWithPeople;
        int stepsWatched;
        private final Map<String, Set<RecordingLauncher.Agent>> watches = new LinkedHashMap<>();
        private boolean closingBefore;
        private int publishedBefore;

        @Override
        public void before(PropertyHarness h, Action action) {
            closingBefore = action instanceof Action.Adopt adopt && h.isClosing(h.room(adopt.room()));
            publishedBefore = h.published().size();
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            if (h.stopping()) {
                watches.clear();
                return;
            }
            String room = outcome.room();
            boolean closedByRequest = outcome.action() instanceof Action.AdminClose
                    && Boolean.TRUE.equals(outcome.result())
                    || outcome.event() instanceof RoomEvent.RoomFinished
                            && outcome.eventOutcome() == EventOutcome.APPLIED;
            if (closedByRequest) {
                watches.remove(room);
            }
            boolean adoptedNow = outcome.adoptionTaken() && !closingBefore && h.model.humans(room) > 0;
            if (adoptedNow) {
                RoomSnapshot snapshot = h.snapshot(room);
                if (snapshot == null || snapshot.state() != RoomState.ACTIVE || snapshot.graceRemaining() != null) {
                    throw h.failure("adoption with people: " + room + " has humans, yet after its adoption it is"
                            + " not active without a grace period: " + snapshot);
                }
                watches.putIfAbsent(room, new LinkedHashSet<>());
                adoptionsWithPeople++;
            }
            List<PropertyHarness.Published> published = h.published();
            for (PropertyHarness.Published p : published.subList(publishedBefore, published.size())) {
                String name = p.event().roomName();
                if (!watches.containsKey(name)) {
                    continue;
                }
                boolean deadline = p.event() instanceof LifecycleEvent.JoinTimedOut
                        || p.event() instanceof LifecycleEvent.GraceExpired
                        || p.event() instanceof LifecycleEvent.GraceStarted
                                && h.model.humans(name) > 0;
                if (deadline) {
                    throw h.failure("adoption with people: " + name + " was adopted with people in it, who are"
                            + " still there, yet " + p.event() + " was published at " + h.time(p.at()));
                }
            }
            watches.keySet().removeIf(name -> h.model.humans(name) == 0);
            check(h);
        }

        @Override
        public void check(PropertyHarness h) {
            if (h.stopping()) {
                watches.clear();
                return;
            }
            for (Map.Entry<String, Set<RecordingLauncher.Agent>> entry : watches.entrySet()) {
                String name = entry.getKey();
                RoomSnapshot room = h.snapshot(name);
                if (room == null || room.state() == RoomState.CLOSING) {
                    throw h.failure("adoption with people: " + name + " was adopted with people in it, who are"
                            + " still there, yet it closed: " + room);
                }
                RecordingLauncher.Agent agent = h.launcher.liveAgentOf(name);
                if (agent != null && agent.started() && agent.stopRequests() == 0
                        && room.agentState() == AgentState.READY) {
                    entry.getValue().add(agent);
                }
                for (RecordingLauncher.Agent ready : entry.getValue()) {
                    if (ready.stopRequests() > 0 && !h.mayCountAsHung(ready)) {
                        throw h.failure("adoption with people: the ready agent " + ready + " of " + name
                                + ", adopted with people who are still there, was asked to stop");
                    }
                }
                stepsWatched++;
            }
        }
    }

    /**
     * Drains: from the call on, the manager is draining (or closed, when nothing was left to wait for) and never
     * running again; it launches no agent for a room that was not open when the drain began, and answers a token
     * request for a room it does not serve with {@link EnsureResult.Status#DRAINING}, and an adoption with it
     * exactly when the room is not open with its agent wanted or present; it does not stop the ready agent of a
     * room in use that it serves; it closes before the timeout only once no agent is left, and at the timeout at
     * the latest; once the drain's stage has completed the manager is closed and every agent is gone or
     * being stopped (a launch that completes while the manager closes is stopped at once, and killed after the stop
     * timeout if it hangs; {@link Closing} checks that nothing is left after shutdown).
     */
    static final class Draining implements Checker {
        int drains;
        int drainsEndedByRooms;
        int drainsTimedOut;
        int tokensRefused;
        int adoptionsRefused;
        private Set<String> openAtDrain;
        /** Launches looked at so far: those before the drain, then those checked since. */
        private int launchesChecked;
        private long deadline;
        private ManagerState stateBefore;
        private List<RecordingLauncher.Agent> liveBefore = List.of();
        private boolean servedBefore;
        /** Whether, before the step, the room was open with its agent wanted or present. */
        private boolean lookedAfterBefore;
        /** Agents stopped because the manager closed, looked at so far. */
        private int shutdownStopsChecked;
        /** Whether the drain closed the manager before its timeout; null until it has closed it. */
        private Boolean endedBeforeTimeout;

        @Override
        public void before(PropertyHarness h, Action action) {
            stateBefore = h.manager.state();
            liveBefore = h.launcher.live();
            String room = action instanceof Action.Token token ? h.room(token.room())
                    : action instanceof Action.Arrive arrive ? h.room(arrive.room())
                    : action instanceof Action.Adopt adopt ? h.room(adopt.room()) : null;
            servedBefore = room != null && openAtDrain != null && openAtDrain.contains(room)
                    && h.snapshot(room) != null;
            RoomSnapshot snapshot = room == null ? null : h.snapshot(room);
            lookedAfterBefore = snapshot != null && (h.wanted(room) || snapshot.agentState() != AgentState.NONE);
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            if (outcome.action() instanceof Action.Drain drain) {
                ManagerState state = h.manager.state();
                if (openAtDrain == null && stateBefore == ManagerState.RUNNING) {
                    openAtDrain = new HashSet<>(h.rooms().keySet());
                    shutdownStopsChecked = h.stoppedForShutdown().size();
                    launchesChecked = h.launcher.launches().size();
                    deadline = h.now() + Duration.ofSeconds(drain.timeoutSeconds()).toNanos();
                    drains++;
                    if (state != ManagerState.DRAINING && (state != ManagerState.CLOSED || !liveBefore.isEmpty())) {
                        throw h.failure("drain: right after drainAsync the manager is " + state
                                + (liveBefore.isEmpty() ? "" : ", although agents were live: " + liveBefore));
                    }
                } else if (stateBefore != state) {
                    throw h.failure("drain: drainAsync again moved the manager from " + stateBefore + " to " + state);
                }
            }
            EnsureResult token = outcome.token();
            if (token != null && openAtDrain != null && stateBefore == ManagerState.DRAINING && !servedBefore) {
                if (token.status() != EnsureResult.Status.DRAINING || token.room() != null) {
                    throw h.failure("drain: " + (outcome.action() instanceof Action.Adopt ? "an adoption of "
                            : "a token request for ") + outcome.room() + ", which the draining manager"
                            + " does not serve, was answered " + token);
                }
                tokensRefused++;
            }
            if (token != null && outcome.action() instanceof Action.Adopt && stateBefore == ManagerState.DRAINING) {
                boolean refused = token.status() == EnsureResult.Status.DRAINING;
                if (refused == lookedAfterBefore || refused && token.room() != null) {
                    throw h.failure("drain: the draining manager " + (lookedAfterBefore ? "already looked after"
                            : "did not look after") + " the agent of " + outcome.room() + ", yet its adoption"
                            + " was answered " + token);
                }
                if (refused) {
                    adoptionsRefused++;
                }
            }
            check(h);
        }

        @Override
        public void check(PropertyHarness h) {
            if (openAtDrain == null) {
                return;
            }
            ManagerState state = h.manager.state();
            if (state == ManagerState.RUNNING || state == ManagerState.NEW) {
                throw h.failure("drain: the manager is " + state + " again after a drain");
            }
            List<RecordingLauncher.Agent> launches = h.launcher.launches();
            for (; launchesChecked < launches.size(); launchesChecked++) {
                RecordingLauncher.Agent agent = launches.get(launchesChecked);
                if (!openAtDrain.contains(agent.spec.roomName())) {
                    throw h.failure("drain: agent " + agent + " was launched for " + agent.spec.roomName()
                            + ", which was not open when the drain began (open then, and not ended since: "
                            + openAtDrain + ")");
                }
            }
            openAtDrain.removeIf(name -> h.snapshot(name) == null);
            long now = h.now();
            List<String> stoppedForShutdown = h.stoppedForShutdown();
            for (; shutdownStopsChecked < stoppedForShutdown.size(); shutdownStopsChecked++) {
                if (now - deadline < 0 && !h.shuttingDown()) {
                    throw h.failure("drain: the agent of " + stoppedForShutdown.get(shutdownStopsChecked)
                            + " was stopped as the manager closed, before the drain's timeout " + h.time(deadline));
                }
            }
            if (state == ManagerState.DRAINING) {
                if (now - deadline >= 0) {
                    throw h.failure("drain: still draining at its timeout " + h.time(deadline));
                }
                for (String name : openAtDrain) {
                    RoomSnapshot room = h.snapshot(name);
                    RecordingLauncher.Agent agent = h.launcher.liveAgentOf(name);
                    if (room != null && room.state() == RoomState.ACTIVE && room.agentState() == AgentState.READY
                            && agent != null && agent.started() && agent.stopRequests() > 0
                            && !h.mayCountAsHung(agent)) {
                        throw h.failure("drain: the ready agent " + agent + " of " + name + ", a room in use that"
                                + " the draining manager serves, was asked to stop: " + room);
                    }
                }
                return;
            }
            if (endedBeforeTimeout == null && !h.shuttingDown()) {
                endedBeforeTimeout = now - deadline < 0;
                List<RecordingLauncher.Agent> left = h.launcher.live();
                if (endedBeforeTimeout && (state != ManagerState.CLOSED || !left.isEmpty())) {
                    throw h.failure("drain: the manager is " + state + " before the drain's timeout "
                            + h.time(deadline) + (left.isEmpty() ? "" : " with agents left: " + left));
                }
            }
            CompletableFuture<Void> drained = h.drained();
            if (Boolean.FALSE.equals(endedBeforeTimeout) && now - closedBy() >= 0 && !drained.isDone()) {
                throw h.failure("drain: timed out at " + h.time(deadline) + " but not closed by " + h.time(closedBy())
                        + ", the stop timeout later; agents: " + h.launcher.live());
            }
            if (drained.isDone()) {
                if (state != ManagerState.CLOSED) {
                    throw h.failure("drain: its stage completed while the manager is " + state);
                }
                List<RecordingLauncher.Agent> running = h.launcher.live().stream()
                        .filter(a -> a.started() && a.stopRequests() == 0).toList();
                if (!running.isEmpty()) {
                    throw h.failure("drain: its stage completed with agents running: " + running);
                }
            }
        }

        /** When a drain that timed out must have closed the manager: once its agents had the stop timeout. */
        private long closedBy() {
            return deadline + PropertyHarness.STOP_TIMEOUT.plusSeconds(1).toNanos();
        }

        @Override
        public List<Long> checkpoints() {
            if (openAtDrain == null || Boolean.TRUE.equals(endedBeforeTimeout)) {
                return List.of();
            }
            return List.of(deadline - 1, deadline, closedBy());
        }

        @Override
        public void afterShutdown(PropertyHarness h) {
            if (openAtDrain == null) {
                return;
            }
            if (!h.drained().isDone()) {
                throw h.failure("drain: its stage did not complete when the manager closed");
            }
            if (Boolean.TRUE.equals(endedBeforeTimeout)) {
                drainsEndedByRooms++;
            } else if (Boolean.FALSE.equals(endedBeforeTimeout)) {
                drainsTimedOut++;
            }
        }
    }

    /** Several checkers at once, in order. */
    static final class AllOf implements Checker {
        private final List<Checker> checkers;

        AllOf(Checker... checkers) {
            this.checkers = List.of(checkers);
        }

        @Override
        public void before(PropertyHarness h, Action action) {
            checkers.forEach(c -> c.before(h, action));
        }

        @Override
        public void after(PropertyHarness h, Outcome outcome) {
            checkers.forEach(c -> c.after(h, outcome));
        }

        @Override
        public void check(PropertyHarness h) {
            checkers.forEach(c -> c.check(h));
        }

        @Override
        public List<Long> checkpoints() {
            List<Long> all = new ArrayList<>();
            checkers.forEach(c -> all.addAll(c.checkpoints()));
            return all;
        }

        @Override
        public void beforeShutdown(PropertyHarness h) {
            checkers.forEach(c -> c.beforeShutdown(h));
        }

        @Override
        public void afterShutdown(PropertyHarness h) {
            checkers.forEach(c -> c.afterShutdown(h));
        }
    }
}
