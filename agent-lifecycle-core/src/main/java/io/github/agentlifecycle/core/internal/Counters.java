package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.util.LinkedHashMap;
import java.util.Map;

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
    long warmLaunches;
    long coldLaunches;

    /** The counters by name, for replicas that publish theirs. */
    Map<String, Long> asMap() {
        Map<String, Long> all = new LinkedHashMap<>();
        all.put("eventsApplied", eventsApplied);
        all.put("eventsDuplicate", eventsDuplicate);
        all.put("eventsIgnored", eventsIgnored);
        all.put("eventsRefused", eventsRefused);
        all.put("agentLaunches", agentLaunches);
        all.put("agentLaunchFailures", agentLaunchFailures);
        all.put("agentCrashes", agentCrashes);
        all.put("agentRestarts", agentRestarts);
        all.put("roomsClosing", roomsClosing);
        all.put("roomsClosed", roomsClosed);
        all.put("orphansReaped", orphansReaped);
        all.put("warmLaunches", warmLaunches);
        all.put("coldLaunches", coldLaunches);
        return all;
    }

    /** Counters holding the values {@link #asMap()} named (0 for a name missing). */
    static Counters of(Map<String, Long> values) {
        Counters c = new Counters();
        c.eventsApplied = values.getOrDefault("eventsApplied", 0L);
        c.eventsDuplicate = values.getOrDefault("eventsDuplicate", 0L);
        c.eventsIgnored = values.getOrDefault("eventsIgnored", 0L);
        c.eventsRefused = values.getOrDefault("eventsRefused", 0L);
        c.agentLaunches = values.getOrDefault("agentLaunches", 0L);
        c.agentLaunchFailures = values.getOrDefault("agentLaunchFailures", 0L);
        c.agentCrashes = values.getOrDefault("agentCrashes", 0L);
        c.agentRestarts = values.getOrDefault("agentRestarts", 0L);
        c.roomsClosing = values.getOrDefault("roomsClosing", 0L);
        c.roomsClosed = values.getOrDefault("roomsClosed", 0L);
        c.orphansReaped = values.getOrDefault("orphansReaped", 0L);
        c.warmLaunches = values.getOrDefault("warmLaunches", 0L);
        c.coldLaunches = values.getOrDefault("coldLaunches", 0L);
        return c;
    }

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
