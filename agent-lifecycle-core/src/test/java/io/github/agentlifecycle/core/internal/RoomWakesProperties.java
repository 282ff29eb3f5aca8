package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RoomWakesProperties {
    /**
     * Operations encoded as numbers: {@code op % 8} sets a due time (0 to 3), clears one (4 to 6) or advances the
     * clock (7); {@code op / 8 % rooms} is the room; {@code op / 8 / 64 % 40} the due time or the advance, in seconds.
     */
    @Property(tries = 2000)
    void wakesEveryRoomAtItsLatestDueTimeAndKeepsOneTimerWhileAnyIsPending(
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 8 * 64 * 40 - 1) Integer> ops,
            @ForAll @IntRange(min = 1, max = 64) int rooms,
            @ForAll boolean nearOverflow) {
        long origin = nearOverflow ? Long.MAX_VALUE - Duration.ofSeconds(100).toNanos() : 0;
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"), origin);
        Map<String, Long> model = new HashMap<>();
        List<String> woken = new ArrayList<>();
        RoomWakes[] holder = new RoomWakes[1];
        RoomWakes wakes = new RoomWakes(clock, timer -> {
            if (holder[0].timerFired(timer)) {
                long now = clock.nanoTime();
                List<String> due = holder[0].takeDue(now);
                long previous = Long.MIN_VALUE;
                for (String room : due) {
                    long at = model.remove(room);
                    assertThat(now - at).as("woken no earlier than due").isGreaterThanOrEqualTo(0);
                    assertThat(at - origin).as("earliest first").isGreaterThanOrEqualTo(previous);
                    previous = at - origin;
                }
                for (Long at : model.values()) {
                    assertThat(now - at).as("a due room was left asleep").isLessThan(0);
                }
                woken.addAll(due);
                holder[0].rescheduleTimer();
            }
        });
        holder[0] = wakes;
        for (int op : ops) {
            String room = "room-" + (op / 8 % rooms);
            long seconds = op / 8 / 64 % 40;
            switch (op % 8) {
                case 0, 1, 2, 3 -> {
                    long due = clock.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                    wakes.set(room, due);
                    model.put(room, due);
                }
                case 4, 5, 6 -> {
                    wakes.clear(room);
                    model.remove(room);
                }
                default -> clock.advance(Duration.ofSeconds(seconds));
            }
            for (int r = 0; r < rooms; r++) {
                String name = "room-" + r;
                assertThat(wakes.has(name)).isEqualTo(model.containsKey(name));
                if (model.containsKey(name)) {
                    assertThat(wakes.isSetTo(name, model.get(name))).isTrue();
                }
            }
            if (model.isEmpty()) {
                assertThat(clock.pendingTimers()).isZero();
            } else {
                long earliest = model.values().stream().mapToLong(at -> at - clock.nanoTime()).min().orElseThrow();
                assertThat(clock.pendingTimers()).isEqualTo(1);
                assertThat(clock.pendingDelays().get(0).toNanos()).isLessThanOrEqualTo(Math.max(0, earliest));
            }
        }
        clock.advance(Duration.ofSeconds(100));
        assertThat(model).isEmpty();
        assertThat(clock.pendingTimers()).isZero();
    }
    /** Many rooms set, most of them cleared again, the rest woken. */
    @Property(tries = 300)
    void roomsLeftAfterMostAreClearedAreWokenAtTheirDueTimes(
            @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 1, max = 40) Integer> dueSeconds,
            @ForAll @Size(min = 300, max = 300) List<@IntRange(min = 0, max = 3) Integer> kept) {
        ManualClock clock = new ManualClock();
        Map<String, Long> woken = new HashMap<>();
        RoomWakes[] holder = new RoomWakes[1];
        holder[0] = new RoomWakes(clock, timer -> {
            if (holder[0].timerFired(timer)) {
                for (String room : holder[0].takeDue(clock.nanoTime())) {
                    woken.put(room, clock.nanoTime());
                }
                holder[0].rescheduleTimer();
            }
        });
        Map<String, Long> expected = new HashMap<>();
        for (int r = 0; r < dueSeconds.size(); r++) {
            long due = Duration.ofSeconds(dueSeconds.get(r)).toNanos();
            holder[0].set("room-" + r, due);
            if (kept.get(r) == 0) {
                expected.put("room-" + r, due);
            }
        }
        for (int r = 0; r < dueSeconds.size(); r++) {
            if (kept.get(r) != 0) {
                holder[0].clear("room-" + r);
            }
        }
        for (int second = 0; second <= 40; second++) {
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(woken).isEqualTo(expected);
        assertThat(clock.pendingTimers()).isZero();
    }
}
