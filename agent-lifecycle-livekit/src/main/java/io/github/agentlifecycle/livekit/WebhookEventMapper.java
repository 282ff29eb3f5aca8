package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.Require;
import java.time.Instant;
import java.util.Optional;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitWebhook.WebhookEvent;
import org.jspecify.annotations.Nullable;

/**
 * Turns LiveKit webhook events into engine events: {@code participant_joined}, {@code participant_left} and
 * {@code participant_connection_aborted} (with the participant's session id, identity and classified role) and
 * {@code room_started} and {@code room_finished} (with the room sid), each with the event id and creation time.
 * Every other event maps to nothing. Immutable and thread-safe.
 */
public final class WebhookEventMapper {
    private final ParticipantClassifier classifier;

    /** A mapper that classifies participants with {@code classifier}. */
    public WebhookEventMapper(ParticipantClassifier classifier) {
        this.classifier = Require.nonNull(classifier, "classifier");
    }

    /**
     * The engine event for {@code event}, or empty for event types the engine does not use.
     *
     * @throws WebhookException ({@link WebhookException.Reason#MALFORMED_BODY}) if a used event lacks its room
     *     name or participant
     */
    public Optional<RoomEvent> map(WebhookEvent event) throws WebhookException {
        String type = event.getEvent();
        boolean participantEvent = type.equals("participant_joined") || type.equals("participant_left")
                || type.equals("participant_connection_aborted");
        boolean roomEvent = type.equals("room_started") || type.equals("room_finished");
        if (!participantEvent && !roomEvent) {
            return Optional.empty();
        }
        try {
            String room = event.getRoom().getName();
            String roomSid = blankToNull(event.getRoom().getSid());
            String id = blankToNull(event.getId());
            Instant at = event.getCreatedAt() > 0 ? Instant.ofEpochSecond(event.getCreatedAt()) : null;
            switch (type) {
                case "room_started":
                    return Optional.of(new RoomEvent.RoomStarted(room, roomSid, id, at));
                case "room_finished":
                    return Optional.of(new RoomEvent.RoomFinished(room, roomSid, id, at));
                default:
                    RoomEvent.Participant participant = participant(event);
                    if (type.equals("participant_joined")) {
                        return Optional.of(new RoomEvent.ParticipantJoined(room, participant, roomSid, id, at));
                    }
                    return Optional.of(new RoomEvent.ParticipantLeft(room, participant,
                            type.equals("participant_connection_aborted"), roomSid, id, at));
            }
        } catch (IllegalArgumentException | NullPointerException invalid) {
            throw new WebhookException(WebhookException.Reason.MALFORMED_BODY, type + " event is incomplete: "
                    + invalid.getMessage());
        }
    }

    private RoomEvent.Participant participant(WebhookEvent event) {
        if (!event.hasParticipant()) {
            throw new IllegalArgumentException("participant is missing");
        }
        ParticipantInfo info = event.getParticipant();
        return new RoomEvent.Participant(info.getSid(), info.getIdentity(), classifier.classify(info).role());
    }

    private static @Nullable String blankToNull(String value) {
        return value.isBlank() ? null : value;
    }
}
