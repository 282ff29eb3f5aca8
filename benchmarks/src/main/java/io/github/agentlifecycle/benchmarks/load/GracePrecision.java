package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ProcessAgentLauncher;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.examples.WebhookEvents;
import io.github.agentlifecycle.examples.WebhookSigner;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.WebhookException;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Grace precision with real processes: how late after its grace deadline a room's agent is asked to stop, and
 * how late it has exited, when many rooms expire close together while webhooks keep arriving.
 *
 * <p>An {@link AgentManager} on the system clock runs each agent as a real process ({@link ProcessAgentLauncher},
 * {@code sh -c 'while read -r l; do :; done'}, which exits on SIGTERM or at the end of its stdin). {@code rooms}
 * rooms are opened by token requests ({@code ensureAgent}); once each agent process runs, a person and the agent
 * join through signed webhooks ({@link LiveKitWebhooks#handle}). Meanwhile {@link BusyRoomTraffic} sends
 * join/leave webhooks into {@code busy rooms} other rooms, which never close, at {@code webhooks per second}.
 * Then the people leave the measured rooms, one after another, spread evenly over {@code leave spread ms}, so the
 * deadlines are spread but the grace periods overlap.
 *
 * <p><b>The deadline</b> of a room is the engine's own: the reading of the clock at which it applied the leave,
 * plus the grace period. It lies between two readings taken outside the engine: no earlier than the leave's {@code
 * handle()} call plus the grace period, no later than the time the {@code GraceStarted} event reached the listener
 * (listeners are told after the command that changed the state has run) or {@code handle()} returned, plus the grace
 * period. Lateness is measured from the earlier bound, so it is never less than the true lateness; the printout
 * also gives it against the later bound and the width of the window between them.
 *
 * <p><b>Lateness</b> (a) of the stop request: when the {@code AgentStopping} event (reason {@code ROOM_CLOSING},
 * after {@code GraceExpired}) reached the listener, minus the deadline. The engine tells listeners after it has
 * carried out the command's effects, so by then the agent has been sent SIGTERM and its stdin closed. (b) of the
 * exit: when {@code AgentExited} reached the listener (the process tree is gone and the exit came back to the
 * engine), minus the deadline.
 *
 * <p>Also printed: a breakdown (when {@code GraceExpired} reached the listener, from {@code AgentStopping} to
 * {@code AgentExited}), how the exits were reported, and the background webhook rate before and while the rooms
 * expire. With {@code -Dgrace.diagnose=true} the agents' {@code stop} calls and exits are timed as well ({@link
 * StopTimingLauncher}). The engine's INFO log is turned down to WARNING, as in the other benchmarks.
 *
 * <p>Afterwards it checks that every measured room is gone, no agent process is left, and the state directory is
 * empty, then closes the manager. Agents are stopped, and any process left is killed, even when the run fails.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.GracePrecision \
 *     [rooms 200] [busy rooms 50] [webhooks per second 3000] [grace ms 3000] [leave spread ms 1500]</pre>
 */
public final class GracePrecision {
    private static final String AGENT_SCRIPT = "while read -r l; do :; done";
    private static final LiveKitCredentials CREDENTIALS =
            new LiveKitCredentials("APIgraceBench", "grace-bench-secret-0123456789abcdef");
    /** With {@code -Dgrace.diagnose=true}, agents' stop calls and exits are timed too (see {@link StopTimingLauncher}). */
    private static final boolean DIAGNOSE = Boolean.getBoolean("grace.diagnose");
    /** The core's lifecycle log; kept referenced so its level sticks. */
    private static final Logger LIFECYCLE_LOG = Logger.getLogger("io.github.agentlifecycle.core.AgentManager");

    private GracePrecision() {}

