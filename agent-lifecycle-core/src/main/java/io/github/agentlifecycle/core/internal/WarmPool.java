package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Agent processes started ahead of need, so that a room gets one that has already loaded. The pool keeps {@code
 * target} processes waiting for a room, and never more processes in all (waiting, serving a room it handed out, or
 * being stopped) than the manager's agent cap. A launch takes the waiting process that said it is idle, or else
 * the one started first; it waits for a process that had said it is idle to confirm it took the room (up to the
 * assignment timeout) and otherwise stops it and starts one for the room; when none waits it starts one for the
 * room. Either way the room gets a process, or the launch fails as a launch without a pool would. Waiting processes
 * are replaced when they die (after a backoff when they keep dying), stopped after the maximum idle age and replaced,
 * and stopped by {@link #drain}. Timers run on the manager's clock. Thread-safe; no method blocks.
 */
public final class WarmPool {
    private static final Logger LOG = System.getLogger("io.github.agentlifecycle.core.ProcessAgentLauncher");
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final int target;
    private final Duration maxIdleAge;
    private final Duration assignmentTimeout;
    private final PoolMember.Starter starter;
    private final Executor executor;

    private final Object lock = new Object();
    /** Every process the pool started (or is starting) that is not gone yet. */
    private final List<Slot> slots = new ArrayList<>();
    private Clock clock = Clock.system();
    private int cap = Integer.MAX_VALUE;
    private boolean open;
    private boolean closed;
    /** Waiting processes in a row that died, or could not be started. */
    private int failures;
    private Clock.@Nullable Timer backoff;

    /**
     * A pool that keeps {@code target} processes waiting once {@link #start started}.
     *
     * @param executor runs starts and hand-outs; a task it rejects runs on the caller's thread
     */
    public WarmPool(int target, Duration maxIdleAge, Duration assignmentTimeout, PoolMember.Starter starter,
            Executor executor) {
        this.target = target;
        this.maxIdleAge = maxIdleAge;
        this.assignmentTimeout = assignmentTimeout;
        this.starter = starter;
        this.executor = ProcessAgent.orInline(executor);
    }

    /** Starts filling the pool, timing with {@code clock}, keeping at most {@code maxProcesses} processes in all. */
    public void start(Clock clock, int maxProcesses) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            this.clock = clock;
            this.cap = maxProcesses;
            open = true;
        }
        LOG.log(Level.INFO, "Keeping " + target + " agents started ahead of need; they count against the "
                + (maxProcesses == Integer.MAX_VALUE ? "" : maxProcesses + " ") + "agents this host may run");
        refill();
    }

    /** Processes waiting for a room (or still starting to). */
    public int idle() {
        synchronized (lock) {
            int idle = 0;
            for (Slot slot : slots) {
                if (slot.waiting()) {
                    idle++;
                }
            }
            return idle;
        }
    }

    /** Gives the room of {@code spec} a process: see the class description. */
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        Slot slot;
        boolean fresh;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("launcher is closed"));
            }
            slot = best();
            fresh = slot == null;
            if (fresh) {
                slot = new Slot();
                slots.add(slot);
            }
            slot.taken = true;
            cancel(slot.recycle);
        }
        CompletableFuture<AgentHandle> result = new CompletableFuture<>();
        Slot taken = slot;
        if (fresh) {
            executor.execute(() -> spawn(taken));
        }
        taken.started.whenCompleteAsync((member, error) -> handOut(taken, member, error, spec, !fresh, result),
                executor);
        refill();
        return result;
    }

    /** Stops the waiting processes and starts no more. */
    public void drain() {
        List<Slot> waiting = new ArrayList<>();
        synchronized (lock) {
            open = false;
            cancel(backoff);
            backoff = null;
            for (Slot slot : slots) {
                if (slot.waiting()) {
                    slot.retiring = true;
                    cancel(slot.recycle);
                    waiting.add(slot);
                }
            }
        }
        for (Slot slot : waiting) {
            PoolMember member = slot.started.getNow(null);
            if (member != null) {
                member.retire();
            }
        }
    }

    /**
     * Drains the pool, and fails launches from now on.
     *
     * @return completes once every process the pool did not hand to a room is gone
     */
    public CompletableFuture<Void> close() {
        synchronized (lock) {
            closed = true;
        }
        drain();
        List<CompletableFuture<?>> gone = new ArrayList<>();
        synchronized (lock) {
            for (Slot slot : slots) {
                if (!slot.taken) {
                    gone.add(slot.started.thenCompose(PoolMember::exited).toCompletableFuture());
                }
            }
        }
        return CompletableFuture.allOf(gone.stream().map(stage -> stage.handle((ignored, error) -> null))
                .toArray(CompletableFuture[]::new));
    }

    /** The waiting process that said it is idle, else the one started first; null when none waits. */
    private @Nullable Slot best() {
        Slot first = null;
        for (Slot slot : slots) {
            if (slot.waiting()) {
                if (slot.idle) {
                    return slot;
                }
                if (first == null) {
                    first = slot;
                }
            }
        }
        return first;
    }

    private void handOut(Slot slot, @Nullable PoolMember member, @Nullable Throwable error, AgentSpec spec,
            boolean fromPool, CompletableFuture<AgentHandle> result) {
        if (member == null) {
            if (fromPool) {
                launchFresh(reserve(), spec, result);
            } else {
                result.completeExceptionally(error != null ? error : new IllegalStateException("no process"));
            }
            return;
        }
        boolean warm = slot.idle;
        try {
            member.assign(spec);
        } catch (IOException e) {
            Slot fresh = fromPool ? reserve() : null;
            member.retire();
            if (fresh != null) {
                LOG.log(Level.WARNING, "Room " + spec.roomName() + ": idle agent (PID: " + member.pid()
                        + ") could not be given the room (" + e.getMessage() + "); starting another");
                launchFresh(fresh, spec, result);
            } else {
                result.completeExceptionally(new IOException("agent (PID: " + member.pid()
                        + ") could not be given its room: " + e.getMessage(), e));
            }
            return;
        }
        if (!warm) {
            result.complete(member.handle(spec, false));
            return;
        }
        Clock.Timer timer = clock.schedule(Require.nanos(assignmentTimeout), () -> slot.took.complete(false));
        member.exited().whenComplete((ignored, failure) -> slot.took.complete(false));
        slot.took.whenCompleteAsync((took, failure) -> {
            timer.cancel();
            if (Boolean.TRUE.equals(took)) {
                synchronized (lock) {
                    failures = 0;
                }
                result.complete(member.handle(spec, true));
                return;
            }
            LOG.log(Level.WARNING, "Room " + spec.roomName() + ": idle agent (PID: " + member.pid()
                    + ") did not take the room within " + assignmentTimeout.toMillis() + " ms; stopping it and"
                    + " starting another for the room");
            Slot fresh;
            synchronized (lock) {
                slot.retiring = true;
                fresh = reserve();
            }
            member.retire();
            launchFresh(fresh, spec, result);
        }, executor);
    }

    /** A slot for a process started for one room, counted from now on. */
    private Slot reserve() {
        Slot slot = new Slot();
        synchronized (lock) {
            slot.taken = true;
            slots.add(slot);
        }
        return slot;
    }

    /** Starts a process in {@code slot} for the room of {@code spec} alone, on the calling thread. */
    private void launchFresh(Slot slot, AgentSpec spec, CompletableFuture<AgentHandle> result) {
        spawn(slot);
        slot.started.whenComplete((member, error) -> handOut(slot, member, error, spec, false, result));
    }

    private void spawn(Slot slot) {
        PoolMember member;
        try {
            member = starter.start(slot);
        } catch (IOException | RuntimeException e) {
            boolean waiting;
            long delay = 0;
            synchronized (lock) {
                slots.remove(slot);
                waiting = slot.waiting() && open;
                if (waiting) {
                    delay = failed();
                }
            }
            if (waiting) {
                LOG.log(Level.WARNING, "Cannot start an idle agent: " + e.getMessage() + retry(delay));
            }
            slot.started.completeExceptionally(e);
            refill();
            return;
        }
        boolean retire;
        synchronized (lock) {
            retire = slot.retiring;
            if (slot.waiting()) {
                slot.recycle = clock.schedule(Require.nanos(maxIdleAge), () -> recycle(slot));
            }
        }
        member.exited().whenComplete((ignored, error) -> gone(slot, member));
        if (retire) {
            member.retire();
        }
        slot.started.complete(member);
    }

    private void gone(Slot slot, PoolMember member) {
        boolean unexpected;
        long delay = 0;
        synchronized (lock) {
            slots.remove(slot);
            cancel(slot.recycle);
            unexpected = slot.waiting() && open;
            slot.retiring = true;
            if (unexpected) {
                delay = failed();
            }
        }
        slot.took.complete(false);
        if (unexpected) {
            LOG.log(Level.WARNING, "Idle agent (PID: " + member.pid() + ") exited before it was given a room"
                    + retry(delay));
        }
        refill();
    }

    private void recycle(Slot slot) {
        PoolMember member;
        synchronized (lock) {
            if (!slot.waiting() || !open) {
                return;
            }
            slot.retiring = true;
            member = slot.started.getNow(null);
        }
        if (member != null) {
            LOG.log(Level.INFO, "Idle agent (PID: " + member.pid() + ") waited " + maxIdleAge.toSeconds()
                    + " s for a room; replacing it");
            member.retire();
        }
        refill();
    }

    /** Starts processes until {@code target} wait, within the cap, unless closed or backing off. */
    private void refill() {
        List<Slot> fresh = new ArrayList<>();
        synchronized (lock) {
            if (!open || backoff != null) {
                return;
            }
            int waiting = 0;
            for (Slot slot : slots) {
                if (slot.waiting()) {
                    waiting++;
                }
            }
            int starts = Math.min(target - waiting, cap - slots.size());
            for (int i = 0; i < starts; i++) {
                Slot slot = new Slot();
                slots.add(slot);
                fresh.add(slot);
            }
        }
        for (Slot slot : fresh) {
            executor.execute(() -> spawn(slot));
        }
    }

    /** Counts a failure of a waiting process; returns the backoff before the pool is refilled, in nanoseconds. */
    private long failed() {
        failures++;
        if (failures <= 1) {
            return 0;
        }
        long delay = Math.min(TimeUnit.SECONDS.toNanos(1) << Math.min(failures - 2, 20), MAX_BACKOFF_NANOS);
        cancel(backoff);
        backoff = clock.schedule(delay, () -> {
            synchronized (lock) {
                backoff = null;
            }
            refill();
        });
        return delay;
    }

    private static String retry(long delayNanos) {
        return delayNanos == 0 ? "; starting another"
                : "; starting another in " + TimeUnit.NANOSECONDS.toMillis(delayNanos) + " ms";
    }

    private static void cancel(Clock.@Nullable Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    /** One process of the pool, from the moment it is decided on until it is gone. */
    private final class Slot implements PoolMember.Answers {
        final CompletableFuture<PoolMember> started = new CompletableFuture<>();
        /** True once the process said it took its room; false if it is gone or timed out first. */
        final CompletableFuture<Boolean> took = new CompletableFuture<>();
        volatile boolean idle;
        /** Handed to a room (guarded by the pool's lock, like the next two). */
        boolean taken;
        /** Being stopped, or gone. */
        boolean retiring;
        Clock.@Nullable Timer recycle;

        boolean waiting() {
            return !taken && !retiring;
        }

        @Override
        public void idle() {
            idle = true;
            synchronized (lock) {
                failures = 0;
            }
        }

        @Override
        public void assigned() {
            took.complete(true);
        }
    }
}
