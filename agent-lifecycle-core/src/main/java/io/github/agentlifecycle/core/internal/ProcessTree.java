package io.github.agentlifecycle.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds the processes that make up one agent where it has no cgroup of its own, by reading {@code /proc}: its root
 * process, every descendant, every process in the session or process group the root leads (on Linux each agent
 * leads its own session, so processes re-parented after their parent died are still found), and every process whose
 * environment carries the agent's id (which a process that started a session of its own keeps, unless it clears its
 * environment). Sends SIGTERM ({@link ProcessHandle#destroy()}) or SIGKILL ({@link ProcessHandle#destroyForcibly()}).
 *
 * <p>A process that has died but was not yet reaped by its parent (a zombie) counts as gone: {@link
 * ProcessHandle#isAlive()} reports it alive, and processes re-parented to an init that reaps late, or never (as
 * in some containers), would otherwise hold up an agent's exit.
 */
public final class ProcessTree {
    private static final Path PROC = Path.of("/proc");

    private ProcessTree() {}

    /** Live members of the tree rooted at {@code rootPid} (which also names its session and process group). */
    public static List<ProcessHandle> members(long rootPid) {
        return members(ProcessHandle.of(rootPid).orElse(null), rootPid, null);
    }

    /** Live members of the tree rooted at {@code root} (whose pid also names its session and process group). */
    public static List<ProcessHandle> members(ProcessHandle root) {
        return members(root, root.pid(), null);
    }

    /**
     * Live members of an agent's tree.
     *
     * @param root the agent's root process, or null when only its marked processes are wanted; once it has exited
     *     its pid is not looked up again, so a process that reuses it is not taken for the root
     * @param rootPid the root's pid, which names the session and process group it leads
     * @param marker {@code NAME=value} that every process of the agent has in its environment, or null
     */
    public static List<ProcessHandle> members(@Nullable ProcessHandle root, long rootPid, byte @Nullable [] marker) {
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
        long self = ProcessHandle.current().pid();
        table.forEach((pid, stat) -> {
            children.computeIfAbsent(stat.parent(), parent -> new ArrayList<>()).add(pid);
            boolean inSessionOrGroup = root != null && (stat.group() == rootPid || stat.session() == rootPid);
            if (pid != self && (inSessionOrGroup || marker != null && !stat.zombie() && carries(pid, marker))) {
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
    private record Stat(long parent, long group, long session, boolean zombie) {}

    /** Every process's parent, group, session and zombie state, read in one pass; null where there is no /proc. */
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
            String[] fields = stat.substring(afterName + 2).split(" ", 5);
            char state = fields[0].charAt(0);
            return new Stat(Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]),
                    state == 'Z' || state == 'X');
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /**
     * Whether the environment {@code pid} started with holds the entry {@code marker} ({@code NAME=value}); false
     * where it cannot be read (no {@code /proc}, another user's process, gone).
     */
    public static boolean carries(long pid, byte[] marker) {
        byte[] environment;
        try {
            environment = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
        for (int start = 0; start < environment.length; ) {
            int end = start;
            while (end < environment.length && environment[end] != 0) {
                end++;
            }
            if (end - start == marker.length && Arrays.equals(environment, start, end, marker, 0,
                    marker.length)) {
                return true;
            }
            start = end + 1;
        }
        return false;
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
