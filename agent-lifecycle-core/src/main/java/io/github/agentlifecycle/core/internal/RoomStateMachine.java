package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentManagerConfig;
import org.jspecify.annotations.Nullable;

/**
 * How a room reacts to its inputs: a pure function from (record, input, time) to (next record, effects).
 *
 * <p>Implementations must be deterministic and free of side effects: the engine calls them on its own thread,
 * one input at a time, and carries out the effects itself. Keeping them pure is what lets the engine be tested by
 * replaying long random input sequences.
 */
@FunctionalInterface
public interface RoomStateMachine {

    /** The state chart this library ships, configured by {@code config}. */
    static RoomStateMachine standard(AgentManagerConfig config) {
        return new StandardRoomStateMachine(config);
    }

    /**
     * Computes the room's next record.
     *
     * @param roomName the room
     * @param current the room's record, or null if the room is not tracked
     * @param input what happened
     * @param now the current {@link io.github.agentlifecycle.core.spi.Clock#nanoTime()} reading
     * @return the next record (null to remove the room or leave it untracked) and the effects to carry out
     */
    Transition apply(String roomName, @Nullable RoomRecord current, RoomInput input, long now);
}
