package io.github.agentlifecycle.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Finds, in {@code /proc}, the running processes that belong to one soak run: those whose command line contains the
 * run's marker (agent scripts and the children they start) and, for the final check, those whose environment
 * carries the run's variable (which every descendant inherits, {@code sleep} included, even after being
 * re-parented). Zombies count as gone. Linux only; uses only the JDK, so it also runs outside JUnit.
 */
final class MarkedProcesses {
    private static final Path PROC = Path.of("/proc");

    private final byte[] marker;
    private final byte[] environmentEntry;
    private final long self = ProcessHandle.current().pid();

    /**
     * @param marker text in the command line of every agent process of the run
     * @param environmentEntry {@code NAME=value} in the environment of every process of the run
     */
    MarkedProcesses(String marker, String environmentEntry) {
        this.marker = marker.getBytes(StandardCharsets.UTF_8);
        this.environmentEntry = environmentEntry.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One running marked process.
     *
     * @param pid its pid
     * @param group its process group (an agent leads its own, so this names the agent it belongs to)
     * @param startTicks when it started, in clock ticks since boot (guards against pid reuse)
     * @param room the last element of its command line, or empty if none was readable
     */
    record Marked(long pid, long group, long startTicks, String room) {}

    /** Running processes whose command line contains the marker. */
    List<Marked> byCommandLine() {
        List<Marked> found = new ArrayList<>();
        for (long pid : pids()) {
            byte[] commandLine = read(pid, "cmdline");
            if (commandLine != null && contains(commandLine, marker)) {
                stat(pid).ifPresent(stat -> found.add(new Marked(pid, stat.group, stat.startTicks,
                        lastArgument(commandLine))));
            }
        }
        return found;
    }

    /** Running processes whose command line contains the marker or whose environment carries the variable. */
    List<Marked> anywhere() {
        List<Marked> found = new ArrayList<>();
        for (long pid : pids()) {
            byte[] commandLine = read(pid, "cmdline");
            byte[] environment = read(pid, "environ");
            boolean marked = commandLine != null && contains(commandLine, marker)
                    || environment != null && contains(environment, environmentEntry);
            if (marked) {
                stat(pid).ifPresent(stat -> found.add(new Marked(pid, stat.group, stat.startTicks,
                        commandLine == null ? "" : lastArgument(commandLine))));
            }
        }
        return found;
    }

    /** Whether {@code process} still runs as the same process (not a zombie, not a reused pid). */
    static boolean stillRunning(Marked process) {
        return stat(process.pid()).map(stat -> stat.startTicks == process.startTicks).orElse(false);
    }

    /** Sends SIGKILL to every process {@link #anywhere()} finds; returns how many it signalled. */
    int killAll() {
        int killed = 0;
        for (Marked process : anywhere()) {
            if (ProcessHandle.of(process.pid()).map(ProcessHandle::destroyForcibly).orElse(false)) {
                killed++;
            }
        }
        return killed;
    }

    private List<Long> pids() {
        try (Stream<Path> entries = Files.list(PROC)) {
            return entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> pid != self)
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
    }

    private record Stat(long group, long startTicks) {}

    /** Group and start time of {@code pid}, or empty if it is gone or a zombie. */
    private static Optional<Stat> stat(long pid) {
        byte[] bytes = read(pid, "stat");
        if (bytes == null) {
            return Optional.empty();
        }
        String stat = new String(bytes, StandardCharsets.UTF_8);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (fields[0].equals("Z") || fields[0].equals("X")) {
            return Optional.empty();
        }
        // after the name: state(0) ppid(1) pgrp(2) session(3) ... starttime(19)
        return Optional.of(new Stat(Long.parseLong(fields[2]), Long.parseLong(fields[19])));
    }

    private static byte @Nullable [] read(long pid, String file) {
        try {
            return Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve(file));
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    private static String lastArgument(byte[] commandLine) {
        int end = commandLine.length;
        while (end > 0 && commandLine[end - 1] == 0) {
            end--;
        }
        int start = end;
        while (start > 0 && commandLine[start - 1] != 0) {
            start--;
        }
        return new String(commandLine, start, end - start, StandardCharsets.UTF_8);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
