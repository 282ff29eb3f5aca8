package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.EnsureResult;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@link RoomStateMachine} step: the room's next record, what to do, and what the step answers
 * to whoever caused its input.
 *
 * @param next the next record, or null when the room is removed (or, for an untracked room, stays untracked)
 * @param effects what the engine must do, in order
 * @param ignored whether the input was an event the room ignored (it changed nothing but the departed sessions)
 * @param agentStatus for a token request, where the room's agent stands after it; for a granted slot, {@code
 *     LAUNCHED} if the grant launched the agent; else null
 */
public record Transition(@Nullable RoomRecord next, List<RoomEffect> effects, boolean ignored,
        EnsureResult.@Nullable Status agentStatus) {
    /** Copies {@code effects}. */
    public Transition {
        effects = List.copyOf(effects);
    }

    /** A transition with nothing to answer. */
    public Transition(@Nullable RoomRecord next, List<RoomEffect> effects) {
        this(next, effects, false, null);
    }
}
