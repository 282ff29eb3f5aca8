package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.StopReason;
import io.github.agentlifecycle.core.spi.LifecycleEvent;

/**
 * Something a {@link RoomStateMachine} asks the engine to do after a transition. The engine carries effects out
 * in order, after the new record has been stored. Immutable.
 *
 * <p>Timers are not effects: after every transition the engine wakes the room at its record's {@linkplain
 * RoomRecord#nextDeadline() next deadline}, so a room never has a stale timer and a removed room has none.
 */
public sealed interface RoomEffect {

    /** Ask for one of the {@code maxTotalAgents} slots; answered later by {@link RoomInput.SlotGranted}. */
    record RequestSlot() implements RoomEffect {}

    /** Give back the room's slot, or withdraw its request for one. */
    record ReleaseSlot() implements RoomEffect {}

    /**
     * Launch the agent of generation {@code generation}; answered by {@link RoomInput.AgentStarted} or {@link
     * RoomInput.AgentLaunchFailed}, later {@link RoomInput.AgentExited}.
     *
     * @param generation the new launch's number
     */
    record LaunchAgent(int generation) implements RoomEffect {}

    /**
     * Stop the agent of generation {@code generation} within the stop timeout; answered by {@link
     * RoomInput.AgentExited} (or {@link RoomInput.AgentLaunchFailed} if it never started).
     *
     * @param generation the launch to stop
     * @param reason why
     */
    record StopAgent(int generation, StopReason reason) implements RoomEffect {}

    /**
     * Tell the listeners.
     *
     * @param event what happened
     */
    record Publish(LifecycleEvent event) implements RoomEffect {}
}
