package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * When each room must next be woken: at most one due time per room, kept in a heap ordered by due time, and one
 * {@link Clock} timer for all of them. Confined to the engine's thread.
 *
 * <p>The clock timer is set for the earliest due time or earlier. Changing or clearing a room's due time does not
 * move the timer back, since in the common case (a human leaves, which sets a grace deadline, and later rejoins,
 * which clears it) that would cancel and schedule a clock timer on every event. A timer that fires before anything
 * is due wakes nobody, and is then set again for the earliest due time. The timer is cancelled when no room is
 * left to wake.
 *
 * <p>For the same reason a cleared due time is only marked as cancelled in the heap (the one cleared is usually the
 * oldest, at the top, and removing it would sift through the whole heap). Cancelled entries are dropped when they
 * come to the top, and all at once when they outnumber the others.
 */
final class RoomWakes {
    private final Clock clock;
    private final LongConsumer onTimer;
    private final Map<String, Wake> byRoom = new HashMap<>();
    private Wake[] heap = new Wake[16];
    /** Entries in the heap, cancelled ones included. */
    private int size;
    private int cancelled;

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
        Wake wake = byRoom.get(room);
        return wake != null && wake.due == due;
    }

    /** Whether the clock timer is set and fires no later than {@code due}. */
    boolean timerCovers(long due) {
        return timer != null && due - timerDue >= 0;
    }

    /** Sets {@code room} to be woken at {@code due}, replacing its previous due time. */
    void set(String room, long due) {
        Wake wake = byRoom.get(room);
        if (wake == null) {
            wake = new Wake(room, due);
            byRoom.put(room, wake);
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            wake.index = size++;
            heap[wake.index] = wake;
            siftUp(wake.index);
        } else {
            long before = wake.due;
            wake.due = due;
            if (due - before < 0) {
                siftUp(wake.index);
            } else {
                siftDown(wake.index);
            }
        }
        if (!timerCovers(due)) {
            schedule(due);
        }
    }

    /** Forgets {@code room}'s due time, if it has one. */
    void clear(String room) {
        Wake wake = byRoom.remove(room);
        if (wake == null) {
            return;
        }
        if (byRoom.isEmpty()) {
            clearAll();
            return;
        }
        wake.cancelled = true;
        cancelled++;
        if (cancelled > 16 && cancelled > size / 2) {
            dropCancelled();
        }
    }

    /** Whether {@code room} has a due time that has passed at {@code now}. */
    boolean isOverdue(String room, long now) {
        Wake wake = byRoom.get(room);
        return wake != null && now - wake.due > 0;
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
        while (size > 0 && now - heap[0].due >= 0) {
            Wake wake = heap[0];
            removeAt(0);
            if (wake.cancelled) {
                cancelled--;
            } else {
                byRoom.remove(wake.room);
                due.add(wake.room);
            }
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
        while (size > 0 && heap[0].cancelled) {
            removeAt(0);
            cancelled--;
        }
        if (size > 0 && !timerCovers(heap[0].due)) {
            schedule(heap[0].due);
        }
    }

    /** Forgets every due time and cancels the clock timer. */
    void clearAll() {
        byRoom.clear();
        Arrays.fill(heap, 0, size, null);
        size = 0;
        cancelled = 0;
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

    /** Removes the cancelled entries and restores the heap order of the others. */
    private void dropCancelled() {
        int live = 0;
        for (int i = 0; i < size; i++) {
            if (!heap[i].cancelled) {
                heap[live] = heap[i];
                heap[live].index = live;
                live++;
            }
        }
        Arrays.fill(heap, live, size, null);
        size = live;
        cancelled = 0;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    private void removeAt(int index) {
        Wake last = heap[--size];
        heap[size] = null;
        if (index == size) {
            return;
        }
        long removedDue = heap[index].due;
        heap[index] = last;
        last.index = index;
        if (last.due - removedDue < 0) {
            siftUp(index);
        } else {
            siftDown(index);
        }
    }

    private void siftUp(int index) {
        Wake wake = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            Wake above = heap[parent];
            if (wake.due - above.due >= 0) {
                break;
            }
            heap[index] = above;
            above.index = index;
            index = parent;
        }
        heap[index] = wake;
        wake.index = index;
    }

    private void siftDown(int index) {
        Wake wake = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].due - heap[child].due < 0) {
                child = right;
            }
            Wake below = heap[child];
            if (below.due - wake.due >= 0) {
                break;
            }
            heap[index] = below;
            below.index = index;
            index = child;
        }
        heap[index] = wake;
        wake.index = index;
    }

    /** One room's due time and its place in the heap. */
    private static final class Wake {
        final String room;
        long due;
        int index;
        boolean cancelled;

        Wake(String room, long due) {
            this.room = room;
            this.due = due;
        }
    }
}
