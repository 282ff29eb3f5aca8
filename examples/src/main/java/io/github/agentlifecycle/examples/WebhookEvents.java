package io.github.agentlifecycle.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Webhook bodies for one room instance, shaped like the ones a LiveKit server sends (protobuf JSON, camelCase,
 * int64 as strings), each with a fresh event id. Not thread-safe.
 */
public final class WebhookEvents {
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final String room;
    private final String roomSid;

    /** Events of a new instance (room sid) of {@code room}, stamped with {@code clock}'s time. */
    public WebhookEvents(String room, Clock clock) {
        this.room = room;
        this.clock = clock;
        this.roomSid = randomId("RM_");
    }

    /** A fresh participant session id, like LiveKit's {@code PA_...}. */
    public String newSessionId() {
        return randomId("PA_");
    }

    /** A {@code room_started} body. */
    public byte[] roomStarted() {
        return bytes(event("room_started", null));
    }

    /** A {@code room_finished} body. */
    public byte[] roomFinished() {
        return bytes(event("room_finished", null));
    }

    /**
     * A {@code participant_joined} body; {@code kind} is LiveKit's participant kind: {@code STANDARD} for people,
     * {@code AGENT} for agents.
     */
    public byte[] participantJoined(String sessionId, String identity, String kind) {
        return bytes(event("participant_joined", participant(sessionId, identity, kind, "ACTIVE")));
    }

    /** A {@code participant_left} body for the session {@code sessionId}. */
    public byte[] participantLeft(String sessionId, String identity, String kind) {
        return bytes(event("participant_left", participant(sessionId, identity, kind, "DISCONNECTED")));
    }

    private ObjectNode event(String type, @Nullable ObjectNode participant) {
        ObjectNode event = json.createObjectNode();
        event.put("event", type);
        event.putObject("room").put("sid", roomSid).put("name", room);
        if (participant != null) {
            event.set("participant", participant);
        }
        event.put("id", randomId("EV_"));
        event.put("createdAt", Long.toString(clock.instant().getEpochSecond()));
        return event;
    }

    private ObjectNode participant(String sessionId, String identity, String kind, String state) {
        ObjectNode participant = json.createObjectNode();
        participant.put("sid", sessionId).put("identity", identity).put("state", state).put("kind", kind);
        return participant;
    }

    private byte[] bytes(ObjectNode event) {
        try {
            return json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomId(String prefix) {
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }
}
