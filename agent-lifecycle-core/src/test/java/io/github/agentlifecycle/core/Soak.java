package io.github.agentlifecycle.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One soak run of an {@link AgentManager} with a {@link ProcessAgentLauncher} and real agent processes (see {@link
 * SoakAgent}), on the system clock with short timings so that much happens in little time. {@link SoakDriver}
 * threads act on rooms at random while {@link SoakMonitor} checks the invariants from outside; after a warm-up the
 * heap (after full collections), the threads and the open file descriptors are sampled at intervals. When the time is up the driver stops, every participant
 * leaves, and the run waits for the rooms to go away by themselves. Then it checks that no room, no agent, no agent
 * process (by command line or inherited environment, so re-parented children count too) and no state record is
 * left, that heap, threads and file descriptors came back to near their baseline, and that the library logged no
 * error nor any unexpected warning; finally it closes the manager. Uses only the JDK, so that {@link SoakTest} and {@link SoakMain} share it.
 */
final class Soak {
    /** How far the final heap may be above the baseline. */
    static final long HEAP_MARGIN = 16L * 1024 * 1024;
    /** How many more threads, and how many more open file descriptors, the JVM may hold at the end. */
    static final int COUNT_MARGIN = 32;
    private static final int DRIVER_THREADS = 3;
    private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(30);
    private static final Duration PROCESS_DEADLINE = Duration.ofSeconds(10);
    /**
     * The library's warnings a soak run is expected to cause: agents that exit by themselves or spend their restart budget,
     * and agents whose kill takes longer than twice the stop timeout on a busy machine. Any other warning (a
     * repair by the GC, an agent found dead without an exit report, a state record not written) fails the run.
     */
    private static final List<String> EXPECTED_WARNINGS = List.of(" without being asked to", ": agent failed: ",
            " has not exited in time; stopping it again");

    private final Path directory;
    private final Duration duration;
    private final long seed;
    private final Consumer<String> out;

    /**
     * @param directory an empty directory the run may use (the state directory and the agents' mode files go there)
     * @param duration how long the random load runs
     * @param seed the seed of the driver's and the agents' random choices
     * @param out where progress lines go
     */
    Soak(Path directory, Duration duration, long seed, Consumer<String> out) {
        this.directory = directory;
        this.duration = duration;
        this.seed = seed;
        this.out = out;
    }

    /**
     * The configuration: every timing short, the cap low, and event ids and closed rooms remembered briefly (so
     * that their memory is in its steady state before the heap baseline is taken).
     */
    static AgentManagerConfig config() {
        return AgentManagerConfig.builder()
                .gracePeriod(Duration.ofMillis(300))
                .joinTimeout(Duration.ofSeconds(3))
                .agentStartupTimeout(Duration.ofSeconds(2))
                .agentStopTimeout(Duration.ofMillis(500))
                .heartbeatTimeout(Duration.ofSeconds(2))
                .gcInterval(Duration.ofSeconds(1))
                .healthCheckInterval(Duration.ofMillis(500))
                .maxTotalAgents(20)
                .replayWindow(SoakDriver.REPEATABLE)
                .restartPolicy(RestartPolicy.builder()
                        .initialDelay(Duration.ofMillis(100))
                        .factor(2)
                        .maxDelay(Duration.ofSeconds(1))
                        .resetAfter(Duration.ofSeconds(3))
                        .maxRestarts(4)
                        .window(Duration.ofSeconds(10))
                        .build())
                .build();
    }

    /** Warm-up before the baseline sample: a third of the run, at most a minute. */
    static Duration warmUp(Duration duration) {
        Duration third = duration.dividedBy(3);
        return third.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : third;
    }

