package io.github.agentlifecycle.core;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * One step of a generated scenario. Steps name their targets by small indices ({@code room}, {@code pick}) that
 * {@link PropertyHarness} resolves against what exists at that moment (modulo the number of candidates), so that
 * every shrunk sequence is still meaningful. A step whose target does not exist does nothing.
 */
sealed interface Action {

    /** A token request for a room: {@link AgentManager#ensureAgent(String)}. */
    record Token(int room) implements Action {}

    /** The room is found in progress and taken in charge: {@link AgentManager#adoptRoom(String)}. */
    record Adopt(int room) implements Action {}

    /** A client requests a token for the room, then joins it as a human with a new session. */
    record Arrive(int room, int identity) implements Action {}

    /** A human joins with a new session under identity number {@code identity}, without a token request. */
    record HumanJoin(int room, int identity) implements Action {}

    /** A present human session leaves (or its connection is aborted). */
    record HumanLeave(int room, int pick, boolean aborted) implements Action {}

    /** A present human reconnects: a new session of the same identity joins while the old one is still present. */
    record Rejoin(int room, int pick) implements Action {}

    /** The late leave of the older session of an identity that has rejoined with a newer session. */
    record StaleLeave(int room, int pick) implements Action {}

    /** A new human session whose leave (or aborted connection) is delivered before its join. */
    record LeaveFirst(int room, int identity, boolean aborted) implements Action {}

    /** A new human session joins, but the event names an instance of the room known to have ended. */
    record StaleInstanceJoin(int room, int identity, int pick) implements Action {}

    /** The late join of a session whose leave was delivered first. */
    record LateJoin(int pick) implements Action {}

    /**
     * A live agent joins its room as a participant; a stranger agent joins room {@code pick} instead when {@code
     * stranger} or when no agent is live.
     */
    record AgentJoin(int pick, boolean stranger) implements Action {}

    /** A present non-human session (agent or other) leaves. */
    record NonHumanLeave(int room, int pick) implements Action {}

    /** A participant that is neither human nor agent (a recorder, an ingress) joins. */
    record OtherJoin(int room) implements Action {}

    /** A heartbeat from a live agent, or from the agent before it in the same room when {@code stale}. */
    record Heartbeat(int pick, boolean stale) implements Action {}

    /** An event delivered earlier is delivered again with the same event id. */
    record Duplicate(int pick) implements Action {}

    /** A new instance of the room starts (new room sid). */
    record RoomStarted(int room) implements Action {}

    /** A room instance finished: the newest one, an older one, or one without a sid. */
    record RoomFinished(int room, Instance instance) implements Action {}

    /** Time passes. */
    record Advance(Step step, long amount) implements Action {}

    /** A running agent exits by itself with {@code code} (1: a crash, 0: a clean exit). */
    record Exit(int pick, int code) implements Action {}

    /** A running agent dies without its exit being reported; only the health check can notice. */
    record Vanish(int pick) implements Action {}

    /** The next agent launched ignores stop requests until it is killed. */
    record HangNext() implements Action {}

    /** The next launch fails. */
    record FailNext() implements Action {}

    /** The next launch waits until a {@link StartPending} or {@link FailPending}. */
    record DelayNext() implements Action {}

    /** A waiting launch completes. */
    record StartPending(int pick) implements Action {}

    /** A waiting launch fails. */
    record FailPending(int pick) implements Action {}

    /** An administrator closes the room. */
    record AdminClose(int room) implements Action {}

    /** Garbage collection and the health check run now. */
    record Maintenance() implements Action {}

    /** The manager is drained: {@link AgentManager#drainAsync(java.time.Duration)} with this timeout. */
    record Drain(long timeoutSeconds) implements Action {}

    /** Which room instance a {@link RoomFinished} names. */
    enum Instance { CURRENT, OLDER, NONE }

    /** How far an {@link Advance} moves the clock. */
    enum Step {
        /** One nanosecond. */
        NANO,
        /** Exactly to the earliest pending timer. */
        TO_NEXT_TIMER,
        /** To one nanosecond before the earliest pending timer. */
        BEFORE_NEXT_TIMER,
        /** {@code amount} seconds. */
        SECONDS,
        /** {@code amount} minutes. */
        MINUTES
    }

