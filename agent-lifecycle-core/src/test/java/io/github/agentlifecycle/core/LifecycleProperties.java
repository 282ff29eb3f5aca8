package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.PropertyHarness.Settings;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The invariants of DESIGN.md ("Core architecture"), each checked after every step of random scenarios: token
 * requests, adoptions of rooms found in progress, joins and leaves (reordered, duplicated, of old sessions), room starts and finishes, agent crashes,
 * clean exits, hangs, failed and delayed launches, admin closes, maintenance runs and clock advances, with three
 * or four rooms competing for two or three agent slots.
 */
class LifecycleProperties {

    @BeforeContainer
    static void captureEngineLog() {
        PropertyHarness.captureEngineLog();
    }

    @AfterContainer
    static void releaseEngineLog() {
        PropertyHarness.releaseEngineLog();
    }

    @Provide
    Arbitrary<Settings> settings() {
        return Settings.any();
    }

    @Provide
    Arbitrary<Action> actions() {
        return Action.any();
    }

    @Provide
    Arbitrary<Action> actionsWithDrain() {
        return Action.withDrain();
    }

    /**
     * Invariant 1: at most one agent per room is launching, running or stopping, and at most {@code maxTotalAgents}
     * in all, counted from the launch calls and exits the launcher saw.
     */
    @Property(tries = 1000)
    void atMostOneAgentPerRoomAndMaxTotalAgentsInAll(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        new PropertyHarness(settings, new Invariants.AgentLimits()).run(actions);
    }

    /**
     * Invariant 2: each room's human count equals the number of distinct human sessions present according to an
     * independent model, never negative, and agrees with the participants listed.
     */
    @Property(tries = 1000)
    void humanCountEqualsDistinctHumanSessions(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        new PropertyHarness(settings, new Invariants.HumanCounts()).run(actions);
    }

    /**
     * Invariant 3: redelivering an event id returns {@link EventOutcome#DUPLICATE} and changes no snapshot, no
     * gauge, no timer and nothing at the launcher.
     */
    @Property(tries = 1000)
    void duplicateEventsChangeNothing(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        Invariants.Idempotence checker = new Invariants.Idempotence();
        new PropertyHarness(settings, checker).run(actions);
        Statistics.label("duplicates checked").collect(checker.duplicatesChecked > 0);
        Statistics.label("duplicates checked").coverage(c -> c.check(true).percentage(p -> p > 70));
    }

    /**
     * Invariant 4: a join and a leave of one session commute (a leave that arrives first leaves a tombstone and the
     * late join is ignored), and a late leave of an old session never removes the identity's new session.
     */
    @Property(tries = 1000)
    void joinAndLeaveOfOneSessionCommute(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        Invariants.SessionsCommute checker = new Invariants.SessionsCommute();
        new PropertyHarness(settings, checker).run(actions);
        Statistics.label("late join dropped").collect(checker.lateJoinsDropped > 0);
        Statistics.label("stale leave of an old session").collect(checker.staleLeaves > 0);
        Statistics.label("late join dropped").coverage(c -> c.check(true).percentage(p -> p > 25));
        Statistics.label("stale leave of an old session").coverage(c -> c.check(true).percentage(p -> p > 15));
    }

    /**
     * Invariant 5: when the last human leaves at T, the agent is still live at T+grace-1ns and has been asked to
     * stop at T+grace, by the grace timer rather than a maintenance tick; a rejoin before then cancels it.
     */
    @Property(tries = 1000)
    void agentStopsExactlyWhenTheGracePeriodEnds(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        Invariants.Grace checker = new Invariants.Grace();
        new PropertyHarness(settings, checker).run(actions);
        Statistics.label("grace expiry").collect(checker.expiriesChecked > 0);
        Statistics.label("grace expiry with a ready agent").collect(checker.expiriesWithAgent > 0);
        Statistics.label("grace cancelled by a rejoin").collect(checker.cancellationsChecked > 0);
        Statistics.label("grace expiry").coverage(c -> c.check(true).percentage(p -> p > 10));
        Statistics.label("grace expiry with a ready agent").coverage(c -> c.check(true).percentage(p -> p > 1));
        Statistics.label("grace cancelled by a rejoin").coverage(c -> c.check(true).percentage(p -> p > 2));
    }

    /**
     * Invariant 6: a room whose agent was requested by a token and that nobody has joined yet stays open, with its
     * ready agent, until the join timeout, whatever maintenance runs meanwhile.
     */
    @Property(tries = 1000)
    void tokenRoomWaitsForItsFirstHumanUntilTheJoinTimeout(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        Invariants.JoinTimeout checker = new Invariants.JoinTimeout();
        new PropertyHarness(settings, checker).run(actions);
        Statistics.label("join timeout reached").collect(checker.timeoutsChecked > 0);
        Statistics.label("ready agent kept until the join timeout").collect(checker.readyAgentsKept > 0);
        Statistics.label("join timeout reached").coverage(c -> c.check(true).percentage(p -> p > 6));
        Statistics.label("ready agent kept until the join timeout")
                .coverage(c -> c.check(true).percentage(p -> p > 2));
    }

