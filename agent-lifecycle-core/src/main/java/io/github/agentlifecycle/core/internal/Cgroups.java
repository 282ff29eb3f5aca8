package io.github.agentlifecycle.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Gives each agent a cgroup (v2) of its own, under a parent cgroup this process may manage: by default its own
 * cgroup, as a service with delegated cgroups (systemd {@code Delegate=yes}) or a container with a writable cgroup
 * file system has. An agent is started through {@code /bin/sh}, which moves itself into the agent's cgroup before it
 * runs the agent's command, so that nothing the agent starts is ever outside it. Immutable and thread-safe.
 */
public final class Cgroups {
    /** Every agent cgroup's name starts with this, followed by the agent's id. */
    static final String PREFIX = "agent-lifecycle.";
    private static final Path SH = Path.of("/bin/sh");
    private static final String ENTER = "echo 0 >\"$0/cgroup.procs\" && exec \"$@\"";
    private static final long PROBE_TIMEOUT_SECONDS = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path parent;

    private Cgroups(Path parent) {
        this.parent = parent;
    }

    /** Why cgroups cannot be used here. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Cgroups under {@code parent} (or this process's own cgroup when null), after checking that a cgroup can be
     * created there, has {@code cgroup.kill} (Linux 5.14 and later), and that a process can move itself into it.
     *
     * @throws Unavailable saying what is missing
     */
    public static Cgroups detect(@Nullable Path parent) throws Unavailable {
        Path base = parent != null ? parent : ownCgroup();
        if (!Files.isRegularFile(base.resolve("cgroup.procs"))) {
            throw new Unavailable(base + " is not a cgroup v2 directory");
        }
        if (!Files.isExecutable(SH)) {
            throw new Unavailable(SH + " is missing");
        }
        Cgroups cgroups = new Cgroups(base);
        Path probe;
        try {
            probe = cgroups.create("probe-" + randomId());
        } catch (IOException e) {
            throw new Unavailable("cannot create a cgroup in " + base + " (" + e.getMessage() + ")");
        }
        try {
            if (!Files.exists(probe.resolve("cgroup.kill"))) {
                throw new Unavailable("the kernel has no cgroup.kill (Linux 5.14 or later has it)");
            }
            Process entering = new ProcessBuilder(wrap(probe, List.of("true")))
                    .redirectErrorStream(true).start();
            if (!entering.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                entering.destroyForcibly();
                throw new Unavailable("moving a process into " + probe + " did not finish");
            }
            if (entering.exitValue() != 0) {
                String said = new String(entering.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                throw new Unavailable("a process cannot move itself into a cgroup in " + base + " (" + said + ")");
            }
        } catch (IOException e) {
            throw new Unavailable("cannot start " + SH + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while probing cgroups");
        } finally {
            new CgroupProcesses(probe).release();
        }
        return cgroups;
    }

    /** The parent cgroup agents' cgroups are created in. */
    public Path parent() {
        return parent;
    }

    /** Creates the cgroup of the agent with id {@code agentId}. */
    public Path create(String agentId) throws IOException {
        return Files.createDirectory(parent.resolve(PREFIX + agentId));
    }

    /** The command line that moves itself into {@code cgroup} and then runs {@code command}. */
    public static List<String> wrap(Path cgroup, List<String> command) {
        List<String> wrapped = new ArrayList<>(command.size() + 4);
        wrapped.add(SH.toString());
        wrapped.add("-c");
        wrapped.add(ENTER);
        wrapped.add(cgroup.toString());
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * {@code recorded} if it is the cgroup this library created for the agent with id {@code agentId}: a directory
     * of a cgroup v2 file system named after the agent's id. Null otherwise, or when it no longer exists.
     */
    public static @Nullable Path recorded(Path recorded, @Nullable String agentId) {
        if (agentId == null || !recorded.isAbsolute()
                || !recorded.equals(recorded.normalize())
                || !recorded.getFileName().toString().equals(PREFIX + agentId)
                || !Files.isDirectory(recorded, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return Files.getFileStore(recorded).type().equals("cgroup2") ? recorded : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A new random agent id: 128 bits, URL-safe base64. */
    public static String randomId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * This process's own cgroup v2 directory: its path from {@code /proc/self/cgroup} under the cgroup2 mount that
     * {@code /proc/self/mountinfo} shows for it.
     */
    private static Path ownCgroup() throws Unavailable {
        String path = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
                if (line.startsWith("0::")) {
                    path = line.substring(3);
                }
            }
        } catch (IOException e) {
            throw new Unavailable("/proc/self/cgroup is not readable (not Linux?)");
        }
        if (path == null) {
            throw new Unavailable("this process is in no cgroup v2 hierarchy (cgroup v1 only)");
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] halves = line.split(" - ", 2);
                String[] fields = halves[0].split(" ");
                if (halves.length == 2 && halves[1].startsWith("cgroup2 ") && fields.length > 4) {
                    String root = unescape(fields[3]);
                    if (path.equals(root) || path.startsWith(root.endsWith("/") ? root : root + "/")) {
                        String relative = path.substring(root.length()).replaceFirst("^/", "");
                        return Path.of(unescape(fields[4])).resolve(relative);
                    }
                }
            }
        } catch (IOException e) {
            throw new Unavailable("/proc/self/mountinfo is not readable");
        }
        throw new Unavailable("no cgroup2 file system holding " + path + " is mounted");
    }

    /** A mountinfo field with its octal escapes ({@code \040} for a space) decoded. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
