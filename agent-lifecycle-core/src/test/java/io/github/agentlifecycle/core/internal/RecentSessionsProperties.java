package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RecentSessionsProperties {

    @Property(tries = 300)
    void keepsTheMostRecentSessionsInOrderWithinTheLimit(
            @ForAll @Size(max = 600) List<@IntRange(min = 0, max = 400) Integer> adds,
            @ForAll @IntRange(min = RecentSessions.CHUNK, max = 300) int limit) {
        RecentSessions set = RecentSessions.empty();
        for (int add : adds) {
            String session = "PA_" + add;
            List<String> before = new ArrayList<>(set);
            RecentSessions next = set.plus(session, limit);
            assertThat(set).as("the previous set is unchanged").containsExactlyElementsOf(List.copyOf(before));

            assertThat(next).contains(session);
            List<String> after = new ArrayList<>(next);
            assertThat(new LinkedHashSet<>(after)).hasSize(after.size()).hasSize(next.size());
            if (before.contains(session)) {
                assertThat(next).isSameAs(set);
            } else {
                before.add(session);
                assertThat(before.subList(before.size() - after.size(), before.size())).isEqualTo(after);
                assertThat(next.size()).isLessThanOrEqualTo(limit)
                        .isGreaterThanOrEqualTo(Math.min(before.size(), limit - RecentSessions.CHUNK + 1));
            }
            for (int candidate = 0; candidate <= 400; candidate += 7) {
                assertThat(next.contains("PA_" + candidate)).isEqualTo(after.contains("PA_" + candidate));
            }
            set = next;
        }
    }

    @Property(tries = 100)
    void anySetCanBeTakenOverInItsOrder(@ForAll @Size(max = 100) Set<@IntRange(max = 1000) Integer> numbers) {
        Set<String> sessions = new LinkedHashSet<>();
        numbers.forEach(number -> sessions.add("PA_" + number));

        RecentSessions copy = RecentSessions.of(sessions);

        assertThat(copy).containsExactlyElementsOf(sessions);
        assertThat(RecentSessions.of(copy)).isSameAs(copy);
        assertThat(copy.contains(42)).isFalse();
    }
}
