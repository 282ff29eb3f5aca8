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
final class WebhookEvents {
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final String room;
    private final String roomSid;

    WebhookEvents(String room, Clock clock) {
        this.room = room;
        this.clock = clock;
        this.roomSid = randomId("RM_");
    }

    /** A fresh participant session id, like LiveKit's {@code PA_...}. */
    String newSessionId() {
        return randomId("PA_");
    }

    byte[] roomStarted() {
        return bytes(event("room_started", null));
    }

    byte[] roomFinished() {
        return bytes(event("room_finished", null));
    }

    /** {@code kind} is LiveKit's participant kind: {@code STANDARD} for people, {@code AGENT} for agents. */
    byte[] participantJoined(String sessionId, String identity, String kind) {
        return bytes(event("participant_joined", participant(sessionId, identity, kind, "ACTIVE")));
    }

    byte[] participantLeft(String sessionId, String identity, String kind) {
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