    /**
     * An adopted room nobody is in keeps its agent until exactly the grace period after its adoption (or after the
     * start of the grace period already running), unless a human joins first; then its agent is asked to stop and
     * the room closes with {@link CloseReason#GRACE_EXPIRED}, without a join timeout.
     */
    @Property(tries = 1000)
    void anAdoptedEmptyRoomKeepsItsAgentUntilItsGracePeriodEnds(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        Invariants.AdoptedGrace checker = new Invariants.AdoptedGrace();
        new PropertyHarness(settings, checker).run(actions);
        Statistics.label("adopted grace expiry").collect(checker.expiriesChecked > 0);
        Statistics.label("adopted grace expiry with a ready agent").collect(checker.expiriesWithAgent > 0);
        Statistics.label("grace already running kept").collect(checker.gracesKept > 0);
        Statistics.label("adopted grace cancelled by a join").collect(checker.cancellationsChecked > 0);
        Statistics.label("adopted grace expiry").coverage(c -> c.check(true).percentage(p -> p > 10));
        Statistics.label("adopted grace expiry with a ready agent")
                .coverage(c -> c.check(true).percentage(p -> p > 1));
        Statistics.label("grace already running kept").coverage(c -> c.check(true).percentage(p -> p > 2));
        Statistics.label("adopted grace cancelled by a join").coverage(c -> c.check(true).percentage(p -> p > 2));
    }

    /**
     * Adopting a room whose agent is live launches nothing, and at most one agent per room is live at any time;
     * adopting a room with people in it sets no deadline: its agent stays while they stay.
     */
    @Property(tries = 1000)
    void adoptingLaunchesNoSecondAgentAndSetsNoDeadlineWhilePeopleStay(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        Invariants.AdoptionLaunchesNothing launches = new Invariants.AdoptionLaunchesNothing();
        Invariants.AdoptionWithPeople people = new Invariants.AdoptionWithPeople();
        new PropertyHarness(settings, new Invariants.AllOf(launches, people, new Invariants.AgentLimits()))
                .run(actions);
        Statistics.label("adopted a room with a live agent").collect(launches.adoptionsOfLiveAgents > 0);
        Statistics.label("adopted a room with people").collect(people.adoptionsWithPeople > 0);
        Statistics.label("adopted a room with a live agent").coverage(c -> c.check(true).percentage(p -> p > 30));
        Statistics.label("adopted a room with people").coverage(c -> c.check(true).percentage(p -> p > 30));
    }

    /**
     * Invariant 7: closing a room (grace expiry, join timeout, room_finished, admin close, shutdown) stops its
     * agent; a removed room has no live agent and no timer; after shutdown no agent, room or timer is left.
     */
    @Property(tries = 1000)
    void closingARoomStopsItsAgentAndLeavesNoTimers(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        Invariants.Closing checker = new Invariants.Closing();
        new PropertyHarness(settings, checker).run(actions);
        Statistics.label("room removed before shutdown").collect(checker.roomsRemoved > 0);
        Statistics.label("room removed before shutdown").coverage(c -> c.check(true).percentage(p -> p > 50));
    }

    /**
     * A closed room is remembered for the replay window: replayed events, late joins of sessions that left, events
     * of instances that ended and leaves keep it closed; anything else starts it afresh, with the people the model
     * expects.
     */
    @Property(tries = 1000)
    void lateEventsDoNotBringAClosedRoomBack(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions) {
        Invariants.ClosedRoomsStayClosed checker = new Invariants.ClosedRoomsStayClosed();
        new PropertyHarness(settings, checker).run(actions);
        Statistics.label("late event kept out of a closed room").collect(checker.eventsKeptOut > 0);
        Statistics.label("closed room started afresh").collect(checker.roomsReopened > 0);
        Statistics.label("late event kept out of a closed room").coverage(c -> c.check(true).percentage(p -> p > 30));
        Statistics.label("closed room started afresh").coverage(c -> c.check(true).percentage(p -> p > 20));
    }

