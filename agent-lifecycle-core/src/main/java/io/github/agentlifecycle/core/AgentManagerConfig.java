package io.github.agentlifecycle.core;

import java.time.Duration;

/**
 * Settings of an {@link AgentManager}. Immutable and thread-safe; built with {@link #builder()}, whose setters
 * reject bad values at once with an {@link IllegalArgumentException} (or {@link NullPointerException}) naming
 * the setting.
 *
 * <table>
 * <caption>Settings and defaults</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>gracePeriod</td><td>60 s</td><td>how long the agent stays after the last human left</td></tr>
 * <tr><td>gcInterval</td><td>30 s</td><td>period of the garbage-collection sweep (a safety net)</td></tr>
 * <tr><td>healthCheckInterval</td><td>10 s</td><td>period of the agent liveness check (a safety net)</td></tr>
 * <tr><td>maxAgentsPerRoom</td><td>1</td><td>agents per room; one is the only supported value</td></tr>
 * <tr><td>maxTotalAgents</td><td>50</td><td>agents launching, running or stopping at once; more rooms queue</td></tr>
 * <tr><td>maxRooms</td><td>10000</td><td>rooms tracked before token requests for new rooms are rejected</td></tr>
 * <tr><td>agentStartupTimeout</td><td>30 s</td><td>time for a new agent to join or send a heartbeat</td></tr>
 * <tr><td>agentStopTimeout</td><td>10 s</td><td>time an agent gets to exit after being asked to, before it is killed</td></tr>
 * <tr><td>joinTimeout</td><td>5 min</td><td>time for the first human to join after a token request or a room appeared</td></tr>
 * <tr><td>heartbeatTimeout</td><td>0 (off)</td><td>silence after which an agent that sends heartbeats counts as hung</td></tr>
 * <tr><td>restartPolicy</td><td>{@link RestartPolicy#defaults()}</td><td>backoff and budget for restarts</td></tr>
 * <tr><td>restartOnCleanExit</td><td>false</td><td>whether an unrequested exit with code 0 is a crash</td></tr>
 * <tr><td>eventIdMemory</td><td>100000</td><td>most event ids remembered at once to drop duplicates; beyond, new
 * events are refused</td></tr>
 * <tr><td>replayWindow</td><td>6 min</td><td>how long an event id without a lifetime of its own, and a closed room,
 * are remembered</td></tr>
 * <tr><td>agentIdentityPrefix</td><td>{@code ai-agent-}</td><td>prefix of generated agent identities</td></tr>
 * </table>
 */
public final class AgentManagerConfig {
    private static final AgentManagerConfig DEFAULTS = builder().build();

    private final Duration gracePeriod;
    private final Duration gcInterval;
    private final Duration healthCheckInterval;
    private final int maxAgentsPerRoom;
    private final int maxTotalAgents;
    private final int maxRooms;
    private final Duration agentStartupTimeout;
    private final Duration agentStopTimeout;
    private final Duration joinTimeout;
    private final Duration heartbeatTimeout;
    private final RestartPolicy restartPolicy;
    private final boolean restartOnCleanExit;
    private final int eventIdMemory;
    private final Duration replayWindow;
    private final String agentIdentityPrefix;

    private AgentManagerConfig(Builder b) {
        this.gracePeriod = b.gracePeriod;
        this.gcInterval = b.gcInterval;
        this.healthCheckInterval = b.healthCheckInterval;
        this.maxAgentsPerRoom = b.maxAgentsPerRoom;
        this.maxTotalAgents = b.maxTotalAgents;
        this.maxRooms = b.maxRooms;
        this.agentStartupTimeout = b.agentStartupTimeout;
        this.agentStopTimeout = b.agentStopTimeout;
        this.joinTimeout = b.joinTimeout;
        this.heartbeatTimeout = b.heartbeatTimeout;
        this.restartPolicy = b.restartPolicy;
        this.restartOnCleanExit = b.restartOnCleanExit;
        this.eventIdMemory = b.eventIdMemory;
        this.replayWindow = b.replayWindow;
        this.agentIdentityPrefix = b.agentIdentityPrefix;
    }

    /** The configuration with every default. */
    public static AgentManagerConfig defaults() {
        return DEFAULTS;
    }

