package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.Clock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The processes that make up one agent: its root process, every descendant, and (on Linux, where each agent
 * leads its own process group) every process still in its group, even after its parent died and it was
 * re-parented. Sends SIGTERM ({@link ProcessHandle#destroy()}) or SIGKILL ({@link
 * ProcessHandle#destroyForcibly()}).
 *
 * <p>A process that has died but was not yet reaped by its parent (a zombie) counts as gone: {@link
 * ProcessHandle#isAlive()} reports it alive, and processes re-parented to an init that reaps late, or never (as
 * in some containers), would otherwise hold up an agent's exit.
 */
public final class ProcessTree {
    private static final Path PROC = Path.of("/proc");
    private static final long WATCH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private ProcessTree() {}

    /** Live members of the tree rooted at {@code rootPid} (which also names its process group). */
    public static List<ProcessHandle> members(long rootPid) {
        return ProcessHandle.of(rootPid).map(ProcessTree::members).orElseGet(() -> members(rootPid, null));
    }

    /**
     * Live members of the tree rooted at {@code root} (whose pid also names its process group). Once {@code root}
     * has exited its pid is not looked up again, so a process that reuses it is not taken for the root.
     */
    public static List<ProcessHandle> members(ProcessHandle root) {
        return members(root.pid(), root);
    }

    private static List<ProcessHandle> members(long rootPid, @Nullable ProcessHandle root) {
        Map<Long, Stat> table = readProc();
        if (table == null) {
            return descendantsOnly(root);
        }
        Stat rootStat = table.get(rootPid);
        boolean rootRuns = root != null && root.isAlive() && (rootStat == null || !rootStat.zombie());
        Map<Long, List<Long>> children = new HashMap<>();
        Set<Long> found = new LinkedHashSet<>();
        if (rootRuns) {
            found.add(rootPid);
        }
        table.forEach((pid, stat) -> {
            children.computeIfAbsent(stat.parent(), parent -> new ArrayList<>()).add(pid);
            if (stat.group() == rootPid) {
                found.add(pid);
            }
        });
        Deque<Long> pending = new ArrayDeque<>(found);
        while (!pending.isEmpty()) {
            for (long child : children.getOrDefault(pending.poll(), List.of())) {
                if (found.add(child)) {
                    pending.add(child);
                }
            }
        }
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> members = new ArrayList<>();
        for (long pid : found) {
            Stat stat = table.get(pid);
            if (pid == self || (stat != null && stat.zombie())) {
                continue;
            }
            if (pid == rootPid && rootRuns) {
                members.add(root);
            } else {
                ProcessHandle.of(pid).ifPresent(members::add);
            }
        }
        return members;
    }

    /** Where there is no {@code /proc}: the root and its descendants as the JDK sees them. */
    private static List<ProcessHandle> descendantsOnly(@Nullable ProcessHandle root) {
        List<ProcessHandle> members = new ArrayList<>();
        if (root != null && isRunning(root)) {
            members.add(root);
            root.descendants().filter(ProcessTree::isRunning).forEach(members::add);
        }
        return members;
    }

    /** What {@code /proc/<pid>/stat} says about one process. */
    private record Stat(long parent, long group, boolean zombie) {}

    /** Every process's parent, group and zombie state, read in one pass; null where there is no {@code /proc}. */
    private static @Nullable Map<Long, Stat> readProc() {
        if (!Files.isDirectory(PROC)) {
            return null;
        }
        Map<Long, Stat> table = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    Stat stat = stat(entry);
                    if (stat != null) {
                        table.put(Long.parseLong(name), stat);
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
        return table;
    }

    private static @Nullable Stat stat(Path processDirectory) {
        try {
            String stat = Files.readString(processDirectory.resolve("stat"), StandardCharsets.UTF_8);
            int afterName = stat.lastIndexOf(')');
            String[] fields = stat.substring(afterName + 2).split(" ", 4);
            char state = fields[0].charAt(0);
            return new Stat(Long.parseLong(fields[1]), Long.parseLong(fields[2]), state == 'Z' || state == 'X');
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /** Sends SIGTERM (or SIGKILL when {@code force}) to every process given; ignores ones already gone. */
    public static void signal(List<ProcessHandle> processes, boolean force) {
        for (ProcessHandle process : processes) {
            try {
                if (force) {
                    process.destroyForcibly();
                } else {
                    process.destroy();
                }
            } catch (RuntimeException gone) {
                // exited in the meantime, or not ours to signal
            }
        }
    }

    /** When {@code pid} started, if it runs and the system tells. */
    public static Optional<Instant> startOf(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().startInstant());
    }

    /** Whether {@code pid} runs and started at {@code start} (guarding against a reused pid). */
    public static boolean isSameProcess(long pid, Instant start) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && isRunning(handle.get())
                && handle.get().info().startInstant().map(start::equals).orElse(false);
    }

    /** Whether {@code process} still runs: alive and not a zombie. */
    public static boolean isRunning(ProcessHandle process) {
        return process.isAlive() && !isZombie(process.pid());
    }

    /**
     * Completes once {@code process} no longer runs (see {@link #isRunning}). Checked every 20 ms on {@code clock},
     * so noticed within a few tens of milliseconds, also for processes that are not children of this JVM, which {@link ProcessHandle#onExit()}
     * polls only every 300 ms or more.
     */
    public static CompletableFuture<Void> onExit(ProcessHandle process, Clock clock) {
        CompletableFuture<Void> gone = new CompletableFuture<>();
        process.onExit().whenComplete((ended, error) -> gone.complete(null));
        watch(process, clock, gone);
        return gone;
    }

    private static void watch(ProcessHandle process, Clock clock, CompletableFuture<Void> gone) {
        if (gone.isDone()) {
            return;
        }
        if (!isRunning(process)) {
            gone.complete(null);
            return;
        }
        clock.schedule(WATCH_INTERVAL_NANOS, () -> watch(process, clock, gone));
    }

    /** Whether {@code /proc} shows {@code pid} as dead but not yet reaped; false where there is no {@code /proc}. */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }
}
