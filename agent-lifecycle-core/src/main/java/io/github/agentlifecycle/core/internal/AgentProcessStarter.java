package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.AgentSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Starts one agent process: the configured command with the room name appended, in its own session where {@code
 * setsid} exists, inside its cgroup when it has one, with the agent's environment. An agent started ahead of need
 * gets no room: neither the argument nor the room's variables, but {@value RoomAssignment#MODE_VARIABLE}{@code =}{@value
 * RoomAssignment#MODE}, and reads its room from stdin ({@link RoomAssignment}). Immutable and thread-safe.
 */
public final class AgentProcessStarter {
    /** The environment variable holding the agent's id, by which the launcher recognises the agent's processes. */
    public static final String AGENT_ID_VARIABLE = "AGENT_LIFECYCLE_AGENT_ID";
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final List<String> command;
    private final @Nullable Path workingDirectory;
    private final Map<String, String> environment;
    private final Set<String> withheld;
    private final boolean inheritEnvironment;
    private final @Nullable String heartbeatUrl;
    private final boolean ownSession;

    /**
     * A starter for {@code command}.
     *
     * @param environment variables added to every agent's environment
     * @param withheld variables of the host's environment that agents do not inherit
     * @param ownSession whether each agent gets its own session (where {@code setsid} exists)
     */
    public AgentProcessStarter(List<String> command, @Nullable Path workingDirectory, Map<String, String> environment,
            Set<String> withheld, boolean inheritEnvironment, @Nullable String heartbeatUrl, boolean ownSession) {
        this.command = List.copyOf(command);
        this.workingDirectory = workingDirectory;
        this.environment = Map.copyOf(environment);
        this.withheld = Set.copyOf(withheld);
        this.inheritEnvironment = inheritEnvironment;
        this.heartbeatUrl = heartbeatUrl;
        this.ownSession = ownSession && Files.isExecutable(SETSID);
    }

    /**
     * Starts the agent of {@code spec}, or, when it is null, an agent that waits for its room on stdin.
     *
     * @param agentId the id put into its environment ({@value #AGENT_ID_VARIABLE})
     * @param cgroup its cgroup, or null when it has none
     * @throws IOException if the command cannot be run
     */
    public Process start(@Nullable AgentSpec spec, String agentId, @Nullable Path cgroup) throws IOException {
        List<String> commandLine = new ArrayList<>(command.size() + 2);
        if (ownSession) {
            commandLine.add(SETSID.toString());
        }
        commandLine.addAll(command);
        if (spec != null) {
            commandLine.add(spec.roomName());
        }
        ProcessBuilder builder = new ProcessBuilder(cgroup != null ? Cgroups.wrap(cgroup, commandLine) : commandLine);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        Map<String, String> env = builder.environment();
        if (!inheritEnvironment) {
            env.clear();
        }
        env.keySet().removeAll(withheld);
        env.putAll(environment);
        env.put(AGENT_ID_VARIABLE, agentId);
        if (heartbeatUrl != null) {
            env.put("AGENT_HEARTBEAT_URL", heartbeatUrl);
        }
        if (spec == null) {
            env.keySet().removeAll(List.of("ROOM_NAME", "AGENT_IDENTITY", "AGENT_CREDENTIAL"));
            env.put(RoomAssignment.MODE_VARIABLE, RoomAssignment.MODE);
        } else {
            env.remove(RoomAssignment.MODE_VARIABLE);
            env.put("ROOM_NAME", spec.roomName());
            env.put("AGENT_IDENTITY", spec.agentIdentity());
            if (heartbeatUrl != null) {
                env.put("AGENT_CREDENTIAL", spec.credential());
            }
        }
        try {
            if (ownSession || cgroup != null) {
                checkExecutable(command.get(0), env, workingDirectory);
            }
            return builder.start();
        } catch (IOException e) {
            throw new IOException("cannot start agent command " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** The agent's id as it appears in its environment: {@code NAME=value}. */
    public static byte[] marker(String agentId) {
        return (AGENT_ID_VARIABLE + "=" + agentId).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Fails as {@code execvp} would for {@code program}: {@code setsid} and the cgroup's shell run the agent only
     * after they started themselves, so an agent command they cannot execute would otherwise look like an agent
     * that exited at once.
     */
    private static void checkExecutable(String program, Map<String, String> env, @Nullable Path directory)
            throws IOException {
        Path base = directory != null ? directory : Path.of("").toAbsolutePath();
        List<Path> candidates = new ArrayList<>();
        if (program.indexOf('/') >= 0) {
            candidates.add(base.resolve(program));
        } else {
            String path = env.getOrDefault("PATH", "/bin:/usr/bin");
            for (String entry : path.split(":", -1)) {
                candidates.add(base.resolve(entry.isEmpty() ? "." : entry).resolve(program));
            }
        }
        boolean denied = false;
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return;
            }
            denied |= Files.exists(candidate);
        }
        throw new IOException("Cannot run program \"" + program + "\""
                + (directory != null ? " (in directory \"" + directory + "\")" : "")
                + (denied ? ": error=13, Permission denied" : ": error=2, No such file or directory"));
    }
}