    public static void main(String[] args) throws Exception {
        int rooms = intArg(args, 0, 200);
        int busyRooms = intArg(args, 1, 50);
        int perSecond = intArg(args, 2, 3000);
        Duration grace = Duration.ofMillis(intArg(args, 3, 3000));
        long spreadNanos = TimeUnit.MILLISECONDS.toNanos(intArg(args, 4, 1500));
        // One INFO line per join and leave of the busy rooms would make this a benchmark of the console.
        LIFECYCLE_LOG.setLevel(Level.WARNING);

        System.out.printf("grace precision: %d rooms with a process agent each, grace %d ms, leaves spread over"
                + " %d ms; %d busy rooms at %d webhooks/s; load average %s%n", rooms, grace.toMillis(),
                TimeUnit.NANOSECONDS.toMillis(spreadNanos), busyRooms, perSecond, loadAverage());
        Path stateDirectory = Files.createTempDirectory("grace-precision-");
        Runnable cleanUp = () -> {
            killDescendants();
            deleteRecursively(stateDirectory);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(cleanUp, "grace-precision-clean-up"));
        try {
            run(rooms, busyRooms, perSecond, grace, spreadNanos, stateDirectory);
        } finally {
            cleanUp.run();
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static void run(int roomCount, int busyRooms, int perSecond, Duration grace, long spreadNanos,
            Path stateDirectory) throws Exception {
        long graceNanos = grace.toNanos();
        List<String> rooms = new ArrayList<>();
        String run = Long.toString(System.currentTimeMillis(), 36);
        for (int i = 0; i < roomCount; i++) {
            rooms.add("grace-" + run + "-" + i);
        }
        GraceTimeline timeline = new GraceTimeline(rooms);
        ProcessAgentLauncher launcher = ProcessAgentLauncher.builder("sh", "-c", AGENT_SCRIPT)
                .stateDirectory(stateDirectory)
                .build();
        AgentLauncher used = launcher;
        StopTimingLauncher timing = DIAGNOSE ? new StopTimingLauncher(used, rooms) : null;
        if (timing != null) {
            used = timing;
        }
        AgentManagerConfig defaults = AgentManagerConfig.defaults();
        AgentManager manager = AgentManager.builder(used)
                .config(defaults.toBuilder()
                        .gracePeriod(grace)
                        .maxTotalAgents(roomCount + busyRooms)
                        .maxRooms(Math.max(defaults.maxRooms(), 2 * (roomCount + busyRooms)))
                        .build())
                .listener(timeline)
                .build();
        WebhookSigner signer = new WebhookSigner(CREDENTIALS, Clock.systemUTC(), Duration.ofMinutes(10));
        BusyRoomTraffic traffic = null;
        try {
            manager.start();
            LiveKitWebhooks webhooks =
                    LiveKitWebhooks.builder(WebhookVerifier.builder(CREDENTIALS).build(), manager).build();
            traffic = new BusyRoomTraffic(webhooks, signer, "busy-" + run + "-", busyRooms, perSecond, 2);
            traffic.openRooms();
            traffic.start();

            WebhookEvents[] events = new WebhookEvents[roomCount];
            String[] humans = new String[roomCount];
            long opening = System.nanoTime();
            for (int i = 0; i < roomCount; i++) {
                EnsureResult ensured = manager.ensureAgent(rooms.get(i));
                if (ensured.status() != EnsureResult.Status.LAUNCHED) {
                    throw new IllegalStateException(rooms.get(i) + ": agent not launched: " + ensured);
                }
                events[i] = new WebhookEvents(rooms.get(i), Clock.systemUTC());
            }
            List<RoomSnapshot> running = awaitAgentsRunning(manager, rooms);
            System.out.printf("%d agent processes running after %d ms%n", running.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opening));
            for (int i = 0; i < roomCount; i++) {
                humans[i] = events[i].newSessionId();
                deliver(webhooks, signer, events[i].participantJoined(humans[i], "person-" + i, "STANDARD"));
                deliver(webhooks, signer, events[i].participantJoined(events[i].newSessionId(),
                        running.get(i).agentIdentity(), "AGENT"));
            }
            for (String room : rooms) {
                RoomSnapshot snapshot = manager.room(room).orElseThrow();
                if (snapshot.state() != RoomState.ACTIVE || snapshot.agentState() != AgentState.READY
                        || snapshot.humanCount() != 1) {
                    throw new IllegalStateException(room + " is not active with a ready agent: " + snapshot);
                }
            }
            Thread.sleep(1000);

            long[] leaveCalled = new long[roomCount];
            long[] leaveReturned = new long[roomCount];
            long sentBefore = traffic.sent();
            long firstLeave = System.nanoTime();
            for (int i = 0; i < roomCount; i++) {
                byte[] body = events[i].participantLeft(humans[i], "person-" + i, "STANDARD");
                String authorization = signer.authorization(body);
                parkUntil(firstLeave + i * spreadNanos / roomCount);
                leaveCalled[i] = System.nanoTime();
                EventOutcome outcome = webhooks.handle(body, authorization).outcome();
                leaveReturned[i] = System.nanoTime();
                if (outcome != EventOutcome.APPLIED) {
                    throw new IllegalStateException(rooms.get(i) + ": leave " + outcome);
                }
            }
            long firstDeadline = leaveCalled[0] + graceNanos;
            parkUntil(firstDeadline);
            long sentBeforeDeadlines = traffic.sent();
            long timeout = graceNanos + spreadNanos + TimeUnit.SECONDS.toNanos(60);
            if (!timeline.awaitClosed(timeout, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException(timeline.open() + " rooms still open long after their grace period");
            }
            long lastClosed = System.nanoTime();
            long sentAtEnd = traffic.sent();
            traffic.close();
            BusyRoomTraffic finished = traffic;
            traffic = null;

            report(timeline, leaveCalled, leaveReturned, graceNanos);
            if (timing != null) {
                diagnose(timeline, timing, leaveCalled, graceNanos);
            }
            System.out.println("agent exits as reported: " + timeline.exitKinds()
                    + " (LOST: found dead by the health check before the exit reached the engine)");
            System.out.printf("background webhooks: %.0f/s from the first leave to the first deadline,"
                            + " %.0f/s from the first deadline to the last room closed (%d ms);"
                            + " %d not applied; handle() latency over the whole run %s%n",
                    (sentBeforeDeadlines - sentBefore) * 1e9 / (firstDeadline - firstLeave),
                    (sentAtEnd - sentBeforeDeadlines) * 1e9 / (lastClosed - firstDeadline),
                    TimeUnit.NANOSECONDS.toMillis(lastClosed - firstDeadline), finished.notApplied(),
                    finished.handleLatency().summary());
            verifyClean(manager, rooms, stateDirectory, timeline);
        } finally {
            if (traffic != null) {
                try {
                    traffic.close();
                } catch (RuntimeException e) {
                    System.err.println("busy-room traffic: " + e);
                }
            }
            manager.close();
        }
    }

    private static void report(GraceTimeline timeline, long[] leaveCalled, long[] leaveReturned, long grace) {
        int n = leaveCalled.length;
        long[] stopLate = new long[n];
        long[] exitLate = new long[n];
        long[] stopLateVsUpper = new long[n];
        long[] expiredLate = new long[n];
        long[] exitAfterStop = new long[n];
        long[] deadlineWindow = new long[n];
        long earliestStop = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            long lower = leaveCalled[i] + grace;
            long upper = Math.min(timeline.graceStarted[i], leaveReturned[i]) + grace;
            stopLate[i] = timeline.stopping[i] - lower;
            exitLate[i] = timeline.exited[i] - lower;
            stopLateVsUpper[i] = timeline.stopping[i] - upper;
            expiredLate[i] = timeline.graceExpired[i] - lower;
            exitAfterStop[i] = timeline.exited[i] - timeline.stopping[i];
            deadlineWindow[i] = upper - lower;
            earliestStop = Math.min(earliestStop, stopLate[i]);
        }
        System.out.println("(a) stop request after the deadline:     " + new LatencyStats(stopLate, n).summary()
                + String.format(" min=%.2f ms", earliestStop / 1e6));
        System.out.println("(b) agent exit after the deadline:       " + new LatencyStats(exitLate, n).summary());
        System.out.println("    (a) against the later bound:        " + new LatencyStats(stopLateVsUpper, n).summary());
        System.out.println("    deadline window (bounds' width):    " + new LatencyStats(deadlineWindow, n).summary());
        System.out.println("    GraceExpired after the deadline:    " + new LatencyStats(expiredLate, n).summary());
        System.out.println("    AgentStopping to AgentExited:       " + new LatencyStats(exitAfterStop, n).summary());
    }

    /** Where the time between the timer firing and the agent's exit reaching the engine went. */
    private static void diagnose(GraceTimeline timeline, StopTimingLauncher timing, long[] leaveCalled,
            long grace) {
        int n = timeline.stopping.length;
        long[] signalled = new long[n];
        long[] toStopCall = new long[n];
        long[] stopCall = new long[n];
        long[] afterStopCall = new long[n];
        long[] toExitReport = new long[n];
        long[] exitToEngine = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            signalled[i] = timing.stopReturned.get(i) - (leaveCalled[i] + grace);
            toStopCall[i] = timing.stopCalled.get(i) - (leaveCalled[i] + grace);
            stopCall[i] = timing.stopReturned.get(i) - timing.stopCalled.get(i);
            afterStopCall[i] = timeline.stopping[i] - timing.stopReturned.get(i);
            toExitReport[i] = timing.exitReported.get(i) - timing.stopReturned.get(i);
            exitToEngine[i] = timeline.exited[i] - timing.exitReported.get(i);
            total += stopCall[i];
        }
        System.out.println("    diagnosis: stop() returned after the deadline: "
                + new LatencyStats(signalled, n).summary());
        System.out.println("    diagnosis: stop() called after it:  " + new LatencyStats(toStopCall, n).summary());
        System.out.println("    diagnosis: stop() call (engine):    " + new LatencyStats(stopCall, n).summary()
                + String.format(" total=%.0f ms", total / 1e6));
        System.out.println("    diagnosis: stop() to AgentStopping: " + new LatencyStats(afterStopCall, n).summary());
        System.out.println("    diagnosis: stop() to exit reported: " + new LatencyStats(toExitReport, n).summary());
        System.out.println("    diagnosis: exit reported to engine: " + new LatencyStats(exitToEngine, n).summary());
    }

