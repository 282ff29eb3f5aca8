package io.github.agentlifecycle.core.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@link RoomStateMachine} step: the room's next record, what to do, and whether the input was an
 * event the room ignored. Immutable.
 *
 * @param next the next record, or null when the room is removed (or, for an untracked room, stays untracked)
 * @param effects what the engine must do, in order
 * @param ignored whether the input was an event the room ignored (it changed nothing but the departed sessions)
 */
public record Transition(@Nullable RoomRecord next, List<RoomEffect> effects, boolean ignored) {
    /** Copies {@code effects}. */
    public Transition {
        effects = List.copyOf(effects);
    }

    /** A transition that did not ignore its input. */
    public Transition(@Nullable RoomRecord next, List<RoomEffect> effects) {
        this(next, effects, false);
    }
}
