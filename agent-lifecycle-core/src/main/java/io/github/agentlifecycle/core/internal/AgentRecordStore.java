package io.github.agentlifecycle.core.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * One small file per running agent process in a state directory, so that a host that starts after a crash can
 * find and kill the agents its predecessor left behind. The directory must be private to this process's user, and
 * so must every record read from it ({@link PrivateDirectory}): a record tells which processes to kill.
 * Thread-safe (each file is written atomically, readable by its owner only).
 */
public final class AgentRecordStore {
    private static final String SUFFIX = ".agent";
    /** Far more than a record takes; a larger file was not written here. */
    private static final long MAX_RECORD_BYTES = 4096;

    private final PrivateDirectory directory;

    /**
     * A store in {@code directory}, created private to this user if missing.
     *
     * @throws IOException if it cannot be created, or naming why it cannot be trusted
     */
    public AgentRecordStore(Path directory) throws IOException {
        this.directory = PrivateDirectory.prepare(directory);
    }

    /** The directory. */
    public Path directory() {
        return directory.path();
    }

    /**
     * What is recorded about one agent process.
     *
     * @param pid the agent's pid
     * @param start when it started, or null if the system does not tell
     * @param room its room
     * @param agentIdentity its identity
     * @param ownerPid the pid of the host that launched it
     * @param ownerStart when that host started, or null if unknown
     * @param agentId the random id the launcher put into the agent's environment, or null for records of older
     *     versions
     * @param cgroup the agent's own cgroup, or null when it has none
     */
    public record Entry(long pid, @Nullable Instant start, String room, String agentIdentity, long ownerPid,
            @Nullable Instant ownerStart, @Nullable String agentId, @Nullable Path cgroup) {}

    /** Writes the record of {@code entry.pid()}. */
    public void write(Entry entry) throws IOException {
        Properties values = new Properties();
        values.setProperty("pid", Long.toString(entry.pid()));
        if (entry.start() != null) {
            values.setProperty("start", entry.start().toString());
        }
        values.setProperty("room", entry.room());
        values.setProperty("agentIdentity", entry.agentIdentity());
        values.setProperty("ownerPid", Long.toString(entry.ownerPid()));
        if (entry.ownerStart() != null) {
            values.setProperty("ownerStart", entry.ownerStart().toString());
        }
        if (entry.agentId() != null) {
            values.setProperty("agentId", entry.agentId());
        }
        if (entry.cgroup() != null) {
            values.setProperty("cgroup", entry.cgroup().toString());
        }
        Path target = fileOf(entry.pid());
        Path temporary = Files.createTempFile(directory(), "write-", ".tmp");
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            values.store(out, null);
        }
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes the record of {@code pid}, if any. */
    public void delete(long pid) {
        try {
            Files.deleteIfExists(fileOf(pid));
        } catch (IOException e) {
            System.getLogger(AgentRecordStore.class.getName()).log(System.Logger.Level.WARNING,
                    "could not delete agent record " + fileOf(pid), e);
        }
    }

    /**
     * Every readable record; trusted files that are not records are deleted.
     *
     * @throws IOException if the directory cannot be listed, or naming a record that cannot be trusted (not a
     *     regular file, owned by another user, writable by others, too large)
     */
    public List<Entry> list() throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory(), "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    directory.checkFile(file, MAX_RECORD_BYTES);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                Entry entry = read(file);
                if (entry != null) {
                    entries.add(entry);
                } else {
                    Files.deleteIfExists(file);
                }
            }
        }
        return entries;
    }

    private static @Nullable Entry read(Path file) {
        Properties values = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(in);
            String cgroup = values.getProperty("cgroup");
            return new Entry(
                    Long.parseLong(values.getProperty("pid")),
                    instant(values.getProperty("start")),
                    values.getProperty("room", "?"),
                    values.getProperty("agentIdentity", "?"),
                    Long.parseLong(values.getProperty("ownerPid")),
                    instant(values.getProperty("ownerStart")),
                    values.getProperty("agentId"),
                    cgroup == null ? null : Path.of(cgroup));
        } catch (IOException | RuntimeException corrupt) {
            return null;
        }
    }

    private static @Nullable Instant instant(@Nullable String value) {
        return value == null ? null : Instant.parse(value);
    }

    private Path fileOf(long pid) {
        return directory().resolve(pid + SUFFIX);
    }
}
