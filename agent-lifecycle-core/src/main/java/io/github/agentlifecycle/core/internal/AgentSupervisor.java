package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The engine's side of every agent: launches through the {@link AgentLauncher}, stops, exit reports, and the
 * health check that finds agents gone without one. What the launcher answers comes back on the engine's loop as
 * an input for the room. Confined to the engine's thread.
 */
final class AgentSupervisor {
    private static final System.Logger LOG = LoggingListener.LOG;

    private final AgentManagerConfig config;
    private final AgentLauncher launcher;
    private final SerialLoop loop;
    private final Publisher publisher;
    private final RoomLoop rooms;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, LiveAgent> agents = new HashMap<>();
    private boolean launcherClosed;

    AgentSupervisor(AgentManagerConfig config, AgentLauncher launcher, SerialLoop loop, Publisher publisher,
            RoomLoop rooms) {
        this.config = config;
        this.launcher = launcher;
        this.loop = loop;
        this.publisher = publisher;
        this.rooms = rooms;
    }

    /** The agent the launcher has (or is starting) for {@code room}, if any. */
    @Nullable LiveAgent get(String room) {
        return agents.get(room);
    }

    /** Every agent the launcher has or is starting. */
    Collection<LiveAgent> all() {
        return agents.values();
    }

    boolean isEmpty() {
        return agents.isEmpty();
    }

    /** Whether {@code credential} is the one handed to the room's current agent {@code identity}, in constant time. */
    boolean verifyCredential(String room, String identity, String credential) {
        LiveAgent agent = agents.get(room);
        return agent != null && agent.identity.equals(identity)
                && MessageDigest.isEqual(agent.credential, credential.getBytes(StandardCharsets.UTF_8));
    }

