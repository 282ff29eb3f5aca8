package io.github.agentlifecycle.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An agent without a cgroup of its own, found through {@code /proc} ({@link ProcessTree}): its root, descendants,
 * session and process group, and the processes carrying its id in their environment. Every process seen once is
 * remembered, so that one that left all of these since (re-parented, own session, cleared environment) still gets
 * the signals. Thread-safe.
 */
public final class SessionProcesses implements AgentProcesses {
    private final @Nullable ProcessHandle root;
    private final long rootPid;
    private final byte @Nullable [] marker;
    private final Map<Long, ProcessHandle> known = new LinkedHashMap<>();

    /**
     * The processes of the agent whose root is {@code root}.
     *
     * @param root the root process, or null to find only the processes carrying {@code marker}
     * @param rootPid the root's pid (the session and process group it leads)
     * @param marker {@code NAME=value} in the environment of every process of the agent, or null
     */
    public SessionProcesses(@Nullable ProcessHandle root, long rootPid, byte @Nullable [] marker) {
        this.root = root;
        this.rootPid = rootPid;
        this.marker = marker;
    }

    /** Whether none runs: cheap while one seen before still runs, a walk of {@code /proc} otherwise. */
    @Override
    public synchronized boolean isEmpty() {
        for (ProcessHandle member : known.values()) {
            if (ProcessTree.isRunning(member)) {
                return false;
            }
        }
        return running().isEmpty();
    }

    @Override
    public synchronized void signal(boolean kill) {
        ProcessTree.signal(running(), kill);
    }

    /** Those found now and those seen before that still run. */
    private List<ProcessHandle> running() {
        for (ProcessHandle member : ProcessTree.members(root, rootPid, marker)) {
            known.putIfAbsent(member.pid(), member);
        }
        List<ProcessHandle> running = new ArrayList<>();
        for (ProcessHandle member : known.values()) {
            if (ProcessTree.isRunning(member)) {
                running.add(member);
            }
        }
        return running;
    }
}
