package io.github.agentlifecycle.core.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@link RoomStateMachine} step: the room's next record and what to do.
 *
 * @param next the next record, or null when the room is removed (or, for an untracked room, stays untracked)
 * @param effects what the engine must do, in order
 */
public record Transition(@Nullable RoomRecord next, List<RoomEffect> effects) {
    /** Copies {@code effects}. */
    public Transition {
        effects = List.copyOf(effects);
    }
}
