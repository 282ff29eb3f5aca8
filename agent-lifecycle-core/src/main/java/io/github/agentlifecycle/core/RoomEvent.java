package io.github.agentlifecycle.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened in a LiveKit room, as reported by a webhook or by reconciliation.
 *
 * <p>Every event may carry an {@linkplain #eventId() event id}: the engine applies an event id at most once, so
 * redelivered webhooks change nothing. Events without an id are never treated as duplicates. Instances are
 * immutable; constructors reject blank or over-long names with an exception naming the argument.
 */
public sealed interface RoomEvent
        permits RoomEvent.ParticipantJoined, RoomEvent.ParticipantLeft, RoomEvent.RoomStarted,
                RoomEvent.RoomFinished {

    /** The room's name. */
    String roomName();

    /** The room instance id (LiveKit's room sid, {@code RM_...}), or null when unknown. */
    @Nullable String roomInstanceId();

    /** The id used to drop duplicates (LiveKit's {@code EV_...}), or null for events that cannot repeat. */
    @Nullable String eventId();

    /** When the event happened according to its source, or null when unknown. Informational only. */
    @Nullable Instant occurredAt();

    /**
     * A participant session that joined.
     *
     * @param roomName the room
     * @param participant the participant session
     * @param roomInstanceId the room sid, or null
     * @param eventId the event id, or null
     * @param occurredAt when it happened, or null
     */
    record ParticipantJoined(String roomName, Participant participant, @Nullable String roomInstanceId,
            @Nullable String eventId, @Nullable Instant occurredAt) implements RoomEvent {
        /** Validates every argument. */
        public ParticipantJoined {
            Require.name(roomName, "roomName");
            Require.nonNull(participant, "participant");
            Require.optionalName(roomInstanceId, "roomInstanceId");
            Require.optionalName(eventId, "eventId");
        }
    }

    /**
     * A participant session that left, or whose connection was aborted before it became active.
     *
     * @param roomName the room
     * @param participant the participant session
     * @param connectionAborted true for LiveKit's {@code participant_connection_aborted}
     * @param roomInstanceId the room sid, or null
     * @param eventId the event id, or null
     * @param occurredAt when it happened, or null
     */
    record ParticipantLeft(String roomName, Participant participant, boolean connectionAborted,
            @Nullable String roomInstanceId, @Nullable String eventId, @Nullable Instant occurredAt)
            implements RoomEvent {
        /** Validates every argument. */
        public ParticipantLeft {
            Require.name(roomName, "roomName");
            Require.nonNull(participant, "participant");
            Require.optionalName(roomInstanceId, "roomInstanceId");
            Require.optionalName(eventId, "eventId");
        }
    }

    /**
     * A room instance started.
     *
     * @param roomName the room
     * @param roomInstanceId the new instance's sid, or null
     * @param eventId the event id, or null
     * @param occurredAt when it happened, or null
     */
    record RoomStarted(String roomName, @Nullable String roomInstanceId, @Nullable String eventId,
            @Nullable Instant occurredAt) implements RoomEvent {
        /** Validates every argument. */
        public RoomStarted {
            Require.name(roomName, "roomName");
            Require.optionalName(roomInstanceId, "roomInstanceId");
            Require.optionalName(eventId, "eventId");
        }
    }

    /**
     * A room instance finished. Ignored when it names a different instance than the one being tracked.
     *
     * @param roomName the room
     * @param roomInstanceId the finished instance's sid, or null
     * @param eventId the event id, or null
     * @param occurredAt when it happened, or null
     */
    record RoomFinished(String roomName, @Nullable String roomInstanceId, @Nullable String eventId,
            @Nullable Instant occurredAt) implements RoomEvent {
        /** Validates every argument. */
        public RoomFinished {
            Require.name(roomName, "roomName");
            Require.optionalName(roomInstanceId, "roomInstanceId");
            Require.optionalName(eventId, "eventId");
        }
    }

    /**
     * One participant session: LiveKit gives a participant that reconnects a new session id with the same
     * identity, so sessions, not identities, are what the engine counts.
     *
     * @param sessionId the session id (LiveKit's participant sid, {@code PA_...})
     * @param identity the participant's identity
     * @param role how the participant counts
     */
    record Participant(String sessionId, String identity, ParticipantRole role) {
        /** Validates every argument. */
        public Participant {
            Require.name(sessionId, "sessionId");
            Require.name(identity, "identity");
            Require.nonNull(role, "role");
        }
    }

    /** A join without event id, instance id or time. */
    static ParticipantJoined participantJoined(String roomName, String sessionId, String identity,
            ParticipantRole role) {
        return new ParticipantJoined(roomName, new Participant(sessionId, identity, role), null, null, null);
    }

    /** A leave without event id, instance id or time. */
    static ParticipantLeft participantLeft(String roomName, String sessionId, String identity,
            ParticipantRole role) {
        return new ParticipantLeft(roomName, new Participant(sessionId, identity, role), false, null, null, null);
    }

    /** An aborted connection without event id, instance id or time. */
    static ParticipantLeft participantConnectionAborted(String roomName, String sessionId, String identity,
            ParticipantRole role) {
        return new ParticipantLeft(roomName, new Participant(sessionId, identity, role), true, null, null, null);
    }

    /** A room start without event id or time. */
    static RoomStarted roomStarted(String roomName, @Nullable String roomInstanceId) {
        return new RoomStarted(roomName, roomInstanceId, null, null);
    }

    /** A room finish without event id or time. */
    static RoomFinished roomFinished(String roomName, @Nullable String roomInstanceId) {
        return new RoomFinished(roomName, roomInstanceId, null, null);
    }
}
