package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.StopReason;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent.ReadySignal;
import java.time.Duration;
import java.util.Arrays;

/**
 * The agent's part of a {@link RoomStep}: slot, launch, readiness, heartbeats, exits, restarts with backoff, stop
 * deadlines, and bringing the agent in line with what the room wants. Inputs naming another generation than the
 * current one are late and change nothing.
 */
final class AgentStep {
    private final RoomStep step;
    private final StandardRoomStateMachine chart;
    private AgentRecord.Builder agent;

    AgentStep(RoomStep step) {
        this.step = step;
        this.chart = step.chart;
        this.agent = step.room.agent;
    }

    void onInput(RoomInput input) {
        if (input instanceof RoomInput.SlotGranted) {
            onSlotGranted();
        } else if (input instanceof RoomInput.AgentAssigned assigned) {
            if (assigned.generation() == agent.generation && agent.state == AgentState.LAUNCHING) {
                agent.identity = assigned.agentIdentity();
            }
        } else if (input instanceof RoomInput.AgentStarted started) {
            onStarted(started);
        } else if (input instanceof RoomInput.AgentLaunchFailed failed) {
            onLaunchFailed(failed);
        } else if (input instanceof RoomInput.Heartbeat heartbeat) {
            onHeartbeat(heartbeat.generation());
        } else if (input instanceof RoomInput.AgentExited exited) {
            onExited(exited.generation(), exited.exit());
        } else if (input instanceof RoomInput.HandOver) {
            if (agent.state.holdsProcess() && agent.state != AgentState.STOPPING) {
                stop(StopReason.HANDED_OVER);
            }
        }
    }

    private void onSlotGranted() {
        if (agent.state == AgentState.QUEUED && !agent.holdsSlot) {
            agent.holdsSlot = true;
            launch();
        } else if (!agent.holdsSlot) {
            step.effect(new RoomEffect.ReleaseSlot());
        }
    }

    private void onStarted(RoomInput.AgentStarted started) {
        if (started.generation() != agent.generation) {
            return;
        }
        if (agent.state == AgentState.LAUNCHING || agent.state == AgentState.READY
                || agent.state == AgentState.STOPPING) {
            if (agent.state == AgentState.LAUNCHING) {
                agent.state = AgentState.RUNNING;
            }
            agent.identity = started.agentIdentity();
            agent.pid = started.pid();
            step.publish(new LifecycleEvent.AgentLaunched(step.name, started.agentIdentity(), started.pid()));
        }
    }

    private void onLaunchFailed(RoomInput.AgentLaunchFailed failed) {
        if (failed.generation() != agent.generation || !agent.state.holdsProcess()) {
            return;
        }
        step.publish(new LifecycleEvent.AgentLaunchFailed(step.name, failed.agentIdentity(), failed.error()));
        if (agent.state == AgentState.STOPPING) {
            afterStop();
        } else {
            clear();
            restartOrFail();
        }
    }

    /** An agent participant joined: the starting agent with that identity (or any, before one is assigned) is ready. */
    void onJoined(String identity) {
        boolean starting = agent.state == AgentState.LAUNCHING || agent.state == AgentState.RUNNING;
        if (starting && (agent.identity == null || agent.identity.equals(identity))) {
            if (agent.identity == null) {
                agent.identity = identity;
            }
            markReady(ReadySignal.JOINED);
        }
    }

    private void onHeartbeat(int generation) {
        if (generation != agent.generation) {
            return;
        }
        if (agent.state == AgentState.LAUNCHING || agent.state == AgentState.RUNNING) {
            markReady(ReadySignal.HEARTBEAT);
        } else if (agent.state == AgentState.READY && chart.heartbeatTimeout > 0) {
            agent.heartbeatDeadline = step.now + chart.heartbeatTimeout;
        }
    }

    private void onExited(int generation, AgentExit exit) {
        if (generation != agent.generation || !agent.state.holdsProcess()) {
            return;
        }
        boolean requested = agent.state == AgentState.STOPPING;
        step.publish(new LifecycleEvent.AgentExited(step.name, agent.identity, exit, requested));
        if (requested) {
            afterStop();
            return;
        }
        clear();
        if (exit.isClean() && !chart.restartOnCleanExit) {
            step.room.agentWanted = false;
            releaseSlot();
        } else {
            restartOrFail();
        }
    }

    /** A token request after the restart budget was spent starts the budget afresh. */
    void forgetFailure() {
        if (agent.state == AgentState.FAILED) {
            agent.state = AgentState.NONE;
            agent.restartTimes = new long[0];
            agent.lastBackoffNanos = 0;
        }
    }

    // ---- launching, stopping, restarting ----------------------------------------------------------------------

    private void launch() {
        agent.generation++;
        agent.state = AgentState.LAUNCHING;
        agent.identity = null;
        agent.readySince = null;
        agent.pid = null;
        agent.clearDeadlines();
        agent.startupDeadline = step.now + chart.startupTimeout;
        step.effect(new RoomEffect.LaunchAgent(agent.generation));
    }

    private void markReady(ReadySignal signal) {
        agent.state = AgentState.READY;
        agent.readySince = step.now;
        agent.startupDeadline = null;
        agent.heartbeatDeadline = signal == ReadySignal.HEARTBEAT && chart.heartbeatTimeout > 0
                ? step.now + chart.heartbeatTimeout : null;
        step.publish(new LifecycleEvent.AgentReady(step.name, agent.identity, signal));
    }