    SoakReport run() throws IOException, InterruptedException {
        byte[] nonce = new byte[6];
        new SecureRandom().nextBytes(nonce);
        String runId = HexFormat.of().formatHex(nonce);
        MarkedProcesses processes = new MarkedProcesses("soak-agent-" + runId, "SOAK_RUN=" + runId);
        Path modes = Files.createDirectories(directory.resolve("modes"));
        Path state = directory.resolve("state");
        SoakFailures failures = new SoakFailures();
        AgentManagerConfig config = config();
        out.accept("soak " + duration + ", seed " + seed + ", run " + runId + ", directory " + directory);

        List<Thread> threads = new ArrayList<>();
        SoakDriver driver = null;
        SoakMonitor monitor = null;
        AgentManager manager = null;
        try (EngineLogCapture log = new EngineLogCapture()) {
            SoakTally tally = new SoakTally(modes, seed);
            AtomicLong outputLines = new AtomicLong();
            manager = AgentManager.builder(ProcessAgentLauncher.builder(SoakAgent.command("soak-agent-" + runId))
                            .environment("SOAK_MODES", modes.toString())
                            .environment("SOAK_RUN", runId)
                            .stateDirectory(state)
                            .outputSink(line -> outputLines.incrementAndGet())
                            .build())
                    .config(config)
                    .listener(tally)
                    .build();
            manager.start();

            monitor = new SoakMonitor(manager, processes, failures, config.maxTotalAgents());
            driver = new SoakDriver(manager, tally, failures, seed);
            threads.add(start("soak-monitor", monitor::run));
            for (int i = 0; i < DRIVER_THREADS; i++) {
                int index = i;
                SoakDriver d = driver;
                threads.add(start("soak-driver-" + i, () -> d.run(index)));
            }

            long begin = System.nanoTime();
            List<ResourceSample> samples = sampleUntil(begin, begin + duration.toNanos(), manager, failures);
            Duration soaked = Duration.ofNanos(System.nanoTime() - begin);

            driver.stop();
            joinAll(threads.subList(1, threads.size()), failures);
            long drainStart = System.nanoTime();
            boolean drained = drain(manager);
            Duration drainTime = Duration.ofNanos(System.nanoTime() - drainStart);
            monitor.stop();
            joinAll(threads.subList(0, 1), failures);
            if (!drained) {
                failures.add("rooms or agents left " + DRAIN_DEADLINE.toSeconds() + " s after everyone left: "
                        + manager.stats() + " " + manager.rooms());
            }
            ManagerStats stats = manager.stats();
            checkNothingLeft(processes, state, failures, "once the rooms had drained");
            ResourceSample last = ResourceSample.take(5);
            checkResources(samples.get(0), last, failures);
            manager.close();
            checkNothingLeft(processes, state, failures, "after close");
            checkWarningsAndExits(log, tally, failures);
            return new SoakReport(seed, soaked, stats, tally.counts(), driver.actions(), outputLines.get(),
                    monitor.maxAgents(), monitor.maxProcesses(), monitor.maxEngineAgents(), monitor.passes(),
                    tally.longestStop(), drainTime, List.copyOf(samples), last, HEAP_MARGIN, log.counts(),
                    failures.first(), failures.total());
        } finally {
            if (driver != null) {
                driver.stop();
            }
            if (monitor != null) {
                monitor.stop();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            if (manager != null) {
                manager.close();
            }
            int killed = processes.killAll();
            if (killed > 0) {
                out.accept("killed " + killed + " processes the run left behind");
            }
        }
    }

    /**
     * Waits out the warm-up, then samples the JVM's resources (the baseline first) and prints progress once per
     * sampling interval until {@code end}.
     */
    private List<ResourceSample> sampleUntil(long begin, long end, AgentManager manager, SoakFailures failures) {
        List<ResourceSample> samples = new ArrayList<>();
        long interval = Math.max(Duration.ofSeconds(5).toNanos(), duration.toNanos() / 20);
        for (long next = begin + warmUp(duration).toNanos(); next - end < 0; next += interval) {
            sleepUntil(next);
            samples.add(ResourceSample.take(3));
            out.accept(progress(manager, begin, samples.get(samples.size() - 1), failures));
        }
        sleepUntil(end);
        if (samples.isEmpty()) {
            samples.add(ResourceSample.take(3));
        }
        return samples;
    }

    private static void checkResources(ResourceSample baseline, ResourceSample last, SoakFailures failures) {
        if (last.heapBytes() - baseline.heapBytes() > HEAP_MARGIN) {
            failures.add("heap grew from " + ResourceSample.mib(baseline.heapBytes()) + " to "
                    + ResourceSample.mib(last.heapBytes()));
        }
        if (last.threads() - baseline.threads() > COUNT_MARGIN) {
            failures.add("threads grew from " + baseline.threads() + " to " + last.threads());
        }
        if (last.fileDescriptors() - baseline.fileDescriptors() > COUNT_MARGIN) {
            failures.add("open file descriptors grew from " + baseline.fileDescriptors() + " to "
                    + last.fileDescriptors());
        }
    }

    private static void joinAll(List<Thread> threads, SoakFailures failures) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(DRAIN_DEADLINE.toMillis());
            if (thread.isAlive()) {
                failures.add(thread.getName() + " is stuck: " + stackOf(thread));
            }
        }
    }

    /** Only the expected kinds of warnings, and every exit with a status: a process handle always knows it. */
    private static void checkWarningsAndExits(EngineLogCapture log, SoakTally tally, SoakFailures failures) {
        log.counts().forEach((kind, count) -> {
            if (EXPECTED_WARNINGS.stream().noneMatch(kind::contains)) {
                failures.add("the library logged " + count + " times: " + log.examples().get(kind));
            }
        });
        long lost = tally.count("exit requested lost") + tally.count("exit unrequested lost");
        if (lost > 0) {
            failures.add(lost + " agent exits were reported without a status, although every agent process was"
                    + " watched by its handle");
        }
    }

    /** Every participant of every room leaves, again and again, until no room and no agent is left. */
    private static boolean drain(AgentManager manager) {
        return await(DRAIN_DEADLINE, () -> {
            List<RoomSnapshot> rooms = manager.rooms();
            for (RoomSnapshot room : rooms) {
                for (RoomEvent.Participant participant : room.participants()) {
                    manager.apply(new RoomEvent.ParticipantLeft(room.roomName(), participant, false, null, null,
                            null));
                }
            }
            return rooms.isEmpty() && manager.stats().totalAgents() == 0;
        });
    }

    /**
     * No process of the run and no state record may exist now. If some do, the failure says so, and the run waits a
     * little to tell a slow exit from a leak.
     */
    private static void checkNothingLeft(MarkedProcesses processes, Path state, SoakFailures failures, String when) {
        List<MarkedProcesses.Marked> left = processes.anywhere();
        if (!left.isEmpty()) {
            boolean gone = await(PROCESS_DEADLINE, () -> processes.anywhere().isEmpty());
            failures.add(left.size() + " agent processes still ran " + when + " (" + (gone ? "gone" : "still there")
                    + " " + PROCESS_DEADLINE.toSeconds() + " s later): " + left);
        }
        List<String> records = filesIn(state);
        if (!records.isEmpty()) {
            failures.add("state records left " + when + ": " + records);
        }
    }

    private static List<String> filesIn(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of("(cannot list " + directory + ": " + e + ")");
        }
    }

    private static String progress(AgentManager manager, long begin, ResourceSample sample, SoakFailures failures) {
        ManagerStats stats = manager.stats();
        return String.format(java.util.Locale.ROOT,
                "t=%3ds rooms %2d agents %2d queued %2d | launches %d crashes %d restarts %d closed %d | %s"
                        + " | failures %d",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin), stats.totalRooms(), stats.totalAgents(),
                stats.queuedRooms(), stats.agentLaunches(), stats.agentCrashes(), stats.agentRestarts(),
                stats.roomsClosed(), sample, failures.total());
    }

    private static String stackOf(Thread thread) {
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement frame : thread.getStackTrace()) {
            stack.append(System.lineSeparator()).append("    at ").append(frame);
        }
        return stack.toString();
    }

    private static Thread start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void sleepUntil(long deadline) {
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passed; whether it held. */
    private static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return true;
    }
}