    /**
     * Every kind of step, weighted so that rooms fill, empty, close and reopen within a few hundred steps. Rooms are
     * chosen unevenly so that one or two rooms see whole lifecycles while the others compete for agent slots.
     */
    static Arbitrary<Action> any() {
        Arbitrary<Integer> room = Arbitraries.frequency(
                Tuple.of(4, 0), Tuple.of(3, 1), Tuple.of(2, 2), Tuple.of(1, 3));
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 7);
        Arbitrary<Integer> identity = Arbitraries.integers().between(0, 2);
        Arbitrary<Boolean> flag = Arbitraries.of(false, false, false, true);
        return Arbitraries.frequencyOf(
                Tuple.of(4, room.map(Token::new)),
                Tuple.of(4, room.map(Adopt::new)),
                Tuple.of(8, Combinators.combine(room, identity).as(Arrive::new)),
                Tuple.of(5, Combinators.combine(room, identity).as(HumanJoin::new)),
                Tuple.of(8, Combinators.combine(room, pick, flag).as(HumanLeave::new)),
                Tuple.of(3, Combinators.combine(room, pick).as(Rejoin::new)),
                Tuple.of(3, Combinators.combine(room, pick).as(StaleLeave::new)),
                Tuple.of(3, Combinators.combine(room, identity, flag).as(LeaveFirst::new)),
                Tuple.of(3, pick.map(LateJoin::new)),
                Tuple.of(2, Combinators.combine(room, identity, pick).as(StaleInstanceJoin::new)),
                Tuple.of(8, Combinators.combine(pick, Arbitraries.of(false, false, false, false, true))
                        .as(AgentJoin::new)),
                Tuple.of(2, Combinators.combine(room, pick).as(NonHumanLeave::new)),
                Tuple.of(2, room.map(OtherJoin::new)),
                Tuple.of(10, Combinators.combine(pick, Arbitraries.of(false, false, false, false, true))
                        .as(Heartbeat::new)),
                Tuple.of(6, Arbitraries.integers().between(0, 200).map(Duplicate::new)),
                Tuple.of(2, room.map(RoomStarted::new)),
                Tuple.of(2, Combinators.combine(room, Arbitraries.of(Instance.class)).as(RoomFinished::new)),
                Tuple.of(18, advance()),
                Tuple.of(3, pick.map(p -> new Exit(p, 1))),
                Tuple.of(1, pick.map(p -> new Exit(p, 0))),
                Tuple.of(1, pick.map(Vanish::new)),
                Tuple.of(2, Arbitraries.just(new HangNext())),
                Tuple.of(2, Arbitraries.just(new FailNext())),
                Tuple.of(2, Arbitraries.just(new DelayNext())),
                Tuple.of(3, pick.map(StartPending::new)),
                Tuple.of(1, pick.map(FailPending::new)),
                Tuple.of(1, room.map(AdminClose::new)),
                Tuple.of(3, Arbitraries.just(new Maintenance())));
    }

    /**
     * Every kind of step of {@link #any()}, and now and then a {@link Drain} with a timeout of up to two and a half
     * minutes (less than, about and more than a grace period), so that most scenarios drain once, at any point.
     */
    static Arbitrary<Action> withDrain() {
        return Arbitraries.frequencyOf(
                Tuple.of(80, any()),
                Tuple.of(1, Arbitraries.longs().between(1, 150).map(Drain::new)));
    }

    /** Clock advances of assorted sizes, including exactly to and just before the next deadline. */
    static Arbitrary<Action> advance() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(new Advance(Step.NANO, 1))),
                Tuple.of(4, Arbitraries.just(new Advance(Step.TO_NEXT_TIMER, 0))),
                Tuple.of(2, Arbitraries.just(new Advance(Step.BEFORE_NEXT_TIMER, 0))),
                Tuple.of(5, Arbitraries.longs().between(1, 90).map(s -> new Advance(Step.SECONDS, s))),
                Tuple.of(2, Arbitraries.longs().between(1, 10).map(m -> new Advance(Step.MINUTES, m))));
    }
}
