package io.github.agentlifecycle.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the replica benchmarks read from {@code /proc}: CPU time of processes in clock ticks, processes by command
 * line, whether a process runs, the load average. Linux only; stateless.
 */
final class ProcFs {
    private static final Path PROC = Path.of("/proc");
    private static volatile long ticksPerSecond;

    private ProcFs() {}

    /** utime + stime of {@code pid}, or -1 if unreadable. */
    static long ticks(long pid) {
        long[] fields = fields(pid);
        return fields == null ? -1 : fields[1] + fields[2];
    }

    /**
     * utime + stime of {@code pid} and of its live children, plus cutime + cstime of {@code pid} (what its exited
     * children used); -1 if {@code pid} is unreadable.
     */
    static long treeTicks(long pid) {
        long[] own = fields(pid);
        if (own == null) {
            return -1;
        }
        long sum = own[1] + own[2] + own[3] + own[4];
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcFs::isPid)) {
            for (Path entry : entries) {
                long[] child = fields(Long.parseLong(entry.getFileName().toString()));
                if (child != null && child[0] == pid) {
                    sum += child[1] + child[2];
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    /** The lowest pid whose command line (arguments joined by spaces) matches, or -1. */
    static long find(Predicate<String> commandLine) {
        long found = -1;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcFs::isPid)) {
            for (Path entry : entries) {
                try {
                    String line = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    long pid = Long.parseLong(entry.getFileName().toString());
                    if (commandLine.test(line) && (found < 0 || pid < found)) {
                        found = pid;
                    }
                } catch (IOException gone) {
                    // exited
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return found;
    }

    /** Clock ticks per second of {@code /proc/<pid>/stat}, from {@code getconf CLK_TCK}, else 100. */
    static long ticksPerSecond() {
        if (ticksPerSecond == 0) {
            long ticks = 100;
            try {
                Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (getconf.waitFor() == 0) {
                    ticks = Long.parseLong(out);
                }
            } catch (IOException | RuntimeException e) {
                // keep 100
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticksPerSecond = ticks;
        }
        return ticksPerSecond;
    }

    /** Whether process {@code pid} exists and is not a zombie. */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    /** The pids of the live processes whose last argument is {@code argument} (agents: their room), ascending. */
    static List<Long> withLastArgument(String argument) {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcFs::isPid)) {
            for (Path entry : entries) {
                try {
                    String[] arguments = new String(Files.readAllBytes(entry.resolve("cmdline")),
                            StandardCharsets.UTF_8).split("\0");
                    if (arguments.length > 1 && arguments[arguments.length - 1].equals(argument)) {
                        pids.add(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        pids.sort(null);
        return pids;
    }

    /**
     * One pass over {@code /proc}: for each live process whose last argument is one of {@code arguments} (agents:
     * their room), its pid mapped to its parent's pid, grouped by that argument.
     */
    static Map<String, Map<Long, Long>> byLastArgument(Set<String> arguments) {
        Map<String, Map<Long, Long>> found = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcFs::isPid)) {
            for (Path entry : entries) {
                try {
                    byte[] line = Files.readAllBytes(entry.resolve("cmdline"));
                    int end = line.length > 0 && line[line.length - 1] == 0 ? line.length - 1 : line.length;
                    int start = end;
                    while (start > 0 && line[start - 1] != 0) {
                        start--;
                    }
                    String last = new String(line, start, end - start, StandardCharsets.UTF_8);
                    if (start > 0 && arguments.contains(last)) {
                        long pid = Long.parseLong(entry.getFileName().toString());
                        long[] fields = fields(pid);
                        if (fields != null) {
                            found.computeIfAbsent(last, key -> new HashMap<>()).put(pid, fields[0]);
                        }
                    }
                } catch (IOException gone) {
                    // exited
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /** The first three fields of {@code /proc/loadavg}, or "?". */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(PROC.resolve("loadavg"), StandardCharsets.US_ASCII).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** ppid, utime, stime, cutime, cstime of {@code pid}, or null. */
    private static long[] fields(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            // After the command name in parentheses, which may hold spaces: state is field 3, ppid 4, utime 14.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isPid(Path entry) {
        String name = entry.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }
}
