package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.RoomEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The traffic of {@link EngineApplyBenchmark} and {@link StateMachineApplyBenchmark}, timed in the calling thread's
 * CPU time instead of wall time. On a machine shared with other work a descheduled thread does not count, so a
 * before/after comparison of a change needs far fewer repetitions than with the JMH benchmarks. A round applies
 * 10 000 events; the program prints the fastest round, percentiles and the mean of the measured rounds.
 *
 * <ul>
 * <li>{@code engine fresh}: {@code AgentManager.apply} on a new engine per round, the first 10 cycles of traffic
 * (as {@link EngineApplyBenchmark#applyFresh});
 * <li>{@code engine churned}: one engine that has seen the whole traffic once, the rounds going on through it (as
 * {@link EngineApplyBenchmark#applyChurned});
 * <li>{@code machine fresh}, {@code machine churned}: the pure state machine the same way;
 * <li>{@code floor fresh}, {@code floor churned}: the {@link BookkeepingFloor} the same way, the least work an engine
 * keeping the invariants must do; {@code floor-no-clock}, {@code floor-no-ids} and {@code floor-bare} leave out its
 * clock read, its event-id check, or both.
 * </ul>
 *
 * <p>Run with the heap touched up front, so that the kernel's first touch of each heap page is not measured:
 * {@code java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar
 * io.github.agentlifecycle.benchmarks.ApplyCpuTimeMain engine churned [warm-up rounds] [measured rounds]}
 */
public final class ApplyCpuTimeMain {
    private static final int EVENTS_PER_ROUND = EngineApplyBenchmark.FRESH_EVENTS;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ApplyCpuTimeMain() {}

    /** Measures and prints; arguments: the subject (see above), {@code fresh|churned}, [warm-up rounds], [rounds]. */
    public static void main(String[] args) {
        if (args.length < 2) {
            throw new IllegalArgumentException(
                    "usage: engine|machine|floor|floor-no-clock|floor-no-ids|floor-bare fresh|churned [warm-up rounds]"
                            + " [rounds]");
        }
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        Round round = switch (args[0] + " " + args[1]) {
            case "engine fresh" -> engineFresh();
            case "engine churned" -> engineChurned();
            case "machine fresh" -> machineFresh();
            case "machine churned" -> machineChurned();
            default -> floor(args[0], args[1]);
        };
        long[] nanos = new long[rounds];
        for (int r = -warmUp; r < rounds; r++) {
            long cpu = round.run();
            if (r >= 0) {
                nanos[r] = cpu;
            }
        }
        Arrays.sort(nanos);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        System.out.printf("%s %s: thread CPU ms per %,d events over %d rounds: fastest %.3f, p10 %.3f, median %.3f,"
                + " p90 %.3f, mean %.3f (%.2f M events/s)%n", args[0], args[1], EVENTS_PER_ROUND, rounds,
                nanos[0] / 1e6, nanos[rounds / 10] / 1e6, nanos[rounds / 2] / 1e6, nanos[rounds * 9 / 10] / 1e6,
                mean, EVENTS_PER_ROUND / mean / 1e3);
    }

    /** One round: its thread CPU time in nanoseconds. */
    @FunctionalInterface
    private interface Round {
        long run();
    }

    private static Round engineFresh() {
        Ids ids = new Ids(1);
        List<BenchRoom> rooms = BenchRoom.create(EngineApplyBenchmark.ROOMS, ids);
        RoomEvent[] events = new RoomTraffic(rooms, EngineApplyBenchmark.FRESH_CYCLES, 2).events();
        return () -> {
            AgentManager manager = EngineApplyBenchmark.startEngine(rooms, ids);
            long cpu = timedPass(events, event -> requireApplied(manager.apply(event)));
            manager.close();
            return cpu;
        };
    }

    private static Round engineChurned() {
        EngineApplyBenchmark.Churned churned = new EngineApplyBenchmark.Churned();
        churned.setUp();
        return cycling(churned.events, event -> requireApplied(churned.manager.apply(event)));
    }

    private static Round machineFresh() {
        StateMachineApplyBenchmark.Fresh fresh = new StateMachineApplyBenchmark.Fresh();
        fresh.setUp();
        return () -> {
            fresh.reset();
            return timeMachine(fresh);
        };
    }

    private static Round machineChurned() {
        StateMachineApplyBenchmark.Churned churned = new StateMachineApplyBenchmark.Churned();
        churned.setUp();
        return () -> timeMachine(churned);
    }

    private static Round floor(String subject, String rooms) {
        boolean clock = switch (subject) {
            case "floor", "floor-no-ids" -> true;
            case "floor-no-clock", "floor-bare" -> false;
            default -> throw new IllegalArgumentException("unknown measurement: " + subject + " " + rooms);
        };
        boolean eventIds = subject.equals("floor") || subject.equals("floor-no-clock");
        Ids ids = new Ids(1);
        List<BenchRoom> benchRooms = BenchRoom.create(EngineApplyBenchmark.ROOMS, ids);
        if (rooms.equals("fresh")) {
            RoomEvent[] events = new RoomTraffic(benchRooms, EngineApplyBenchmark.FRESH_CYCLES, 2).events();
            return () -> {
                BookkeepingFloor floor = new BookkeepingFloor(benchRooms, ids, clock, eventIds);
                return timedPass(events, event -> requireApplied(floor.apply(event)));
            };
        }
        if (!rooms.equals("churned")) {
            throw new IllegalArgumentException("unknown measurement: " + subject + " " + rooms);
        }
        RoomEvent[] events = new RoomTraffic(benchRooms, RoomTraffic.MIN_CYCLES, 2).events();
        BookkeepingFloor floor = new BookkeepingFloor(benchRooms, ids, clock, eventIds);
        for (RoomEvent event : events) {
            requireApplied(floor.apply(event));
        }
        return cycling(events, event -> requireApplied(floor.apply(event)));
    }

    /** The thread CPU time of applying each of {@code events} once, in order. */
    private static long timedPass(RoomEvent[] events, Consumer<RoomEvent> apply) {
        long start = THREADS.getCurrentThreadCpuTime();
        for (RoomEvent event : events) {
            apply.accept(event);
        }
        return THREADS.getCurrentThreadCpuTime() - start;
    }

    /** Rounds that go on through {@code events} from the first, wrapping around at the end. */
    private static Round cycling(RoomEvent[] events, Consumer<RoomEvent> apply) {
        int[] next = {0};
        return () -> {
            long start = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < EVENTS_PER_ROUND; i++) {
                RoomEvent event = events[next[0]];
                if (++next[0] == events.length) {
                    next[0] = 0;
                }
                apply.accept(event);
            }
            return THREADS.getCurrentThreadCpuTime() - start;
        };
    }

    private static void requireApplied(boolean applied) {
        if (!applied) {
            throw new IllegalStateException("an event of the traffic was dropped");
        }
    }

    private static long timeMachine(StateMachineApplyBenchmark.Rooms rooms) {
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < EVENTS_PER_ROUND; i++) {
            rooms.applyNext();
        }
        return THREADS.getCurrentThreadCpuTime() - start;
    }

    private static void requireApplied(EventOutcome outcome) {
        if (outcome != EventOutcome.APPLIED) {
            throw new IllegalStateException("an event of the traffic was " + outcome);
        }
    }
}
