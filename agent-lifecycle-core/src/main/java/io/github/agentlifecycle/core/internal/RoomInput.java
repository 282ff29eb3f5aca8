package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.spi.AgentExit;
import org.jspecify.annotations.Nullable;

/**
 * One input to a {@link RoomStateMachine}: something that happened to a room, reported by LiveKit, a user of the
 * API, the launcher or a timer. Immutable.
 */
public sealed interface RoomInput {

    /**
     * A webhook or reconciliation event.
     *
     * @param event the event
     */
    record External(RoomEvent event) implements RoomInput {}

    /**
     * The room wants an agent: a token was requested for it, or it was found running when the manager started.
     *
     * @param adopted whether the room was found running (see {@code AgentManager#adoptRoom}): if nobody is in it, its
     *     grace period starts now
     */
    record AgentRequested(boolean adopted) implements RoomInput {

        /** A token request. */
        public AgentRequested() {
            this(false);
        }
    }

    /**
     * The room must close.
     *
     * @param reason why
     */
    record CloseRequested(CloseReason reason) implements RoomInput {}

    /**
     * The replica hosting the room's agent is closing: the agent stops, and the room waits for another replica to
     * start its next one.
     */
    record HandOver() implements RoomInput {}

    /** The room was granted one of the {@code maxTotalAgents} slots it asked for. */
    record SlotGranted() implements RoomInput {}

    /**
     * The engine chose the identity of the agent of generation {@code generation} and is asking the launcher to
     * start it. Only an agent participant with this identity counts as that agent joining.
     *
     * @param generation the launch
     * @param agentIdentity the identity the agent will join with
     */
    record AgentAssigned(int generation, String agentIdentity) implements RoomInput {}

    /**
     * The launcher started the agent of generation {@code generation}.
     *
     * @param generation the launch it answers
     * @param agentIdentity the agent's identity
     * @param pid its process id, or null
     */
    record AgentStarted(int generation, String agentIdentity, @Nullable Long pid) implements RoomInput {}

    /**
     * The launcher could not start the agent of generation {@code generation}.
     *
     * @param generation the launch it answers
     * @param agentIdentity the identity the agent was to use
     * @param error why
     */
    record AgentLaunchFailed(int generation, String agentIdentity, String error) implements RoomInput {}

    /**
     * The agent of generation {@code generation} sent a heartbeat.
     *
     * @param generation the agent's launch
     */
    record Heartbeat(int generation) implements RoomInput {}

    /**
     * The agent of generation {@code generation} ended.
     *
     * @param generation the agent's launch
     * @param exit how
     */
    record AgentExited(int generation, AgentExit exit) implements RoomInput {}

    /** Time passed: act on every deadline that is due. */
    record Tick() implements RoomInput {}
}
