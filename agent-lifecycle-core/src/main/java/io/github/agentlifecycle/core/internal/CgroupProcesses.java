package io.github.agentlifecycle.core.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent in a cgroup (v2) of its own: the kernel keeps every process the agent starts in it, whatever session,
 * process group or parent they end up with, so nothing escapes. SIGTERM goes to each process the cgroup lists;
 * SIGKILL is {@code cgroup.kill}, which kills them all at once, also those forking meanwhile; the agent is gone when
 * {@code cgroup.events} says the cgroup is no longer populated. Thread-safe.
 */
public final class CgroupProcesses implements AgentProcesses {
    private static final System.Logger LOG = System.getLogger(CgroupProcesses.class.getName());

    private final Path directory;

    /** The processes of the cgroup {@code directory}. */
    public CgroupProcesses(Path directory) {
        this.directory = directory;
    }

    /** The cgroup's directory. */
    public Path directory() {
        return directory;
    }

    @Override
    public boolean isEmpty() {
        try {
            for (String line : Files.readAllLines(directory.resolve("cgroup.events"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("populated ")) {
                    return line.equals("populated 0");
                }
            }
            return pids().isEmpty();
        } catch (NoSuchFileException gone) {
            return true;
        } catch (IOException e) {
            return pids().isEmpty();
        }
    }

    @Override
    public void signal(boolean kill) {
        if (kill) {
            try {
                Files.writeString(directory.resolve("cgroup.kill"), "1", StandardCharsets.US_ASCII);
                return;
            } catch (NoSuchFileException gone) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot write " + directory.resolve("cgroup.kill") + "; killing one by one", e);
            }
        }
        for (long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(process -> ProcessTree.signal(List.of(process), kill));
        }
    }

    /** Removes the cgroup; one that still holds processes stays (and is logged). */
    @Override
    public void release() {
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove cgroup " + directory + ": " + e);
        }
    }

    private List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(directory.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.strip()));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // no cgroup any more, or nothing readable in it: nothing to signal
        }
        return pids;
    }
}
