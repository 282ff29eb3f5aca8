package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * When each room must next be woken: at most one due time per room, kept in due order, and one {@link Clock} timer
 * for all of them. Confined to the engine's thread.
 *
 * <p>The clock timer is set for the earliest due time or earlier. Changing or clearing a room's due time does not
 * move the timer back, since in the common case (a human leaves, which sets a grace deadline, and later rejoins,
 * which clears it) that would cancel and schedule a clock timer on every event. A timer that fires before anything
 * is due wakes nobody, and is then set again for the earliest due time. The timer is cancelled when no room is
 * left to wake.
 */
final class RoomWakes {
    /** Due times are {@code nanoTime} readings: compared by their difference, which survives overflow. */
    private static final Comparator<Wake> DUE_ORDER = (a, b) -> a.due == b.due ? a.room.compareTo(b.room)
            : a.due - b.due < 0 ? -1 : 1;

    private record Wake(long due, String room) {}

    private final Clock clock;
    private final LongConsumer onTimer;
    private final Map<String, Long> byRoom = new HashMap<>();
    private final TreeSet<Wake> byDue = new TreeSet<>(DUE_ORDER);

    private Clock.@Nullable Timer timer;
    private long timerDue;
    /** Numbers the clock timers scheduled, so that one cancelled too late is recognised when it fires. */
    private long timerNumber;

    /**
     * @param onTimer called on the clock's thread with the timer's number when a timer fires; it must hand the
     *     number to {@link #timerFired} on the engine's thread
     */
    RoomWakes(Clock clock, LongConsumer onTimer) {
        this.clock = clock;
        this.onTimer = onTimer;
    }

    /** Whether {@code room} is set to be woken at {@code due}. */
    boolean isSetTo(String room, long due) {
        Long set = byRoom.get(room);
        return set != null && set == due;
    }

    /** Whether the clock timer is set and fires no later than {@code due}. */
    boolean timerCovers(long due) {
        return timer != null && due - timerDue >= 0;
    }

    /** Sets {@code room} to be woken at {@code due}, replacing its previous due time. */
    void set(String room, long due) {
        Long before = byRoom.put(room, due);
        if (before != null) {
            byDue.remove(new Wake(before, room));
        }
        byDue.add(new Wake(due, room));
        if (!timerCovers(due)) {
            schedule(due);
        }
    }

    /** Forgets {@code room}'s due time, if it has one. */
    void clear(String room) {
        Long before = byRoom.remove(room);
        if (before == null) {
            return;
        }
        byDue.remove(new Wake(before, room));
        if (byRoom.isEmpty()) {
            cancelTimer();
        }
    }

    /** Whether {@code room} has a due time that has passed at {@code now}. */
    boolean isOverdue(String room, long now) {
        Long due = byRoom.get(room);
        return due != null && now - due > 0;
    }

    /** Whether {@code room} has a due time. */
    boolean has(String room) {
        return byRoom.containsKey(room);
    }

    /**
     * Takes note that timer number {@code number} fired; returns false if it is not the current timer (it was
     * cancelled or replaced after it had started to fire). Until {@link #rescheduleTimer()}, no timer is set.
     */
    boolean timerFired(long number) {
        if (number != timerNumber || timer == null) {
            return false;
        }
        timer = null;
        return true;
    }

    /** Removes and returns, earliest first, the rooms whose due time has come at {@code now}. */
    List<String> takeDue(long now) {
        List<String> due = new ArrayList<>();
        while (!byDue.isEmpty() && now - byDue.first().due() >= 0) {
            Wake wake = byDue.pollFirst();
            byRoom.remove(wake.room());
            due.add(wake.room());
        }
        return due;
    }

    /** Cancels the clock timer if it should have fired before {@code now} (it was lost) and sets a new one. */
    void replaceLostTimer(long now) {
        if (timer != null && now - timerDue > 0) {
            cancelTimer();
            rescheduleTimer();
        }
    }

    /** Sets the clock timer for the earliest due time, unless it is set for that time or earlier already. */
    void rescheduleTimer() {
        if (!byDue.isEmpty() && !timerCovers(byDue.first().due())) {
            schedule(byDue.first().due());
        }
    }

    /** Forgets every due time and cancels the clock timer. */
    void clearAll() {
        byRoom.clear();
        byDue.clear();
        cancelTimer();
    }

    private void schedule(long due) {
        cancelTimer();
        long number = ++timerNumber;
        timerDue = due;
        timer = clock.schedule(due - clock.nanoTime(), () -> onTimer.accept(number));
    }

    private void cancelTimer() {
        Clock.Timer current = timer;
        if (current != null) {
            timer = null;
            current.cancel();
        }
    }
}
