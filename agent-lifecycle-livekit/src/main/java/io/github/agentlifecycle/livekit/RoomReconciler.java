package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.core.Require;
import io.livekit.server.RoomServiceClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs what lost webhooks left wrong, by comparing the engine with what LiveKit lists: a session the engine
 * counts but LiveKit no longer lists has left; a room the engine tracks (and LiveKit once reported) that LiveKit
 * no longer has has finished; a participant LiveKit lists that the engine missed has joined; a room LiveKit lists
 * under a different sid is a new instance, whose sid the engine adopts.
 *
 * <p>The engine's view is read before LiveKit is asked, so a session that joins while a round runs is never
 * taken for one that left; a join the engine already has is dropped by its session id, and one whose leave
 * arrived meanwhile by its tombstone. Rooms that wait for their first human and were never seen by LiveKit are
 * left alone. LiveKit API failures (network errors, non-2xx answers) are logged and the round is retried at the
 * next interval; they never reach the engine. Thread-safe.
 */
public final class RoomReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomReconciler.class);

    private final RoomServiceClient rooms;
    private final AgentManager manager;
    private final WebhookEventMapper mapper;
    private final Duration interval;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "livekit-reconciler");
        thread.setDaemon(true);
        return thread;
    });

    private RoomReconciler(Builder builder) {
        this.rooms = RoomServiceClient.createClient(builder.url, builder.credentials.apiKey(),
                builder.credentials.apiSecret(), () -> LiveKitCalls.client(builder.callTimeout, true));
        this.manager = builder.manager;
        this.mapper = new WebhookEventMapper(builder.classifier);
        this.interval = builder.interval;
    }

    /** A builder reconciling {@code manager} with the LiveKit server at {@code url}. */
    public static Builder builder(String url, LiveKitCredentials credentials, AgentManager manager) {
        return new Builder(url, credentials, manager);
    }

    /**
     * What one round found and repaired.
     *
     * @param roomsListed rooms LiveKit listed
     * @param joins joins the engine applied for participants it had missed
     * @param leaves leaves the engine applied for sessions LiveKit no longer lists
     * @param finished rooms the engine finished because LiveKit no longer has them
     * @param error why the round (or part of it) failed, or null
     */
    public record Report(int roomsListed, int joins, int leaves, int finished, @Nullable String error) {}

    /** Runs a round every interval on the reconciler's own thread, the first one interval from now. */
    public void start() {
        long period = interval.toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                Report report = runOnce();
                if (report.joins() + report.leaves() + report.finished() > 0) {
                    LOG.info("Reconciliation repaired {} joins, {} leaves, {} finished rooms", report.joins(),
                            report.leaves(), report.finished());
                }
            } catch (RuntimeException e) {
                LOG.warn("Reconciliation round failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** Runs one round now, on the calling thread. */
    public Report runOnce() {
        List<RoomSnapshot> tracked = manager.rooms();
        List<Room> listed;
        try {
            listed = LiveKitCalls.execute(rooms.listRooms(), "listRooms");
        } catch (IOException | RuntimeException e) {
            LOG.warn("Reconciliation skipped: cannot list LiveKit rooms: {}", e.getMessage());
            return new Report(0, 0, 0, 0, e.getMessage());
        }
        Map<String, Room> live = new HashMap<>();
        for (Room room : listed == null ? List.<Room>of() : listed) {
            live.put(room.getName(), room);
        }
        Set<String> names = new HashSet<>(live.keySet());
        tracked.forEach(snapshot -> names.add(snapshot.roomName()));
        Map<String, RoomSnapshot> byName = new HashMap<>();
        tracked.forEach(snapshot -> byName.put(snapshot.roomName(), snapshot));

        List<RoomEvent> repairs = new ArrayList<>();
        String error = null;
        for (String name : names) {
            RoomSnapshot engine = byName.get(name);
            Room room = live.get(name);
            if (room == null) {
                if (engine != null && engine.roomInstanceId() != null && engine.state() != RoomState.CLOSING) {
                    repairs.add(new RoomEvent.RoomFinished(name, engine.roomInstanceId(), null, null));
                }
                continue;
            }
            List<ParticipantInfo> participants;
            try {
                participants = LiveKitCalls.execute(rooms.listParticipants(name), "listParticipants(" + name + ")");
            } catch (IOException | RuntimeException e) {
                error = e.getMessage();
                LOG.warn("Reconciliation of room {} skipped: {}", name, e.getMessage());
                continue;
            }
            Set<String> present = new HashSet<>();
            String roomSid = room.getSid().isBlank() ? null : room.getSid();
            if (engine != null && roomSid != null && !roomSid.equals(engine.roomInstanceId())) {
                repairs.add(new RoomEvent.RoomStarted(name, roomSid, null, null));
            }
            for (ParticipantInfo info : participants == null ? List.<ParticipantInfo>of() : participants) {
                if (info.getSid().isBlank() || info.getIdentity().isBlank()
                        || info.getState() == ParticipantInfo.State.DISCONNECTED) {
                    continue;
                }
                present.add(info.getSid());
                boolean known = engine != null && engine.participants().stream()
                        .anyMatch(p -> p.sessionId().equals(info.getSid()));
                if (!known) {
                    repairs.add(new RoomEvent.ParticipantJoined(name, new RoomEvent.Participant(info.getSid(),
                            info.getIdentity(), mapper.classify(info).role()), roomSid, null, null));
                }
            }
            if (engine != null) {
                for (RoomEvent.Participant participant : engine.participants()) {
                    if (!present.contains(participant.sessionId())) {
                        repairs.add(new RoomEvent.ParticipantLeft(name, participant, false, roomSid, null, null));
                    }
                }
            }
        }
        int joins = 0;
        int leaves = 0;
        int finished = 0;
        for (RoomEvent repair : repairs) {
            if (manager.apply(repair) != EventOutcome.APPLIED) {
                continue;
            }
            if (repair instanceof RoomEvent.ParticipantJoined) {
                joins++;
            } else if (repair instanceof RoomEvent.ParticipantLeft) {
                leaves++;
            } else if (repair instanceof RoomEvent.RoomFinished) {
                finished++;
            }
        }
        return new Report(live.size(), joins, leaves, finished, error);
    }

    /** Stops the periodic rounds. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** Builds a {@link RoomReconciler}. Not thread-safe. */
    public static final class Builder {
        private final String url;
        private final LiveKitCredentials credentials;
        private final AgentManager manager;
        private ParticipantClassifier classifier = ParticipantClassifier.standard();
        private Duration interval = Duration.ofSeconds(60);
        private Duration callTimeout = LiveKitCalls.DEFAULT_CALL_TIMEOUT;

        private Builder(String url, LiveKitCredentials credentials, AgentManager manager) {
            this.url = LiveKitUrls.toHttp(Require.name(url, "url"));
            this.credentials = Require.nonNull(credentials, "credentials");
            this.manager = Require.nonNull(manager, "manager");
        }

        /** How participants count (default {@link ParticipantClassifier#standard()}). */
        public Builder classifier(ParticipantClassifier classifier) {
            this.classifier = Require.nonNull(classifier, "classifier");
            return this;
        }

        /** Time between rounds (default 60 s). */
        public Builder interval(Duration interval) {
            this.interval = Require.positive(interval, "interval");
            return this;
        }

        /** How long one LiveKit API call may take (default 10 s); a round whose call takes longer fails. */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = Require.positive(callTimeout, "callTimeout");
            return this;
        }

        /** Builds the reconciler; call {@link #start()} for periodic rounds. */
        public RoomReconciler build() {
            return new RoomReconciler(this);
        }
    }
}
