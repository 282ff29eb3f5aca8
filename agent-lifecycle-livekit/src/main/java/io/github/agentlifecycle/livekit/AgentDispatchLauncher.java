package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.livekit.server.AgentDispatchServiceClient;
import io.livekit.server.RoomServiceClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitWebhook.WebhookEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs agents through LiveKit's agent dispatch instead of local processes: a launch asks LiveKit to dispatch
 * the named agent into the room, so agent workers on any machine can serve it.
 *
 * <p>Never two dispatches for one room: a launch lists the room's dispatches first and adopts an existing one of
 * this agent name. The agent counts as ready when an agent participant of this name joins, and as ended when that
 * participant leaves, the room instance it joined finishes, or the dispatch disappears (checked every poll
 * interval); an adopted dispatch whose agent already joined is found through the room's participants. Stop deletes
 * the dispatch and removes the agent participant. Feed it webhooks with {@link #observe(WebhookEvent)} (see
 * {@link LiveKitWebhooks.Builder#observer}). LiveKit API failures are logged; a failed launch fails its stage
 * (and the engine's restart policy applies). Thread-safe.
 */
public final class AgentDispatchLauncher implements AgentLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(AgentDispatchLauncher.class);

    private final String agentName;
    private final AgentDispatchServiceClient dispatches;
    private final RoomServiceClient roomService;
    private final Function<AgentSpec, String> metadata;
    private final Duration pollInterval;
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(1, runnable -> {
        Thread thread = new Thread(runnable, "agent-dispatch");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, DispatchHandle> byRoom = new ConcurrentHashMap<>();
    private volatile @Nullable LauncherContext context;

    private AgentDispatchLauncher(Builder builder) {
        this.agentName = builder.agentName;
        // OkHttp would silently re-send a CreateDispatch whose connection broke, creating a second dispatch.
        this.dispatches = AgentDispatchServiceClient.createClient(builder.url, builder.credentials.apiKey(),
                builder.credentials.apiSecret(), () -> LiveKitCalls.client(builder.callTimeout, false));
        this.roomService = RoomServiceClient.createClient(builder.url, builder.credentials.apiKey(),
                builder.credentials.apiSecret(), () -> LiveKitCalls.client(builder.callTimeout, true));
        this.metadata = builder.metadata;
        this.pollInterval = builder.pollInterval;
    }

    /**
     * A builder for dispatches of {@code agentName} through the LiveKit server at {@code url}.
     *
     * @param url the server's HTTP(S) URL (a {@code ws(s)://} URL is converted)
     */
    public static Builder builder(String url, LiveKitCredentials credentials, String agentName) {
        return new Builder(url, credentials, agentName);
    }

    @Override
    public void start(LauncherContext context) {
        this.context = context;
        long period = pollInterval.toMillis();
        executor.scheduleWithFixedDelay(this::poll, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<AgentHandle> launch(AgentSpec spec) {
        try {
            return CompletableFuture.supplyAsync(() -> dispatch(spec), executor);
        } catch (RuntimeException rejected) {
            return CompletableFuture.failedFuture(new IllegalStateException("launcher is closed", rejected));
        }
    }

    /** Dispatched agents run on LiveKit's workers, not on this host: they outlive a replica that dies. */
    @Override
    public boolean hostBound() {
        return false;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** Learns from an authentic webhook whether a dispatched agent joined or left, or its room finished. */
    public void observe(WebhookEvent event) {
        DispatchHandle handle = byRoom.get(event.getRoom().getName());
        if (handle == null) {
            return;
        }
        switch (event.getEvent()) {
            case "participant_joined" -> {
                if (isOurAgent(event.getParticipant())) {
                    handle.participantIdentity = event.getParticipant().getIdentity();
                    if (!event.getRoom().getSid().isBlank()) {
                        handle.roomSid = event.getRoom().getSid();
                    }
                    reportReady(handle);
                }
            }
            case "participant_left", "participant_connection_aborted" -> {
                if (event.getParticipant().getIdentity().equals(handle.participantIdentity)) {
                    handle.ended(AgentExit.lost(handle.stopRequested, "agent participant left the room"));
                }
            }
            case "room_finished" -> {
                String finished = event.getRoom().getSid();
                String current = handle.roomSid;
                if (finished.isBlank() || current == null || current.equals(finished)) {
                    handle.ended(AgentExit.lost(handle.stopRequested, "room finished"));
                }
            }
            default -> { }
        }
    }

    private void reportReady(DispatchHandle handle) {
        LauncherContext ctx = context;
        if (ctx != null) {
            ctx.agentReady(handle.room, handle.identity);
        }
    }

    /** A participant LiveKit reports as an agent (not merely named like one) carrying our agent name. */
    private boolean isOurAgent(ParticipantInfo participant) {
        return participant.getKind() == ParticipantInfo.Kind.AGENT
                && agentName.equals(participant.getAttributesMap().get(DefaultParticipantClassifier.AGENT_NAME_ATTRIBUTE));
    }

    private AgentHandle dispatch(AgentSpec spec) {
        String room = spec.roomName();
        try {
            AgentDispatch existing = ours(LiveKitCalls.execute(dispatches.listDispatch(room), "listDispatch"));
            AgentDispatch dispatch;
            if (existing != null) {
                LOG.info("Room {}: adopting existing dispatch {} of agent {}", room, existing.getId(), agentName);
                dispatch = existing;
            } else {
                dispatch = LiveKitCalls.execute(dispatches.createDispatch(room, agentName, metadata.apply(spec)),
                        "createDispatch");
                LOG.info("Room {}: dispatched agent {} ({})", room, agentName, dispatch.getId());
            }
            DispatchHandle handle = new DispatchHandle(room, spec.agentIdentity(), dispatch.getId());
            byRoom.put(room, handle);
            if (existing != null) {
                adoptJoinedAgent(handle);
            }
            return handle;
        } catch (IOException | RuntimeException e) {
            throw new CompletionException(new IOException("cannot dispatch agent " + agentName + " to room " + room
                    + ": " + e.getMessage(), e));
        }
    }

    /** An adopted dispatch's agent may have joined already, so no join webhook will come: look it up instead. */
    private void adoptJoinedAgent(DispatchHandle handle) {
        try {
            List<ParticipantInfo> participants = LiveKitCalls.execute(roomService.listParticipants(handle.room),
                    "listParticipants");
            for (ParticipantInfo participant : participants == null ? List.<ParticipantInfo>of() : participants) {
                if (isOurAgent(participant)) {
                    handle.participantIdentity = participant.getIdentity();
                    executor.execute(() -> reportReady(handle));
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Room {}: cannot look for the adopted dispatch's agent: {}", handle.room, e.getMessage());
        }
    }

    private @Nullable AgentDispatch ours(@Nullable List<AgentDispatch> list) {
        if (list != null) {
            for (AgentDispatch dispatch : list) {
                if (agentName.equals(dispatch.getAgentName())) {
                    return dispatch;
                }
            }
        }
        return null;
    }

    private void poll() {
        for (DispatchHandle handle : byRoom.values()) {
            try {
                List<AgentDispatch> list = LiveKitCalls.execute(dispatches.listDispatch(handle.room), "listDispatch");
                boolean present = list != null && list.stream().anyMatch(d -> d.getId().equals(handle.dispatchId));
                if (!present) {
                    handle.ended(AgentExit.lost(handle.stopRequested, "dispatch disappeared"));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Room {}: cannot check dispatch {}: {}", handle.room, handle.dispatchId, e.getMessage());
            }
        }
    }

    /** One dispatch. */
    private final class DispatchHandle implements AgentHandle {
        final String room;
        final String identity;
        final String dispatchId;
        final CompletableFuture<AgentExit> exit = new CompletableFuture<>();
        volatile @Nullable String participantIdentity;
        volatile @Nullable String roomSid;
        volatile boolean stopRequested;

        DispatchHandle(String room, String identity, String dispatchId) {
            this.room = room;
            this.identity = identity;
            this.dispatchId = dispatchId;
        }

        @Override
        public String agentIdentity() {
            return identity;
        }

        @Override
        public CompletionStage<AgentExit> onExit() {
            return exit;
        }

        @Override
        public void stop(Duration timeout) {
            if (stopRequested) {
                return;
            }
            stopRequested = true;
            try {
                executor.execute(this::remove);
            } catch (RuntimeException closed) {
                ended(AgentExit.lost(true, "launcher closed before the dispatch was deleted"));
            }
        }

        private void remove() {
            String failure = null;
            try {
                deleteDispatch();
            } catch (IOException | RuntimeException e) {
                failure = e.getMessage();
            }
            String participant = participantIdentity;
            if (participant != null) {
                try {
                    LiveKitCalls.execute(roomService.removeParticipant(room, participant), "removeParticipant");
                } catch (IOException | RuntimeException e) {
                    failure = failure == null ? e.getMessage() : failure + "; " + e.getMessage();
                }
            }
            if (failure != null) {
                LOG.warn("Room {}: stopping dispatch {} was not confirmed: {}", room, dispatchId, failure);
                ended(AgentExit.lost(true, failure));
            } else {
                ended(AgentExit.exited(0, true));
            }
        }

        private void deleteDispatch() throws IOException {
            LiveKitCalls.execute(dispatches.deleteDispatch(room, dispatchId), "deleteDispatch");
        }

        void ended(AgentExit how) {
            byRoom.remove(room, this);
            if (exit.complete(how) && !stopRequested) {
                try {
                    executor.execute(() -> {
                        try {
                            deleteDispatch();
                        } catch (IOException | RuntimeException e) {
                            LOG.debug("Room {}: dispatch {} already gone: {}", room, dispatchId, e.getMessage());
                        }
                    });
                } catch (RuntimeException closed) {
                    // launcher closed: nothing left to tidy
                }
            }
        }
    }

    /** Builds an {@link AgentDispatchLauncher}. Not thread-safe. */
    public static final class Builder {
        private final String url;
        private final LiveKitCredentials credentials;
        private final String agentName;
        private Function<AgentSpec, String> metadata = spec -> "";
        private Duration pollInterval = Duration.ofSeconds(15);
        private Duration callTimeout = LiveKitCalls.DEFAULT_CALL_TIMEOUT;

        private Builder(String url, LiveKitCredentials credentials, String agentName) {
            this.url = LiveKitUrls.toHttp(Require.name(url, "url"));
            this.credentials = Require.nonNull(credentials, "credentials");
            this.agentName = Require.name(agentName, "agentName");
        }

        /** The dispatch metadata for an agent (default empty); the agent job receives it. */
        public Builder metadata(Function<AgentSpec, String> metadata) {
            this.metadata = Require.nonNull(metadata, "metadata");
            return this;
        }

        /** How often live dispatches are checked for disappearance (default 15 s). */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Require.positive(pollInterval, "pollInterval");
            return this;
        }

        /**
         * How long one LiveKit API call may take (default 10 s); a call that takes longer fails, and with it the
         * launch, stop or poll that made it.
         */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = Require.positive(callTimeout, "callTimeout");
            return this;
        }

        /** Builds the launcher. */
        public AgentDispatchLauncher build() {
            return new AgentDispatchLauncher(this);
        }
    }
}
