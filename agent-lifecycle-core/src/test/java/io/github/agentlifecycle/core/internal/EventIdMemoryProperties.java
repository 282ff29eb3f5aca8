package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class EventIdMemoryProperties {

    @Property(tries = 300)
    void remembersExactlyTheMostRecentIds(
            @ForAll @Size(max = 2000) List<@IntRange(min = 0, max = 300) Integer> ids,
            @ForAll @IntRange(min = 1, max = 200) int capacity) {
        EventIdMemory memory = new EventIdMemory(capacity);
        LinkedHashSet<String> model = new LinkedHashSet<>();
        for (int id : ids) {
            String eventId = "EV_" + id;
            boolean first = !model.contains(eventId);
            assertThat(memory.firstSighting(eventId)).as(eventId).isEqualTo(first);
            if (first) {
                model.add(eventId);
                if (model.size() > capacity) {
                    model.remove(model.iterator().next());
                }
            }
            assertThat(memory.size()).isEqualTo(model.size());
        }
        for (int id = 0; id <= 300; id++) {
            String eventId = "EV_" + id;
            boolean known = model.contains(eventId);
            assertThat(memory.firstSighting(eventId)).as(eventId).isEqualTo(!known);
            if (!known) {
                model.add(eventId);
                if (model.size() > capacity) {
                    model.remove(model.iterator().next());
                }
            }
        }
    }

    @Property(tries = 50)
    void collidingHashesAreKeptApart(@ForAll @IntRange(min = 1, max = 64) int capacity) {
        EventIdMemory memory = new EventIdMemory(capacity);
        // "Aa" and "BB" have the same hash code, so these ids collide in every combination
        String[] ids = new String[256];
        for (int i = 0; i < ids.length; i++) {
            StringBuilder id = new StringBuilder();
            for (int bit = 0; bit < 8; bit++) {
                id.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            ids[i] = id.toString();
        }
        for (int round = 0; round < 3; round++) {
            for (String id : ids) {
                assertThat(memory.firstSighting(id)).isTrue();
                assertThat(memory.firstSighting(id)).isFalse();
            }
        }
        assertThat(memory.size()).isEqualTo(Math.min(capacity, ids.length));
    }
}