    /** A builder preset with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
                .gracePeriod(gracePeriod)
                .gcInterval(gcInterval)
                .healthCheckInterval(healthCheckInterval)
                .maxAgentsPerRoom(maxAgentsPerRoom)
                .maxTotalAgents(maxTotalAgents)
                .maxRooms(maxRooms)
                .agentStartupTimeout(agentStartupTimeout)
                .agentStopTimeout(agentStopTimeout)
                .joinTimeout(joinTimeout)
                .heartbeatTimeout(heartbeatTimeout)
                .restartPolicy(restartPolicy)
                .restartOnCleanExit(restartOnCleanExit)
                .eventIdMemory(eventIdMemory)
                .replayWindow(replayWindow)
                .agentIdentityPrefix(agentIdentityPrefix);
    }

    /** How long the agent stays after the last human left. */
    public Duration gracePeriod() {
        return gracePeriod;
    }

    /** Period of the garbage-collection sweep. */
    public Duration gcInterval() {
        return gcInterval;
    }

    /** Period of the agent liveness check. */
    public Duration healthCheckInterval() {
        return healthCheckInterval;
    }

    /** Agents per room: always 1. */
    public int maxAgentsPerRoom() {
        return maxAgentsPerRoom;
    }

    /** Agents that may be launching, running or stopping at the same time. */
    public int maxTotalAgents() {
        return maxTotalAgents;
    }

    /** Rooms tracked before token requests for further new rooms are rejected. */
    public int maxRooms() {
        return maxRooms;
    }

    /** Time for a new agent to become ready. */
    public Duration agentStartupTimeout() {
        return agentStartupTimeout;
    }

    /** Time an agent gets to exit after being asked to stop, before it is killed. */
    public Duration agentStopTimeout() {
        return agentStopTimeout;
    }

    /** Time for the first human to join. */
    public Duration joinTimeout() {
        return joinTimeout;
    }

    /** Heartbeat silence after which an agent counts as hung; zero when disabled. */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /** Backoff and budget for restarts. */
    public RestartPolicy restartPolicy() {
        return restartPolicy;
    }

    /** Whether an unrequested exit with code 0 is restarted like a crash. */
    public boolean restartOnCleanExit() {
        return restartOnCleanExit;
    }

    /**
     * The most event ids remembered at once to drop duplicates. Each id is remembered for as long as the same event
     * could be delivered again; an event with a new id that finds the memory full is refused ({@link
     * EventOutcome#REFUSED}), not let in by forgetting an id.
     */
    public int eventIdMemory() {
        return eventIdMemory;
    }

    /**
     * How long the id of an event applied without a lifetime of its own is remembered, and how long a closed room
     * is (its departed sessions and ended instances), so that late or replayed events neither count twice nor
     * bring the room back. Covers LiveKit's webhook signature lifetime (5 minutes) plus clock leeway.
     */
    public Duration replayWindow() {
        return replayWindow;
    }

    /** Prefix of generated agent identities. */
    public String agentIdentityPrefix() {
        return agentIdentityPrefix;
    }

    @Override
    public String toString() {
        return "AgentManagerConfig{gracePeriod=" + gracePeriod + ", gcInterval=" + gcInterval
                + ", healthCheckInterval=" + healthCheckInterval + ", maxAgentsPerRoom=" + maxAgentsPerRoom
                + ", maxTotalAgents=" + maxTotalAgents + ", maxRooms=" + maxRooms
                + ", agentStartupTimeout=" + agentStartupTimeout + ", agentStopTimeout=" + agentStopTimeout
                + ", joinTimeout=" + joinTimeout + ", heartbeatTimeout=" + heartbeatTimeout
                + ", restartPolicy=" + restartPolicy + ", restartOnCleanExit=" + restartOnCleanExit
                + ", eventIdMemory=" + eventIdMemory + ", replayWindow=" + replayWindow
                + ", agentIdentityPrefix=" + agentIdentityPrefix + '}';
    }

    /** Builds an {@link AgentManagerConfig}. Not thread-safe. */
    public static final class Builder {
        private Duration gracePeriod = Duration.ofSeconds(60);
        private Duration gcInterval = Duration.ofSeconds(30);
        private Duration healthCheckInterval = Duration.ofSeconds(10);
        private int maxAgentsPerRoom = 1;
        private int maxTotalAgents = 50;
        private int maxRooms = 10_000;
        private Duration agentStartupTimeout = Duration.ofSeconds(30);
        private Duration agentStopTimeout = Duration.ofSeconds(10);
        private Duration joinTimeout = Duration.ofMinutes(5);
        private Duration heartbeatTimeout = Duration.ZERO;
        private RestartPolicy restartPolicy = RestartPolicy.defaults();
        private boolean restartOnCleanExit = false;
        private int eventIdMemory = 100_000;
        private Duration replayWindow = Duration.ofMinutes(6);
        private String agentIdentityPrefix = "ai-agent-";

