package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * An agent process started ahead of need, as the {@link WarmPool} uses it: its room is written to its stdin
 * ({@link RoomAssignment}), and what it answers on stdout is reported to the pool. Thread-safe.
 */
public final class PooledProcess implements PoolMember {
    private final ProcessSpawner spawner;
    private final ProcessSpawner.Spawned spawned;
    private final @Nullable String heartbeatUrl;

    private PooledProcess(ProcessSpawner spawner, ProcessSpawner.Spawned spawned, @Nullable String heartbeatUrl) {
        this.spawner = spawner;
        this.spawned = spawned;
        this.heartbeatUrl = heartbeatUrl;
    }

    /** Starts the pool's processes with {@code spawner}; their assignments name {@code heartbeatUrl}, if any. */
    public static PoolMember.Starter starter(ProcessSpawner spawner, @Nullable String heartbeatUrl) {
        return answers -> new PooledProcess(spawner, spawner.spawn(null, line -> {
            if (RoomAssignment.isIdle(line)) {
                answers.idle();
            } else if (RoomAssignment.isAssigned(line)) {
                answers.assigned();
            }
        }), heartbeatUrl);
    }

    @Override
    public void assign(AgentSpec spec) throws IOException {
        spawner.assigned(spawned, spec);
        OutputStream stdin = spawned.process().getOutputStream();
        stdin.write(RoomAssignment.line(spec, heartbeatUrl).getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    @Override
    public AgentHandle handle(AgentSpec spec, boolean warm) {
        return new Assigned(spawned.agent(), spec.agentIdentity(), warm);
    }

    @Override
    public CompletionStage<AgentExit> exited() {
        return spawned.agent().onExit();
    }

    @Override
    public void retire() {
        spawned.agent().stop(spawner.stopTimeout());
    }

    @Override
    public long pid() {
        return spawned.process().pid();
    }

    /** The agent's handle once it has its room. */
    private record Assigned(ProcessAgent agent, String agentIdentity, boolean prewarmed) implements AgentHandle {
        @Override
        public OptionalLong pid() {
            return agent.pid();
        }

        @Override
        public CompletionStage<AgentExit> onExit() {
            return agent.onExit();
        }

        @Override
        public void stop(Duration timeout) {
            agent.stop(timeout);
        }

        @Override
        public boolean isAlive() {
            return agent.isAlive();
        }
    }
}
