package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.internal.RoomEffect;
import io.github.agentlifecycle.core.internal.RoomInput;
import io.github.agentlifecycle.core.internal.RoomRecord;
import io.github.agentlifecycle.core.internal.RoomStateMachine;
import io.github.agentlifecycle.core.internal.Transition;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The traffic of {@link EngineApplyBenchmark} through the pure state machine alone:
 * {@code RoomStateMachine.standard(config).apply(room, record, input, now)}, each room keeping the record it
 * returns. No queue, no de-duplication, no timers, no listeners: the floor under the engine path.
 *
 * <p>Rooms start as the engine leaves them after a token request and the agent's join (agent ready, no human
 * yet). Time is one fixed reading: nothing falls due, as with the 60 s grace period in the engine benchmark. As
 * there, {@link #applyChurned} measures rooms that have seen the whole traffic once (1024 departed sessions each;
 * events per second) and {@link #applyFresh} rooms just opened (time per first 10 cycles, 10 000 events). Setup
 * fails if any event of the traffic would be ignored, so the measured loop carries no checks.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class StateMachineApplyBenchmark {
    private static final long NOW = 1_000_000_000_000L;

    /** Rooms and their traffic as plain arrays, and the machine that moves them. */
    abstract static class Rooms {
        RoomStateMachine machine;
        String[] names;
        RoomRecord[] opened;
        RoomRecord[] records;
        RoomInput[] inputs;
        int[] roomIndexes;
        int next;

        void build(int cycles) {
            Ids ids = new Ids(1);
            List<BenchRoom> rooms = BenchRoom.create(EngineApplyBenchmark.ROOMS, ids);
            machine = RoomStateMachine.standard(EngineFixture.configFor(rooms.size()));
            names = new String[rooms.size()];
            opened = new RoomRecord[rooms.size()];
            for (int r = 0; r < rooms.size(); r++) {
                names[r] = rooms.get(r).name();
                opened[r] = openRoom(rooms.get(r), ids);
            }
            records = opened.clone();
            RoomTraffic traffic = new RoomTraffic(rooms, cycles, 2);
            RoomEvent[] events = traffic.events();
            inputs = new RoomInput[events.length];
            for (int i = 0; i < events.length; i++) {
                inputs[i] = new RoomInput.External(events[i]);
            }
            roomIndexes = traffic.roomIndexes();
        }

        /** The record of a room after a token request, its agent's launch and the agent's join. */
        private RoomRecord openRoom(BenchRoom room, Ids ids) {
            String identity = "ai-agent-" + room.name();
            RoomRecord record = step(room.name(), null, new RoomInput.AgentRequested());
            record = step(room.name(), record, new RoomInput.SlotGranted());
            int generation = record.agent().generation();
            record = step(room.name(), record, new RoomInput.AgentAssigned(generation, identity));
            record = step(room.name(), record, new RoomInput.AgentStarted(generation, identity, null));
            RoomEvent.Participant agent = new RoomEvent.Participant(ids.session(), identity, ParticipantRole.AGENT);
            record = step(room.name(), record, new RoomInput.External(new RoomEvent.ParticipantJoined(room.name(),
                    agent, room.sid(), ids.event(), Instant.parse("2026-11-24T08:59:00Z"))));
            if (record.agent().state() != AgentState.READY) {
                throw new IllegalStateException("agent of " + room.name() + " is not ready: " + record);
            }
            return record;
        }

        private RoomRecord step(String room, @Nullable RoomRecord current, RoomInput input) {
            RoomRecord result = machine.apply(room, current, input, NOW).next();
            if (result == null) {
                throw new IllegalStateException("room " + room + " was removed by " + input);
            }
            return result;
        }

        /** Applies {@code count} events from the cursor on, failing on any event the machine ignores. */
        void applyChecked(int count) {
            for (int i = 0; i < count; i++) {
                Transition transition = applyNext();
                for (RoomEffect effect : transition.effects()) {
                    if (effect instanceof RoomEffect.Publish publish
                            && publish.event() instanceof LifecycleEvent.EventIgnored ignored) {
                        throw new IllegalStateException("an event of the traffic was ignored: " + ignored);
                    }
                }
            }
        }

        Transition applyNext() {
            int at = next;
            if (++next == inputs.length) {
                next = 0;
            }
            int room = roomIndexes[at];
            Transition transition = machine.apply(names[room], records[room], inputs[at], NOW);
            records[room] = transition.next();
            return transition;
        }
    }

    /** Rooms that have seen the whole traffic once. */
    @State(Scope.Thread)
    public static class Churned extends Rooms {
        /** Builds the rooms and plays the traffic once, then checks the first cycle of the next pass. */
        @Setup(Level.Trial)
        public void setUp() {
            build(RoomTraffic.MIN_CYCLES);
            applyChecked(inputs.length);
            RoomRecord[] played = records.clone();
            applyChecked(2 * names.length);
            records = played;
            next = 0;
        }
    }

    /** Rooms opened afresh before every iteration. */
    @State(Scope.Thread)
    public static class Fresh extends Rooms {
        /** Builds the rooms and checks the traffic once. */
        @Setup(Level.Trial)
        public void setUp() {
            build(EngineApplyBenchmark.FRESH_CYCLES);
            applyChecked(inputs.length);
        }

        /** Puts every room back to just opened. */
        @Setup(Level.Iteration)
        public void reset() {
            records = opened.clone();
            next = 0;
        }
    }

    /** One event through the state machine, in rooms that have seen 1100 join/leave cycles. */
    @Benchmark
    public Transition applyChurned(Churned rooms) {
        return rooms.applyNext();
    }

    /** One event through the state machine, in rooms opened at the start of the iteration. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 100, batchSize = EngineApplyBenchmark.FRESH_EVENTS)
    @Measurement(iterations = 100, batchSize = EngineApplyBenchmark.FRESH_EVENTS)
    public Transition applyFresh(Fresh rooms) {
        return rooms.applyNext();
    }
}
