package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RecentSessionsProperties {

    @Property(tries = 300)
    void keepsTheMostRecentSessionsInOrderWithinTheLimit(
            @ForAll @Size(max = 600) List<@IntRange(min = 0, max = 400) Integer> adds,
            @ForAll @IntRange(min = 1, max = 300) int limit) {
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
                assertThat(after).isEqualTo(before.subList(Math.max(0, before.size() - limit), before.size()));
            }
            for (int candidate = 0; candidate <= 400; candidate += 7) {
                assertThat(next.contains("PA_" + candidate)).isEqualTo(after.contains("PA_" + candidate));
            }
            set = next;
        }
    }

    /**
     * Sets made from any earlier set, not only the newest, so that several sets add at the same position of a shared
     * log: each must hold exactly its own history, and none may change another.
     */
    @Property(tries = 300)
    void setsMadeFromTheSameSetStayApart(
            @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 10_000) Integer> steps,
            @ForAll @IntRange(min = 1, max = 40) int limit) {
        List<RecentSessions> sets = new ArrayList<>(List.of(RecentSessions.empty()));
        List<List<String>> models = new ArrayList<>(List.of(List.of()));
        for (int step : steps) {
            int from = step % sets.size();
            String session = "PA_" + step / 7 % 60;
            List<String> model = new ArrayList<>(models.get(from));
            if (!model.contains(session)) {
                model.add(session);
                if (model.size() > limit) {
                    model.remove(0);
                }
            }
            sets.add(sets.get(from).plus(session, limit));
            models.add(model);
        }
        for (int i = 0; i < sets.size(); i++) {
            assertThat(sets.get(i)).as("set %d", i).containsExactlyElementsOf(models.get(i));
            for (int candidate = 0; candidate < 60; candidate++) {
                assertThat(sets.get(i).contains("PA_" + candidate))
                        .isEqualTo(models.get(i).contains("PA_" + candidate));
            }
        }
    }

    /**
     * Ids whose hash codes are all equal (each is eight blocks of "Aa" or "BB", which hash alike): the index cannot
     * tell them apart by hash, so every answer rests on comparing the ids themselves.
     */
    @Property(tries = 200)
    void idsWithEqualHashesAreToldApart(
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 255) Integer> adds,
            @ForAll @IntRange(min = 1, max = 100) int limit) {
        RecentSessions set = RecentSessions.empty();
        List<String> model = new ArrayList<>();
        for (int add : adds) {
            String session = sameHash(add);
            if (!model.contains(session)) {
                model.add(session);
                if (model.size() > limit) {
                    model.remove(0);
                }
            }
            set = set.plus(session, limit);
            assertThat(set).containsExactlyElementsOf(model);
            for (int candidate = 0; candidate < 256; candidate += 5) {
                assertThat(set.contains(sameHash(candidate))).isEqualTo(model.contains(sameHash(candidate)));
            }
        }
    }

    private static String sameHash(int bits) {
        StringBuilder id = new StringBuilder();
        for (int bit = 0; bit < 8; bit++) {
            id.append((bits >> bit & 1) == 0 ? "Aa" : "BB");
        }
        return id.toString();
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

    @Test
    void threadsAddingToTheSameSetEachGetTheirOwn() throws Exception {
        RecentSessions base = RecentSessions.empty();
        for (int i = 0; i < 100; i++) {
            base = base.plus("PA_base_" + i, 1024);
        }
        RecentSessions shared = base;
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Callable<RecentSessions>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String prefix = "PA_" + t + "_";
                tasks.add(() -> {
                    RecentSessions set = shared;
                    for (int i = 0; i < 2000; i++) {
                        set = set.plus(prefix + i, 1024);
                    }
                    return set;
                });
            }
            List<Future<RecentSessions>> results = threads.invokeAll(tasks);
            for (int t = 0; t < 4; t++) {
                List<String> expected = new ArrayList<>();
                for (int i = 2000 - 1024; i < 2000; i++) {
                    expected.add("PA_" + t + "_" + i);
                }
                assertThat(results.get(t).get()).containsExactlyElementsOf(expected);
                assertThat(results.get(t).get().contains("PA_" + (t + 1) % 4 + "_1999")).isFalse();
            }
            assertThat(shared).hasSize(100).contains("PA_base_0", "PA_base_99");
        } finally {
            threads.shutdown();
        }
    }
}
