package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Support for tests that run real operating-system processes: shell scripts, waiting with a deadline instead of
 * sleeping, and cleanup after each test (registered with {@code @RegisterExtension}). Cleanup closes what the
 * test handed over (managers, launchers), then kills every tracked process together with its descendants and
 * every process in its session or process group, so nothing survives a failing test.
 */
final class RealProcesses implements AfterEachCallback {
    /** How long a test waits for anything: generous, because the machine is shared. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private static final Path PROC = Path.of("/proc");

    private final Set<Long> pids = ConcurrentHashMap.newKeySet();
    private final Deque<AutoCloseable> closeables = new ConcurrentLinkedDeque<>();

    /** Kills {@code pid} and everything it started after the test. */
    long track(long pid) {
        pids.add(pid);
        return pid;
    }

    /** Kills {@code process} and everything it started after the test. */
    /** A listener that tracks the process of every agent a manager launches. */
    LifecycleListener agentTracker() {
        return event -> {
            if (event instanceof LifecycleEvent.AgentLaunched launched && launched.pid() != null) {
                track(launched.pid());
            }
        };
    }

    Process track(Process process) {
        track(process.pid());
        return process;
    }

    /** Closes {@code closeable} after the test, before processes are killed; last handed over, first closed. */
    <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.push(closeable);
        return closeable;
    }

    /** Closes {@code launcher} after the test, before processes are killed. */
    <T extends AgentLauncher> T closeLater(T launcher) {
        closeables.push(launcher::close);
        return launcher;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception failure = null;
        for (AutoCloseable closeable; (closeable = closeables.poll()) != null; ) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        List<ProcessHandle> victims = new ArrayList<>();
        for (long pid : pids) {
            victims.addAll(treeOf(pid));
        }
        pids.clear();
        victims.forEach(ProcessHandle::destroyForcibly);
        await(DEADLINE, () -> victims.stream().noneMatch(RealProcesses::running), "test processes to die");
        if (failure != null) {
            throw failure;
        }
    }

    /** {@code pid}, its descendants, and every process in the session or process group it leads. */
    static List<ProcessHandle> treeOf(long pid) {
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        ProcessHandle.of(pid).ifPresent(root -> {
            tree.put(root.pid(), root);
            root.descendants().forEach(child -> tree.put(child.pid(), child));
        });
        for (long member : sessionOrGroupMembers(pid)) {
            ProcessHandle.of(member).ifPresent(handle -> {
                tree.putIfAbsent(handle.pid(), handle);
                handle.descendants().forEach(child -> tree.putIfAbsent(child.pid(), child));
            });
        }
        tree.remove(ProcessHandle.current().pid());
        return new ArrayList<>(tree.values());
    }

    /** Live processes whose session id or process group id is {@code id}, read from {@code /proc}. */
    static List<Long> sessionOrGroupMembers(long id) {
        List<Long> members = new ArrayList<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .forEach(name -> {
                        long[] ids = groupAndSession(Long.parseLong(name));
                        if (ids != null && (ids[0] == id || ids[1] == id)) {
                            members.add(Long.parseLong(name));
                        }
                    });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return members;
    }

    private static long[] groupAndSession(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (fields[0].equals("Z") || fields[0].equals("X")) {
                return null;
            }
            return new long[] {Long.parseLong(fields[2]), Long.parseLong(fields[3])};
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /**
     * Whether {@code pid} names a running process. A zombie (dead, not yet reaped) does not run, although {@link
     * ProcessHandle#isAlive()} says it is alive; here orphans are re-parented to an init that reaps them late.
     */
    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(RealProcesses::running).orElse(false);
    }

    static boolean running(ProcessHandle process) {
        return process.isAlive() && !"Z".equals(stateOf(process.pid()));
    }

    private static String stateOf(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
        } catch (IOException | RuntimeException gone) {
            return "";
        }
    }

    /** Polls {@code condition} every few milliseconds until it holds; fails after {@code timeout}. */
    static void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Polls {@code condition} until it holds, for at most {@link #DEADLINE}. */
    static void await(BooleanSupplier condition, String what) {
        await(DEADLINE, condition, what);
    }

    /** The value of {@code stage}, waiting at most {@code timeout}; a failed stage throws its cause. */
    static <T> T get(CompletionStage<T> stage, Duration timeout) throws ExecutionException {
        try {
            return stage.toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The value of {@code stage}, waiting at most {@link #DEADLINE}. */
    static <T> T get(CompletionStage<T> stage) throws ExecutionException {
        return get(stage, DEADLINE);
    }

    /** Writes an executable {@code /bin/sh} script named {@code name} into {@code directory}. */
    static Path script(Path directory, String name, String body) throws IOException {
        Path file = directory.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** The command that runs {@code script} with {@code /bin/sh} (immune to "text file busy" races). */
    static List<String> sh(Path script, String... arguments) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", script.toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    /** The pids listed one per line in {@code file}, or none if it does not exist yet. */
    static List<Long> pidsIn(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
                    .filter(line -> !line.isEmpty()).map(Long::parseLong).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The names of the files in {@code directory}. */
    static List<String> filesIn(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The binary of the running JVM. */
    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
