package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.spi.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Participant joins and leaves through the engine path users call, {@code AgentManager.apply(RoomEvent)}, with a
 * direct executor so the engine's serial loop runs on the benchmark thread: argument checks, the command queue,
 * de-duplication by event id, the state machine, effects, room deadlines (a leave sets the grace deadline, the
 * next join clears it, behind the engine's one timer on the system clock) and the listeners (the lifecycle log,
 * turned down to warnings).
 *
 * <p>500 rooms, each opened by a token request with its agent joined; every room alternates between a human
 * joining and leaving (see {@link RoomTraffic}). One operation is one event. The system clock is used because it
 * is what runs in production; with the default 60 s grace period no timer falls due during a run.
 *
 * <p>Each room remembers the last 1024 sessions that left it, so its cost depends on its history:
 * <ul>
 * <li>{@link #applyChurned}: the steady state of this traffic. Setup first plays the whole traffic once
 * (1100 cycles per room), so every room holds its full 1024 departed sessions; throughput in events per second.
 * <li>{@link #applyFresh}: rooms just opened. Every iteration starts a new engine and measures the first
 * 10 cycles (10 000 events, so a room has at most 10 departed sessions); time per 10 000 events.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class EngineApplyBenchmark {
    static final int ROOMS = 500;
    static final int FRESH_CYCLES = 10;
    static final int FRESH_EVENTS = ROOMS * 2 * FRESH_CYCLES;

    /** An engine whose rooms have seen the whole traffic once. */
    @State(Scope.Thread)
    public static class Churned {
        AgentManager manager;
        RoomEvent[] events;
        int next;

        /** Starts the engine, opens the rooms and plays the traffic once. */
        @Setup(Level.Trial)
        public void setUp() {
            Ids ids = new Ids(1);
            List<BenchRoom> rooms = BenchRoom.create(ROOMS, ids);
            manager = startEngine(rooms, ids);
            events = new RoomTraffic(rooms, RoomTraffic.MIN_CYCLES, 2).events();
            for (RoomEvent event : events) {
                EventOutcome outcome = manager.apply(event);
                if (outcome != EventOutcome.APPLIED) {
                    throw new IllegalStateException("warm-up event " + event + " was " + outcome);
                }
            }
        }

        /** Checks that every event was applied, then closes the engine. */
        @TearDown(Level.Trial)
        public void tearDown() {
            EngineFixture.requireAllApplied(manager, ROOMS, "EngineApplyBenchmark.applyChurned");
            manager.close();
        }
    }

    /** A new engine for every iteration. */
    @State(Scope.Thread)
    public static class Fresh {
        List<BenchRoom> rooms;
        Ids ids;
        RoomEvent[] events;
        AgentManager manager;
        int next;

        /** Generates the first cycles of traffic. */
        @Setup(Level.Trial)
        public void generate() {
            ids = new Ids(1);
            rooms = BenchRoom.create(ROOMS, ids);
            events = new RoomTraffic(rooms, FRESH_CYCLES, 2).events();
        }

        /** Starts a new engine and opens the rooms. */
        @Setup(Level.Iteration)
        public void setUp() {
            manager = startEngine(rooms, ids);
            next = 0;
        }

        /** Checks that every event was applied, then closes the engine. */
        @TearDown(Level.Iteration)
        public void tearDown() {
            EngineFixture.requireAllApplied(manager, ROOMS, "EngineApplyBenchmark.applyFresh");
            manager.close();
        }
    }

    static AgentManager startEngine(List<BenchRoom> rooms, Ids ids) {
        return startEngine(rooms, ids, EngineFixture.configFor(rooms.size()), Clock.system());
    }

    /** {@link #startEngine(List, Ids)} with another configuration and clock. */
    static AgentManager startEngine(List<BenchRoom> rooms, Ids ids, AgentManagerConfig config, Clock clock) {
        EngineFixture.quietLifecycleLog();
        AgentManager manager = AgentManager.builder(new IdleLauncher())
                .config(config)
                .clock(clock)
                .executor(Runnable::run)
                .build();
        manager.start();
        EngineFixture.openRooms(manager, rooms, ids);
        return manager;
    }

    /** One event applied and waited for, in rooms that have seen 1100 join/leave cycles. */
    @Benchmark
    public EventOutcome applyChurned(Churned state) {
        RoomEvent event = state.events[state.next];
        if (++state.next == state.events.length) {
            state.next = 0;
        }
        return state.manager.apply(event);
    }

    /** One event applied and waited for, in rooms opened at the start of the iteration. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 100, batchSize = FRESH_EVENTS)
    @Measurement(iterations = 100, batchSize = FRESH_EVENTS)
    public EventOutcome applyFresh(Fresh state) {
        RoomEvent event = state.events[state.next];
        if (++state.next == state.events.length) {
            state.next = 0;
        }
        return state.manager.apply(event);
    }
}
