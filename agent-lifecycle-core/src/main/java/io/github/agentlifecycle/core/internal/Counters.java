package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.LifecycleEvent;

/** Running totals for {@link io.github.agentlifecycle.core.ManagerStats}. Confined to the engine's thread. */
final class Counters {
    long eventsApplied;
    long eventsDuplicate;
    long eventsIgnored;
    long eventsRefused;
    long agentLaunches;
    long agentLaunchFailures;
    long agentCrashes;
    long agentRestarts;
    long roomsClosing;
    long roomsClosed;
    long orphansReaped;

    void count(LifecycleEvent event) {
        if (event instanceof LifecycleEvent.AgentLaunching) {
            agentLaunches++;
        } else if (event instanceof LifecycleEvent.AgentLaunchFailed) {
            agentLaunchFailures++;
        } else if (event instanceof LifecycleEvent.AgentExited exited && !exited.expected()) {
            agentCrashes++;
        } else if (event instanceof LifecycleEvent.AgentRestarting) {
            agentRestarts++;
        } else if (event instanceof LifecycleEvent.RoomClosing) {
            roomsClosing++;
        } else if (event instanceof LifecycleEvent.RoomClosed) {
            roomsClosed++;
        } else if (event instanceof LifecycleEvent.OrphanReaped) {
            orphansReaped++;
        }
    }
}
