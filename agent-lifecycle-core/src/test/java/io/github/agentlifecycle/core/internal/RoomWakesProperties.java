package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.ManualClock;
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
    private static final int ROOMS = 12;

    /**
     * Operations encoded as numbers: {@code op % 3} is set, clear or advance; {@code op / 3 % ROOMS} the room;
     * {@code op / (3 * ROOMS)} the due time or the advance, in seconds.
     */
    @Property(tries = 2000)
    void wakesEveryRoomAtItsLatestDueTimeAndKeepsOneTimerWhileAnyIsPending(
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 3 * ROOMS * 40 - 1) Integer> ops,
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
            String room = "room-" + (op / 3 % ROOMS);
            long seconds = op / (3 * ROOMS);
            switch (op % 3) {
                case 0 -> {
                    long due = clock.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                    wakes.set(room, due);
                    model.put(room, due);
                }
                case 1 -> {
                    wakes.clear(room);
                    model.remove(room);
                }
                default -> clock.advance(Duration.ofSeconds(seconds));
            }
            for (int r = 0; r < ROOMS; r++) {
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
}