    private static void verifyClean(AgentManager manager, List<String> rooms, Path stateDirectory,
            GraceTimeline timeline) throws IOException {
        List<String> problems = new ArrayList<>(timeline.anomalies());
        long left = rooms.stream().map(manager::room).filter(Optional::isPresent).count();
        if (left > 0) {
            problems.add(left + " measured rooms still tracked");
        }
        List<ProcessHandle> processes = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        if (!processes.isEmpty()) {
            problems.add(processes.size() + " agent processes still running: " + processes);
        }
        try (Stream<Path> files = Files.list(stateDirectory)) {
            List<Path> records = files.toList();
            if (!records.isEmpty()) {
                problems.add("state directory not empty: " + records);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("run not clean: " + problems);
        }
        System.out.println("clean: all " + rooms.size() + " measured rooms gone, no agent process left, state"
                + " directory empty, no unexpected lifecycle event");
    }

    private static List<RoomSnapshot> awaitAgentsRunning(AgentManager manager, List<String> rooms)
            throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<RoomSnapshot> running = new ArrayList<>();
        for (String room : rooms) {
            while (true) {
                RoomSnapshot snapshot = manager.room(room).orElseThrow(
                        () -> new IllegalStateException(room + " vanished while its agent started"));
                if (snapshot.agentPid() != null && snapshot.agentIdentity() != null
                        && snapshot.agentState() == AgentState.RUNNING) {
                    running.add(snapshot);
                    break;
                }
                if (System.nanoTime() - giveUp > 0) {
                    throw new IllegalStateException(room + ": agent not running after 60 s: " + snapshot);
                }
                Thread.sleep(5);
            }
        }
        return running;
    }

    private static void deliver(LiveKitWebhooks webhooks, WebhookSigner signer, byte[] body)
            throws WebhookException {
        LiveKitWebhooks.Result result = webhooks.handle(body, signer.authorization(body));
        if (result.outcome() != EventOutcome.APPLIED) {
            throw new IllegalStateException("webhook " + new String(body, StandardCharsets.UTF_8) + ": "
                    + result.outcome());
        }
    }

    /** Kills whatever this JVM started and is still running, and waits for it. */
    private static void killDescendants() {
        List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        if (left.isEmpty()) {
            return;
        }
        System.err.println("killing " + left.size() + " leftover processes");
        left.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : left) {
            try {
                process.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("process " + process.pid() + " did not exit: " + e);
            }
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + directory + ": " + e);
        }
    }

    private static void parkUntil(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static int intArg(String[] args, int index, int otherwise) {
        return args.length > index ? Integer.parseInt(args[index]) : otherwise;
    }
}