    void launch(String room, int generation) {
        LiveAgent previous = agents.get(room);
        if (previous != null) {
            LOG.log(Level.ERROR, "Room " + room + ": launch requested while agent " + previous.identity
                    + " has not exited; launch skipped");
            rooms.deliver(room, new RoomInput.AgentLaunchFailed(generation, previous.identity,
                    "previous agent has not exited"));
            return;
        }
        String identity = config.agentIdentityPrefix() + token(6);
        String credential = token(24);
        LiveAgent agent = new LiveAgent(room, generation, identity, credential.getBytes(StandardCharsets.UTF_8));
        agents.put(room, agent);
        rooms.deliver(room, new RoomInput.AgentAssigned(generation, identity));
        publisher.add(new LifecycleEvent.AgentLaunching(room, identity, generation));
        CompletionStage<AgentHandle> stage;
        try {
            stage = launcher.launch(new AgentSpec(room, identity, credential, generation));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((handle, error) -> loop.submit(() -> launched(agent, handle, error)));
    }

    private void launched(LiveAgent agent, @Nullable AgentHandle handle, @Nullable Throwable error) {
        if (error != null || handle == null) {
            if (agents.get(agent.room) == agent) {
                agents.remove(agent.room);
            }
            rooms.deliver(agent.room, new RoomInput.AgentLaunchFailed(agent.generation, agent.identity,
                    describe(error)));
            rooms.drain();
            return;
        }
        agent.handle = handle;
        if (prewarmed(handle)) {
            publisher.counters.warmLaunches++;
        } else {
            publisher.counters.coldLaunches++;
        }
        if (agent.stopRequested || launcherClosed) {
            stopHandle(agent);
        }
        CompletionStage<AgentExit> exit;
        try {
            exit = handle.onExit();
        } catch (RuntimeException e) {
            exit = CompletableFuture.completedFuture(AgentExit.lost(agent.stopRequested, "handle failed: " + e));
        }
        exit.whenComplete((status, failure) -> loop.submit(() -> exited(agent,
                status != null ? status : AgentExit.lost(agent.stopRequested, describe(failure)))));
        rooms.deliver(agent.room, new RoomInput.AgentStarted(agent.generation, identityOf(agent, handle), agent.pid()));
        rooms.drain();
    }

    private static boolean prewarmed(AgentHandle handle) {
        try {
            return handle.prewarmed();
        } catch (RuntimeException launcherBug) {
            return false;
        }
    }

    /** Agents the launcher keeps ready ahead of need. */
    int idleAgents() {
        try {
            return Math.max(0, launcher.idleAgents());
        } catch (RuntimeException launcherBug) {
            return 0;
        }
    }

    private static String identityOf(LiveAgent agent, AgentHandle handle) {
        try {
            String identity = handle.agentIdentity();
            return identity == null || identity.isBlank() ? agent.identity : identity;
        } catch (RuntimeException launcherBug) {
            return agent.identity;
        }
    }

    private void exited(LiveAgent agent, AgentExit exit) {
        if (agent.exitReported) {
            return;
        }
        agent.exitReported = true;
        if (agents.get(agent.room) == agent) {
            agents.remove(agent.room);
        }
        rooms.deliver(agent.room, new RoomInput.AgentExited(agent.generation, exit));
        rooms.drain();
    }

    /** Stops the room's agent of {@code generation}, if that is the one running. */
    void stop(String room, int generation) {
        LiveAgent agent = agents.get(room);
        if (agent != null && agent.generation == generation) {
            requestStop(agent);
        }
    }

    /** Stops {@code agent} now, or as soon as the launcher hands over its handle. */
    void requestStop(LiveAgent agent) {
        agent.stopRequested = true;
        if (agent.handle != null) {
            stopHandle(agent);
        }
    }

    private void stopHandle(LiveAgent agent) {
        AgentHandle handle = agent.handle;
        if (handle == null) {
            return;
        }
        try {
            handle.stop(config.agentStopTimeout());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Room " + agent.room + ": stopping agent " + agent.identity + " failed", e);
        }
    }

    /**
     * Closes the launcher; agents whose handle arrives later are stopped at once. Agents asked to stop that are still
     * there are left to the launcher, with a warning; agents never asked to stop (remote ones other replicas adopt)
     * are left running.
     */
    void closeLauncher() {
        launcherClosed = true;
        for (LiveAgent agent : agents.values()) {
            if (!agent.stopRequested) {
                continue;
            }
            LOG.log(Level.WARNING, "Room " + agent.room + ": agent " + agent.identity
                    + (agent.pid() == null ? "" : " (PID: " + agent.pid() + ")")
                    + " did not exit within the stop timeout; leaving it to the launcher");
        }
        try {
            launcher.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "launcher failed to close", e);
        }
    }

    /**
     * Finds agents whose handle says they are gone although no exit was reported, and returns how many. An agent
     * whose exit stage has completed did report its exit (the report waits in the loop's queue behind this
     * command): it is handled now with the status it reported, not as lost.
     */
    int healthCheck() {
        int dead = 0;
        for (LiveAgent agent : new ArrayList<>(agents.values())) {
            AgentHandle handle = agent.handle;
            if (handle == null || agent.exitReported) {
                continue;
            }
            boolean alive;
            try {
                alive = handle.isAlive();
            } catch (RuntimeException e) {
                alive = true;
            }
            if (!alive) {
                AgentExit reported = reportedExit(handle);
                if (reported != null) {
                    exited(agent, reported);
                    continue;
                }
                dead++;
                LOG.log(Level.WARNING, "Room " + agent.room + ": health check found agent " + agent.identity
                        + " dead without an exit report");
                exited(agent, AgentExit.lost(agent.stopRequested, "found dead by the health check"));
            }
        }
        return dead;
    }

    /** The exit {@code handle} has already reported, or null if its exit stage has not completed normally. */
    private static @Nullable AgentExit reportedExit(AgentHandle handle) {
        try {
            CompletableFuture<AgentExit> exit = handle.onExit().toCompletableFuture();
            return exit.isDone() && !exit.isCompletedExceptionally() ? exit.getNow(null) : null;
        } catch (RuntimeException launcherBug) {
            return null;
        }
    }

    private String token(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    private static String describe(@Nullable Throwable error) {
        if (error == null) {
            return "launcher returned no handle";
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getName() : message;
    }
}
