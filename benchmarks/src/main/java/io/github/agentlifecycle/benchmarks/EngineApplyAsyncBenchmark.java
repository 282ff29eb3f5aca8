package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.RoomEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The traffic of {@link EngineApplyBenchmark} through the public asynchronous API,
 * {@code AgentManager.applyAsync(RoomEvent)}, from two producer threads into an engine on its default executor
 * (its own loop thread): the hand-off between threads is part of what is measured.
 *
 * <p>Each producer owns half of the 500 rooms, so a room's join always reaches the engine before its leave. A
 * producer keeps at most {@code inFlight} events unanswered and waits for the oldest before sending more, as a
 * webhook endpoint with that many concurrent requests would; {@code inFlight = 1} waits for every answer. Rooms
 * have seen the whole traffic once before measurement starts (the steady state, as in
 * {@link EngineApplyBenchmark#applyChurned}). One operation is one event sent; throughput is the sum over both
 * producers. On a two-core machine the producers and the engine's loop share the cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(2)
public class EngineApplyAsyncBenchmark {
    static final int PRODUCERS = 2;

    /** The engine both producers feed. */
    @State(Scope.Benchmark)
    public static class Engine {
        AgentManager manager;
        List<BenchRoom> rooms;

        /** Starts the engine on its own loop thread and opens the rooms. */
        @Setup(Level.Trial)
        public void setUp() {
            EngineFixture.quietLifecycleLog();
            Ids ids = new Ids(1);
            rooms = BenchRoom.create(EngineApplyBenchmark.ROOMS, ids);
            manager = AgentManager.builder(new IdleLauncher())
                    .config(EngineFixture.configFor(rooms.size()))
                    .build();
            manager.start();
            EngineFixture.openRooms(manager, rooms, ids);
        }

        /** Checks that every event was applied, then closes the engine. */
        @TearDown(Level.Trial)
        public void tearDown() {
            EngineFixture.requireAllApplied(manager, rooms.size(), "EngineApplyAsyncBenchmark");
            manager.close();
        }
    }

    /** One producer: its rooms' traffic and the answers it still waits for. */
    @State(Scope.Thread)
    public static class Producer {
        /** How many events a producer may have sent without an answer. */
        @Param({"1", "256"})
        public int inFlight;

        AgentManager manager;
        RoomEvent[] events;
        int next;
        CompletableFuture<EventOutcome>[] pending;
        int slot;

        /** Generates the traffic of this producer's rooms and plays it once. */
        @Setup(Level.Trial)
        @SuppressWarnings("unchecked")
        public void setUp(Engine engine, ThreadParams thread) {
            if (thread.getThreadCount() != PRODUCERS) {
                throw new IllegalStateException("run with " + PRODUCERS + " threads, not " + thread.getThreadCount());
            }
            manager = engine.manager;
            int share = engine.rooms.size() / PRODUCERS;
            int first = thread.getThreadIndex() * share;
            events = new RoomTraffic(engine.rooms.subList(first, first + share), RoomTraffic.MIN_CYCLES,
                    10 + thread.getThreadIndex()).events();
            pending = new CompletableFuture[inFlight];
            playOnce();
        }

        private void playOnce() {
            CompletableFuture<?>[] window = new CompletableFuture<?>[1024];
            for (int i = 0; i < events.length; i++) {
                int at = i % window.length;
                if (window[at] != null) {
                    window[at].join();
                }
                window[at] = manager.applyAsync(events[i]).toCompletableFuture();
            }
            for (CompletableFuture<?> answer : window) {
                if (answer != null) {
                    answer.join();
                }
            }
        }

        /** Waits for the answers still outstanding. */
        @TearDown(Level.Iteration)
        public void drain() {
            for (int i = 0; i < pending.length; i++) {
                if (pending[i] != null) {
                    pending[i].join();
                    pending[i] = null;
                }
            }
        }
    }

    /** Sends one event, first waiting for the oldest answer if {@code inFlight} are outstanding. */
    @Benchmark
    public CompletableFuture<EventOutcome> applyAsync(Producer producer) {
        CompletableFuture<EventOutcome> oldest = producer.pending[producer.slot];
        if (oldest != null) {
            oldest.join();
        }
        RoomEvent event = producer.events[producer.next];
        if (++producer.next == producer.events.length) {
            producer.next = 0;
        }
        CompletableFuture<EventOutcome> answer = producer.manager.applyAsync(event).toCompletableFuture();
        producer.pending[producer.slot] = answer;
        if (++producer.slot == producer.pending.length) {
            producer.slot = 0;
        }
        return answer;
    }
}