    /**
     * Drains at any point of a scenario: the manager takes no new room (a token request for one is answered {@code
     * DRAINING} and launches nothing) while the rooms it serves go on, their ready agents kept until the rooms end;
     * it closes once no agent is left, or at the timeout, after which nothing is live. Invariants 1 to 7, the
     * safety part of 8 and those of adopted rooms hold throughout, drains included.
     */
    @Property(tries = 1000)
    void drainTakesNoNewRoomAndClosesOnceItsRoomsHaveEndedOrAtItsTimeout(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actionsWithDrain") Action> actions) {
        Invariants.Draining draining = new Invariants.Draining();
        new PropertyHarness(settings, new Invariants.AllOf(draining, new Invariants.AgentLimits(),
                new Invariants.HumanCounts(), new Invariants.Idempotence(), new Invariants.SessionsCommute(),
                new Invariants.Grace(), new Invariants.JoinTimeout(), new Invariants.Closing(),
                new Invariants.ClosedRoomsStayClosed(), new Invariants.NoStarvation(), new Invariants.AdoptedGrace(),
                new Invariants.AdoptionLaunchesNothing(), new Invariants.AdoptionWithPeople())).run(actions);
        Statistics.label("drained").collect(draining.drains > 0);
        Statistics.label("drain ended as its rooms did").collect(draining.drainsEndedByRooms > 0);
        Statistics.label("drain timed out").collect(draining.drainsTimedOut > 0);
        Statistics.label("token refused while draining").collect(draining.tokensRefused > 0);
        Statistics.label("drained").coverage(c -> c.check(true).percentage(p -> p > 40));
        Statistics.label("drain ended as its rooms did").coverage(c -> c.check(true).percentage(p -> p > 15));
        Statistics.label("drain timed out").coverage(c -> c.check(true).percentage(p -> p > 8));
        Statistics.label("token refused while draining").coverage(c -> c.check(true).percentage(p -> p > 3));
    }

    /**
     * Invariant 8: a room with humans present, a token requested, a free slot and restart budget left gets a live,
     * ready agent within the maximum backoff plus the startup timeout (plus the stop timeout when other rooms had
     * to be closed to free a slot). Between steps, such a room never sits without an agent or queued while a slot
     * is free.
     */
    @Property(tries = 1000)
    void roomsWithHumansGetAnAgent(@ForAll("settings") Settings settings,
            @ForAll @Size(min = 50, max = 300) List<@From("actions") Action> actions,
            @ForAll @IntRange(min = 0, max = 3) int target) {
        PropertyHarness h = new PropertyHarness(settings, new Invariants.NoStarvation());
        h.start();
        for (Action action : actions) {
            h.perform(action);
        }
        boolean closedOthers = establishLivenessPreconditions(h, target);
        Duration wait = PropertyHarness.MAX_BACKOFF.plus(PropertyHarness.STARTUP_TIMEOUT).plusSeconds(1);
        if (closedOthers) {
            wait = wait.plus(PropertyHarness.STOP_TIMEOUT);
        }
        h.cooperate(wait);
        String room = h.room(target);
        RoomSnapshot snapshot = h.snapshot(room);
        if (h.launcher.liveIn(room).size() != 1 || snapshot == null || snapshot.agentState() != AgentState.READY) {
            throw h.failure("invariant 8: " + room + " has humans, a token, a free slot and restart budget, yet"
                    + " after " + wait + " it has no ready agent: " + snapshot);
        }
        h.shutdown();
        Statistics.label("other rooms closed to free a slot").collect(closedOthers);
        Statistics.label("other rooms closed to free a slot").coverage(c -> c.check(false).percentage(p -> p > 50));
    }

    /**
     * Ends the scenario in a cooperative world (launches complete, agents answer, nothing fails) and brings the
     * target room to the preconditions of invariant 8: a human present, a token requested (which also clears a
     * spent restart budget) and a free slot, closing the other rooms if no slot is free.
     *
     * @return whether other rooms were closed
     */
    private static boolean establishLivenessPreconditions(PropertyHarness h, int target) {
        String room = h.room(target);
        h.cooperate(PropertyHarness.STOP_TIMEOUT.multipliedBy(2).plusSeconds(1));
        for (int i = 0; i < 30 && h.isClosing(room); i++) {
            h.cooperate(Duration.ofSeconds(1));
        }
        h.perform(new Action.HumanJoin(target, 0));
        h.perform(new Action.Token(target));
        boolean closedOthers = false;
        if (Invariants.NoStarvation.slotsHeld(h, room) >= h.config.maxTotalAgents()) {
            for (int i = 0; i < h.roomNames.size(); i++) {
                if (!h.room(i).equals(room) && h.snapshot(h.room(i)) != null) {
                    h.perform(new Action.AdminClose(i));
                }
            }
            closedOthers = true;
        }
        RoomSnapshot snapshot = h.snapshot(room);
        if (snapshot == null || snapshot.humanCount() == 0 || snapshot.state() != RoomState.ACTIVE
                || snapshot.agentState() == AgentState.FAILED) {
            throw h.failure("invariant 8: could not bring " + room + " to a room with humans, a token and restart"
                    + " budget: " + snapshot);
        }
        return closedOthers;
    }
}