        private Builder() {}

        /** How long the agent stays after the last human left; {@code >= 0}. */
        public Builder gracePeriod(Duration gracePeriod) {
            this.gracePeriod = Require.nonNegative(gracePeriod, "gracePeriod");
            return this;
        }

        /** Period of the garbage-collection sweep; {@code > 0}. */
        public Builder gcInterval(Duration gcInterval) {
            this.gcInterval = Require.positive(gcInterval, "gcInterval");
            return this;
        }

        /** Period of the agent liveness check; {@code > 0}. */
        public Builder healthCheckInterval(Duration healthCheckInterval) {
            this.healthCheckInterval = Require.positive(healthCheckInterval, "healthCheckInterval");
            return this;
        }

        /** Agents per room. Only {@code 1} is accepted: one agent per room is what this library guarantees. */
        public Builder maxAgentsPerRoom(int maxAgentsPerRoom) {
            if (maxAgentsPerRoom != 1) {
                throw new IllegalArgumentException("maxAgentsPerRoom must be 1");
            }
            this.maxAgentsPerRoom = maxAgentsPerRoom;
            return this;
        }

        /** Agents launching, running or stopping at once; {@code >= 1}. */
        public Builder maxTotalAgents(int maxTotalAgents) {
            this.maxTotalAgents = Require.atLeast(maxTotalAgents, 1, "maxTotalAgents");
            return this;
        }

        /** Rooms tracked before token requests for new rooms are rejected; {@code >= 1}. */
        public Builder maxRooms(int maxRooms) {
            this.maxRooms = Require.atLeast(maxRooms, 1, "maxRooms");
            return this;
        }

        /** Time for a new agent to become ready; {@code > 0}. */
        public Builder agentStartupTimeout(Duration agentStartupTimeout) {
            this.agentStartupTimeout = Require.positive(agentStartupTimeout, "agentStartupTimeout");
            return this;
        }

        /** Time an agent gets to exit after being asked to stop; {@code > 0}. */
        public Builder agentStopTimeout(Duration agentStopTimeout) {
            this.agentStopTimeout = Require.positive(agentStopTimeout, "agentStopTimeout");
            return this;
        }

        /** Time for the first human to join; {@code > 0}. */
        public Builder joinTimeout(Duration joinTimeout) {
            this.joinTimeout = Require.positive(joinTimeout, "joinTimeout");
            return this;
        }

        /** Heartbeat silence after which an agent counts as hung; {@code >= 0}, zero disables the check. */
        public Builder heartbeatTimeout(Duration heartbeatTimeout) {
            this.heartbeatTimeout = Require.nonNegative(heartbeatTimeout, "heartbeatTimeout");
            return this;
        }

        /** Backoff and budget for restarts. */
        public Builder restartPolicy(RestartPolicy restartPolicy) {
            this.restartPolicy = Require.nonNull(restartPolicy, "restartPolicy");
            return this;
        }

        /** Whether an unrequested exit with code 0 is restarted like a crash (default: it is intentional). */
        public Builder restartOnCleanExit(boolean restartOnCleanExit) {
            this.restartOnCleanExit = restartOnCleanExit;
            return this;
        }

        /** The most event ids remembered at once (see {@link AgentManagerConfig#eventIdMemory()}); {@code >= 1}. */
        public Builder eventIdMemory(int eventIdMemory) {
            this.eventIdMemory = Require.atLeast(eventIdMemory, 1, "eventIdMemory");
            return this;
        }

        /**
         * How long ids without a lifetime and closed rooms are remembered (see {@link
         * AgentManagerConfig#replayWindow()}); {@code >= 0}.
         */
        public Builder replayWindow(Duration replayWindow) {
            this.replayWindow = Require.nonNegative(replayWindow, "replayWindow");
            return this;
        }

        /** Prefix of generated agent identities; not blank, at most 64 characters, no control characters. */
        public Builder agentIdentityPrefix(String agentIdentityPrefix) {
            Require.name(agentIdentityPrefix, "agentIdentityPrefix");
            if (agentIdentityPrefix.length() > 64) {
                throw new IllegalArgumentException("agentIdentityPrefix must be at most 64 characters");
            }
            this.agentIdentityPrefix = agentIdentityPrefix;
            return this;
        }

        /** Builds the immutable configuration. */
        public AgentManagerConfig build() {
            return new AgentManagerConfig(this);
        }
    }
}
