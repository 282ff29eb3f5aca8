package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import java.util.ArrayList;
import java.util.List;

/** A manager on a manual clock and a direct executor: every call runs to completion before it returns. */
final class TestManagers {
    final ManualClock clock = new ManualClock();
    final RecordingLauncher launcher;
    final List<LifecycleEvent> events = new ArrayList<>();
    final AgentManager manager;

    TestManagers(AgentManagerConfig config) {
        launcher = new RecordingLauncher(clock, config.maxTotalAgents());
        manager = AgentManager.builder(launcher)
                .config(config)
                .clock(clock)
                .executor(Runnable::run)
                .listener(events::add)
                .build();
        manager.start();
    }

    TestManagers() {
        this(AgentManagerConfig.defaults());
    }

    <T extends LifecycleEvent> List<T> events(Class<T> type) {
        List<T> matching = new ArrayList<>();
        for (LifecycleEvent event : events) {
            if (type.isInstance(event)) {
                matching.add(type.cast(event));
            }
        }
        return matching;
    }

    /** Requests a token for {@code room} and has its agent send a heartbeat, so it counts as ready. */
    EnsureResult readyAgent(String room) {
        EnsureResult result = manager.ensureAgent(room);
        heartbeat(room);
        return result;
    }

    /** The newest agent of {@code room} sends a heartbeat. */
    boolean heartbeat(String room) {
        return manager.heartbeat(room, launcher.last(room).spec.agentIdentity());
    }

    RoomSnapshot room(String name) {
        return manager.room(name).orElseThrow(() -> new AssertionError("room " + name + " is not tracked"));
    }

    static RoomEvent joined(String room, String sid, String identity) {
        return RoomEvent.participantJoined(room, sid, identity, ParticipantRole.HUMAN);
    }

    static RoomEvent left(String room, String sid, String identity) {
        return RoomEvent.participantLeft(room, sid, identity, ParticipantRole.HUMAN);
    }

    static RoomEvent agentJoined(String room, String sid, String identity) {
        return RoomEvent.participantJoined(room, sid, identity, ParticipantRole.AGENT);
    }
}