    private void stop(StopReason reason) {
        agent.state = AgentState.STOPPING;
        agent.clearDeadlines();
        agent.stopReason = reason;
        agent.stopDeadline = step.now + chart.stopOverdueAfter;
        step.publish(new LifecycleEvent.AgentStopping(step.name, agent.identity, reason));
        step.effect(new RoomEffect.StopAgent(agent.generation, reason));
    }

    /**
     * The agent stopped on request: restart it if it was stopped to be restarted, else free its slot (a room handed
     * over then asks for a slot again, which another replica grants).
     */
    private void afterStop() {
        StopReason reason = agent.stopReason;
        clear();
        if (reason != null && reason.restarts() && !step.room.closing) {
            restartOrFail();
        } else {
            releaseSlot();
        }
    }

    /** Applies the restart policy to an agent that failed; the room keeps its slot while in backoff. */
    private void restartOrFail() {
        if (!step.wantsAgent()) {
            releaseSlot();
            return;
        }
        long[] recent = recentRestarts();
        if (recent.length >= chart.restartPolicy.maxRestarts()) {
            agent.state = AgentState.FAILED;
            agent.restartTimes = recent;
            releaseSlot();
            step.publish(new LifecycleEvent.AgentFailed(step.name, recent.length, chart.restartPolicy.window()));
            return;
        }
        Long readySince = agent.readySince;
        long previous = readySince != null && step.now - readySince >= chart.resetAfter ? 0 : agent.lastBackoffNanos;
        long delay = chart.restartPolicy.nextDelayNanos(previous);
        long[] withThis = Arrays.copyOf(recent, recent.length + 1);
        withThis[recent.length] = step.now;
        agent.state = AgentState.BACKOFF;
        agent.readySince = null;
        agent.restartTimes = withThis;
        agent.lastBackoffNanos = delay;
        agent.totalRestarts++;
        agent.backoffUntil = step.now + delay;
        step.publish(new LifecycleEvent.AgentRestarting(step.name, withThis.length, Duration.ofNanos(delay)));
    }

    /** The restarts that still count against the budget. */
    private long[] recentRestarts() {
        return Arrays.stream(agent.restartTimes).filter(time -> step.now - time < chart.restartWindow).toArray();
    }

    private void clear() {
        agent.state = AgentState.NONE;
        agent.pid = null;
        agent.clearDeadlines();
    }

    void releaseSlot() {
        if (agent.holdsSlot) {
            agent.holdsSlot = false;
            step.effect(new RoomEffect.ReleaseSlot());
        }
    }

    // ---- time and desired state ---------------------------------------------------------------------------------

    void actOnDueDeadlines() {
        AgentState state = agent.state;
        if (step.isDue(agent.startupDeadline) && (state == AgentState.LAUNCHING || state == AgentState.RUNNING)) {
            stop(StopReason.STARTUP_TIMEOUT);
        } else if (step.isDue(agent.heartbeatDeadline) && state == AgentState.READY) {
            stop(StopReason.HEARTBEAT_TIMEOUT);
        } else if (step.isDue(agent.stopDeadline) && state == AgentState.STOPPING) {
            agent.stopDeadline = step.now + chart.stopOverdueAfter;
            StopReason reason = agent.stopReason == null ? StopReason.ROOM_CLOSING : agent.stopReason;
            step.publish(new LifecycleEvent.AgentStopOverdue(step.name, agent.identity));
            step.effect(new RoomEffect.StopAgent(agent.generation, reason));
        } else if (step.isDue(agent.backoffUntil) && state == AgentState.BACKOFF) {
            agent.backoffUntil = null;
            if (step.wantsAgent()) {
                launch();
            }
        }
    }

    /** Stops the agent of a closing room, asks for a slot when one is wanted, withdraws one that is not. */
    void reconcile() {
        if (step.room.closing) {
            switch (agent.state) {
                case LAUNCHING, RUNNING, READY -> stop(StopReason.ROOM_CLOSING);
                case STOPPING -> agent.stopReason = StopReason.ROOM_CLOSING;
                case QUEUED, BACKOFF -> withdraw();
                default -> { }
            }
            return;
        }
        if (step.wantsAgent()) {
            if (agent.state == AgentState.NONE) {
                agent.state = AgentState.QUEUED;
                step.effect(new RoomEffect.RequestSlot());
            }
        } else if (agent.state == AgentState.QUEUED || agent.state == AgentState.BACKOFF) {
            withdraw();
        }
    }

    private void withdraw() {
        boolean queued = agent.state == AgentState.QUEUED;
        clear();
        if (queued && !agent.holdsSlot) {
            step.effect(new RoomEffect.ReleaseSlot());
        } else {
            releaseSlot();
        }
    }

    /** Whether no agent runs or is wanted any more (none, or failed). */
    boolean isGone() {
        return agent.state == AgentState.NONE || agent.state == AgentState.FAILED;
    }

    /** A fresh agent for a reopened room; generations keep counting. */
    void reset() {
        int generation = agent.generation;
        agent = new AgentRecord.Builder();
        agent.generation = generation;
        step.room.agent = agent;
    }
}
