package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.internal.EventIdMemory.Sighting;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class EventIdMemoryProperties {

    /** One sighting: after {@code advance} nanoseconds, id {@code id}, to be kept for {@code keep} nanoseconds. */
    record Step(int advance, int id, int keep) {}

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 300),
                Arbitraries.integers().between(1, 2000)).as(Step::new);
    }

    /**
     * Against a plain queue: an id is known until the ids before it and itself have outlived their time; a new id
     * is refused, never let in by forgetting one, while as many ids as the capacity are still within their time.
     */
    @Property(tries = 300)
    void remembersEveryIdUntilItsTimeAndRefusesRatherThanForgets(
            @ForAll @Size(max = 3000) List<@From("steps") Step> steps,
            @ForAll @IntRange(min = 1, max = 200) int capacity,
            @ForAll boolean nearOverflow) {
        long now = nearOverflow ? Long.MAX_VALUE - 10_000 : 0;
        EventIdMemory memory = new EventIdMemory(capacity);
        Deque<long[]> model = new ArrayDeque<>();
        for (Step step : steps) {
            now += step.advance();
            while (!model.isEmpty() && model.peekFirst()[1] - now <= 0) {
                model.removeFirst();
            }
            boolean known = model.stream().anyMatch(entry -> entry[0] == step.id());
            Sighting expected = known ? Sighting.REPEAT : model.size() == capacity ? Sighting.FULL : Sighting.FIRST;
            assertThat(memory.sight("EV_" + step.id(), now, now + step.keep())).as("%s", step).isEqualTo(expected);
            if (expected == Sighting.FIRST) {
                model.addLast(new long[] {step.id(), now + step.keep()});
            }
            assertThat(memory.size()).isEqualTo(model.size());
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
        long now = 0;
        for (int round = 0; round < 3; round++) {
            for (String id : ids) {
                now++;
                assertThat(memory.sight(id, now, now + capacity)).isEqualTo(Sighting.FIRST);
                assertThat(memory.sight(id, now, now + capacity)).isEqualTo(Sighting.REPEAT);
            }
        }
        assertThat(memory.size()).isEqualTo(Math.min(capacity, ids.length));
    }

    @Example
    void growsPastItsFirstArraysWhenTheRingHasWrappedAround() {
        EventIdMemory memory = new EventIdMemory(5000);
        for (int i = 0; i < 1024; i++) {
            assertThat(memory.sight("EV_" + i, 0, i < 10 ? 1 : 1000)).isEqualTo(Sighting.FIRST);
        }
        for (int i = 1024; i < 1100; i++) {
            assertThat(memory.sight("EV_" + i, 1, 1000)).isEqualTo(Sighting.FIRST);
        }
        assertThat(memory.size()).isEqualTo(1090);
        for (int i = 0; i < 1100; i++) {
            assertThat(memory.sight("EV_" + i, 2, 1000)).as("EV_%d", i)
                    .isEqualTo(i < 10 ? Sighting.FIRST : Sighting.REPEAT);
        }
    }
}
