package io.github.agentlifecycle.core.internal;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Collects the effects of one transition. Most transitions have one or two, so those are held in fields and
 * handed out as a {@code List.of} list, which {@link io.github.agentlifecycle.core.internal.Transition} keeps without
 * copying. Not thread-safe.
 */
final class EffectBuffer {
    private @Nullable RoomEffect first;
    private @Nullable RoomEffect second;
    private @Nullable List<RoomEffect> more;

    void add(RoomEffect effect) {
        if (first == null) {
            first = effect;
        } else if (second == null) {
            second = effect;
        } else {
            if (more == null) {
                more = new ArrayList<>(4);
                more.add(first);
                more.add(second);
            }
            more.add(effect);
        }
    }

    /** The effects added so far, in order, as an unmodifiable list. */
    List<RoomEffect> toList() {
        if (more != null) {
            return List.copyOf(more);
        }
        if (second != null) {
            return List.of(first, second);
        }
        return first != null ? List.of(first) : List.of();
    }
}
