package io.github.agentlifecycle.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Counts the agent processes of one test run across the whole machine, by reading {@code /proc}: an agent process
 * is one whose command line contains the run's marker, and its room is its last argument (the launcher appends
 * it). Zombies (exited, not yet reaped) do not count. {@link #start()} samples the count per room every few
 * milliseconds on a thread of its own until {@link #close()}, and keeps every sample in which a room had more than
 * one agent process. Thread-safe.
 */
final class AgentCensus implements AutoCloseable {
    private static final Path PROC = Path.of("/proc");
    private static final long SAMPLE_MILLIS = 25;

    /** One live agent process: its pid, its parent's pid and its room. */
    record Agent(long pid, long parentPid, String room) {}

    private final String marker;
    private final List<String> duplicates = new CopyOnWriteArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long samples;

    AgentCensus(String marker) {
        this.marker = marker;
        this.sampler = new Thread(this::sample, "agent-census");
        this.sampler.setDaemon(true);
    }

    AgentCensus start() {
        sampler.start();
        return this;
    }

    /** The run's live agent processes now. */
    List<Agent> agents() {
        List<Agent> agents = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, entry -> isPid(entry.getFileName()))) {
            for (Path entry : entries) {
                Agent agent = agent(entry);
                if (agent != null) {
                    agents.add(agent);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return agents;
    }

    /** The run's live agent processes now, by room. */
    Map<String, List<Agent>> byRoom() {
        return agents().stream().collect(Collectors.groupingBy(Agent::room, TreeMap::new, Collectors.toList()));
    }

    /** The live agent processes of {@code room} now. */
    List<Agent> of(String room) {
        return agents().stream().filter(agent -> agent.room().equals(room)).toList();
    }

    /** Every sample so far in which a room had more than one agent process, described. */
    List<String> duplicates() {
        return List.copyOf(duplicates);
    }

    long samples() {
        return samples;
    }

    private void sample() {
        while (running) {
            long at = System.currentTimeMillis();
            byRoom().forEach((room, agents) -> {
                if (agents.size() > 1) {
                    duplicates.add("at " + at + " room " + room + " had " + agents.size() + " agent processes: "
                            + agents);
                }
            });
            samples++;
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The agent process {@code /proc/<pid>} is, or null if it is not one of the run's or is not alive. */
    private Agent agent(Path entry) {
        try {
            byte[] raw = Files.readAllBytes(entry.resolve("cmdline"));
            if (raw.length == 0) {
                return null; // a kernel thread, or a process that just exited
            }
            String[] arguments = new String(raw, StandardCharsets.UTF_8).split("\0");
            boolean marked = false;
            for (String argument : arguments) {
                marked |= argument.contains(marker);
            }
            if (!marked) {
                return null;
            }
            String stat = Files.readString(entry.resolve("stat"), StandardCharsets.UTF_8);
            // After the command name in parentheses (which may hold spaces): state, then the parent's pid.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (fields[0].equals("Z") || fields[0].equals("X")) {
                return null;
            }
            return new Agent(Long.parseLong(entry.getFileName().toString()), Long.parseLong(fields[1]),
                    arguments[arguments.length - 1]);
        } catch (IOException | RuntimeException gone) {
            return null; // exited while being read
        }
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

    private static boolean isPid(Path name) {
        String s = name.toString();
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.interrupt();
        sampler.join(5_000);
    }
}
