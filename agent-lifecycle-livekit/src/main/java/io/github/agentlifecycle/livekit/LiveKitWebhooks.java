package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.Require;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import livekit.LivekitWebhook.WebhookEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives LiveKit webhooks for an {@link AgentManager}: authenticates each request ({@link WebhookVerifier}),
 * maps it ({@link WebhookEventMapper}) and applies it, so that its id is remembered for as long as its signature
 * could be accepted again: a replay is a duplicate however many other events came in between. Events the engine does not use are acknowledged and
 * counted by type. Rejected requests are counted by reason and logged at WARN, at most one line per reason and
 * minute (saying how many more were rejected since), the others at DEBUG: anyone who can reach the webhook URL can
 * send them, and one line each would let a flood of them fill the log. Thread-safe.
 */
public final class LiveKitWebhooks {
    private static final Logger LOG = LoggerFactory.getLogger(LiveKitWebhooks.class);
    /** The least time between two WARN lines about rejected webhooks with the same reason. */
    static final Duration REJECTION_LOG_INTERVAL = Duration.ofMinutes(1);

    private final WebhookVerifier verifier;
    private final WebhookEventMapper mapper;
    private final AgentManager manager;
    private final List<Consumer<WebhookEvent>> observers;
    private final Map<String, LongAdder> unusedByType = new ConcurrentHashMap<>();
    private final RejectionLog rejections;

    private LiveKitWebhooks(Builder builder) {
        this.verifier = builder.verifier;
        this.rejections = new RejectionLog(LOG, builder.verifier.clock(), REJECTION_LOG_INTERVAL);
        this.mapper = new WebhookEventMapper(builder.classifier);
        this.manager = builder.manager;
        this.observers = List.copyOf(builder.observers);
    }

    /** A builder for webhooks authenticated by {@code verifier} and applied to {@code manager}. */
    public static Builder builder(WebhookVerifier verifier, AgentManager manager) {
        return new Builder(Require.nonNull(verifier, "verifier"), Require.nonNull(manager, "manager"));
    }

    /**
     * What happened to one webhook.
     *
     * @param event the LiveKit event name
     * @param eventId its id, or null
     * @param outcome what the engine did with it, or null when the engine does not use this event type
     */
    public record Result(String event, @Nullable String eventId, @Nullable EventOutcome outcome) {
        /** Whether the engine does not use this event type (it was acknowledged and counted). */
        public boolean unused() {
            return outcome == null;
        }
    }

    /**
     * Authenticates and reads the request at once, then applies it; the stage completes once the engine has
     * accepted the event (duplicates too).
     *
     * @param body the exact request body
     * @param authorization the {@code Authorization} header, or null
     * @throws WebhookException if the request is not authentic or its body is not a usable event; nothing was
     *     applied then
     */
    public CompletionStage<Result> handleAsync(byte[] body, @Nullable String authorization) throws WebhookException {
        WebhookEvent event;
        Optional<RoomEvent> mapped;
        Instant acceptedUntil;
        try {
            acceptedUntil = verifier.verify(body, authorization);
            event = verifier.parse(body);
            mapped = mapper.map(event);
        } catch (WebhookException rejected) {
            rejections.rejected(rejected);
            throw rejected;
        }
        String id = event.getId().isBlank() ? null : event.getId();
        if (mapped.isEmpty()) {
            unusedByType.computeIfAbsent(event.getEvent(), type -> new LongAdder()).increment();
            LOG.debug("webhook {} ({}) not used by the engine", event.getEvent(), id);
            notifyObservers(event);
            return CompletableFuture.completedFuture(new Result(event.getEvent(), id, null));
        }
        Duration repeatable = Duration.between(verifier.clock().instant(), acceptedUntil);
        return manager.applyAsync(mapped.get(), repeatable.isNegative() ? Duration.ZERO : repeatable)
                .thenApply(outcome -> {
                    if (outcome != EventOutcome.DUPLICATE && outcome != EventOutcome.REFUSED
                            && outcome != EventOutcome.REJECTED) {
                        notifyObservers(event);
                    }
                    return new Result(event.getEvent(), id, outcome);
                });
    }

    private void notifyObservers(WebhookEvent event) {
        for (Consumer<WebhookEvent> observer : observers) {
            try {
                observer.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("webhook observer failed on {} for room {}", event.getEvent(), event.getRoom().getName(), e);
            }
        }
    }

    /** Blocking form of {@link #handleAsync(byte[], String)}. */
    public Result handle(byte[] body, @Nullable String authorization) throws WebhookException {
        try {
            return handleAsync(body, authorization).toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** How many authentic webhooks of each type the engine did not use. */
    public Map<String, Long> unusedEventCounts() {
        Map<String, Long> counts = new TreeMap<>();
        unusedByType.forEach((type, count) -> counts.put(type, count.sum()));
        return counts;
    }

    /** How many requests were rejected for each reason since this was built; every reason is present. */
    public Map<WebhookException.Reason, Long> rejectedCounts() {
        return rejections.counts();
    }

    /** Builds {@link LiveKitWebhooks}. Not thread-safe. */
    public static final class Builder {
        private final WebhookVerifier verifier;
        private final AgentManager manager;
        private ParticipantClassifier classifier = ParticipantClassifier.standard();
        private final List<Consumer<WebhookEvent>> observers = new ArrayList<>();

        private Builder(WebhookVerifier verifier, AgentManager manager) {
            this.verifier = verifier;
            this.manager = manager;
        }

        /** How participants count (default {@link ParticipantClassifier#standard()}). */
        public Builder classifier(ParticipantClassifier classifier) {
            this.classifier = Require.nonNull(classifier, "classifier");
            return this;
        }

        /**
         * Also hands every authentic event to {@code observer} (for example {@link
         * AgentDispatchLauncher#observe(WebhookEvent)}) once the engine has taken it, except redeliveries and replays
         * (duplicates) and events the engine could not take (it is sent again), so that an observer sees each event
         * once; on the thread that completes the engine's answer (the calling thread for unused events). Its
         * exceptions are logged.
         */
        public Builder observer(Consumer<WebhookEvent> observer) {
            observers.add(Require.nonNull(observer, "observer"));
            return this;
        }

        /** Builds the receiver. */
        public LiveKitWebhooks build() {
            return new LiveKitWebhooks(this);
        }
    }
}
