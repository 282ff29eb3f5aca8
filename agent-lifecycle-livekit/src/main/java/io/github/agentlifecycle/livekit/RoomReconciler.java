package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.Require;
import io.livekit.server.RoomServiceClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs what lost webhooks left wrong, by comparing the engine with what LiveKit lists: a session the engine
 * counts but LiveKit no longer lists has left; a room the engine tracks (and LiveKit once reported) that LiveKit
 * no longer has has finished; a participant LiveKit lists that the engine missed has joined; a room LiveKit lists
 * under a different sid is a new instance, whose sid the engine adopts.
 *
 * <p>{@link #restore()}, run once right after {@link AgentManager#start()}, also takes charge of the conversations
 * under way when the backend (re)started: every room where LiveKit lists a human or an agent is {@linkplain
 * AgentManager#adoptRoom(String) adopted}, so an agent still running there (a LiveKit agent dispatch) is kept
 * rather than duplicated, a room with people gets an agent at once, and a room only its agent is left in starts its
 * grace period at the restore.
 *
 * <p>The engine's view is read before LiveKit is asked, so a session that joins while a round runs is never
 * taken for one that left; a join the engine already has is dropped by its session id, and one whose leave
 * arrived meanwhile by its tombstone. Rooms that wait for their first human and were never seen by LiveKit are
 * left alone. LiveKit API failures (network errors, non-2xx answers, calls over the call timeout) are logged and
 * reported, never thrown, and the round is retried at the next interval; a room whose participants cannot be
 * listed is left as it is for that round. Failures of the manager itself (a shared store that cannot answer)
 * propagate. Thread-safe.
 */
public final class RoomReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomReconciler.class);

    private final RoomServiceClient rooms;
    private final AgentManager manager;
    private final ParticipantClassifier classifier;
    private final Duration interval;
    private volatile boolean restorePending;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "livekit-reconciler");
        thread.setDaemon(true);
        return thread;
    });

    private RoomReconciler(Builder builder) {
        this.rooms = RoomServiceClient.createClient(builder.url, builder.credentials.apiKey(),
                builder.credentials.apiSecret(), () -> LiveKitCalls.client(builder.callTimeout, true));
        this.manager = builder.manager;
        this.classifier = builder.classifier;
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
     * @param adopted rooms the engine took charge of because a human or an agent was in them ({@link #restore()}
     *     only; 0 for {@link #runOnce()})
     * @param error why the round (or part of it) failed, or null
     */
    public record Report(int roomsListed, int joins, int leaves, int finished, int adopted, @Nullable String error) {}

    /**
     * Runs a round every interval on the reconciler's own thread, the first one interval from now. While a {@link
     * #restore()} has not been able to list LiveKit's rooms, the rounds restore instead, until one can.
     */
    public void start() {
        long period = interval.toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                Report report = restorePending ? restore() : runOnce();
                if (report.joins() + report.leaves() + report.finished() + report.adopted() > 0) {
                    LOG.info("Reconciliation repaired {} joins, {} leaves, {} finished rooms; adopted {} rooms",
                            report.joins(), report.leaves(), report.finished(), report.adopted());
                }
            } catch (RuntimeException e) {
                LOG.warn("Reconciliation round failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** Runs one round now, on the calling thread: repairs membership, adopts nothing. */
    public Report runOnce() {
        return round(false);
    }

    /**
     * Rebuilds the engine's rooms from LiveKit after a start, on the calling thread: one round that repairs
     * membership as {@link #runOnce()} does, then {@linkplain AgentManager#adoptRoom(String) adopts} every room where
     * LiveKit lists a human or an agent (as the builder's classifier tells them apart). Membership is applied first,
     * so a room's humans are counted when it is adopted: a room with people keeps or gets its agent; a room with only
     * an agent starts its grace period now, and that agent stops when it ends unless someone returns. Rooms with
     * neither (nobody, or only recorders and streams) are left alone. Adopting a room the engine already serves
     * changes nothing, so a second call is harmless.
     *
     * <p>If LiveKit's rooms cannot be listed, nothing changes, the report says why, and the periodic rounds of
     * {@link #start()} restore in this call's place until they can.
     */
    public Report restore() {
        return round(true);
    }

    private Report round(boolean adopt) {
        List<RoomSnapshot> tracked = manager.rooms();
        RoomListing listing;
        try {
            listing = RoomListing.fetch(rooms);
        } catch (IOException | RuntimeException e) {
            if (adopt) {
                restorePending = true;
                LOG.warn("Restore postponed: cannot list LiveKit rooms: {}; the periodic rounds retry it",
                        e.getMessage());
            } else {
                LOG.warn("Reconciliation skipped: cannot list LiveKit rooms: {}", e.getMessage());
            }
            return new Report(0, 0, 0, 0, 0, e.getMessage());
        }
        int joins = 0;
        int leaves = 0;
        int finished = 0;
        for (RoomEvent repair : listing.repairs(tracked, classifier)) {
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
        String error = listing.error();
        int adopted = 0;
        if (adopt) {
            restorePending = false;
            for (String room : listing.occupiedRooms(classifier)) {
                EnsureResult result = manager.adoptRoom(room);
                if (result.status() == EnsureResult.Status.REJECTED
                        || result.status() == EnsureResult.Status.DRAINING) {
                    error = "room " + room + " not adopted: " + result.message();
                    LOG.warn("Restore: {}", error);
                } else {
                    adopted++;
                }
            }
        }
        return new Report(listing.roomCount(), joins, leaves, finished, adopted, error);
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
