package io.github.agentlifecycle.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.util.StdConverter;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * How the API writes the core's and the LiveKit module's records, which know nothing of JSON: field order, instants
 * as ISO-8601 strings ({@link Instant#toString()}), durations as whole milliseconds. Nulls are written as null.
 */
final class JsonMixIns {
    private JsonMixIns() {}

    /** Registers every mix-in with {@code builder}. */
    static JsonMapper.Builder register(JsonMapper.Builder builder) {
        return builder
                .addMixIn(RoomSnapshot.class, Room.class)
                .addMixIn(ManagerStats.class, Stats.class)
                .addMixIn(LiveKitWebhooks.Result.class, WebhookResult.class);
    }

    @JsonPropertyOrder({"roomName", "state", "humanCount", "participantCount", "hasAgent", "agentIdentity",
        "agentState", "agentPid", "agentRestarts", "roomInstanceId", "createdAt", "lastActivity", "graceRemaining",
        "participants"})
    private abstract static class Room {
        @JsonSerialize(using = ToStringSerializer.class)
        abstract Instant createdAt();

        @JsonSerialize(using = ToStringSerializer.class)
        abstract Instant lastActivity();

        @JsonSerialize(converter = Millis.class)
        abstract Duration graceRemaining();
    }

    /** The five totals the HTTP contract has always listed first come first, the rest in the record's order. */
    @JsonPropertyOrder({"totalRooms", "activeRooms", "roomsInGrace", "totalAgents", "totalParticipants"})
    private abstract static class Stats {}

    /** An event the engine does not use has no outcome; it is written {@code "unused"}. */
    private abstract static class WebhookResult {
        @JsonSerialize(nullsUsing = Unused.class)
        abstract EventOutcome outcome();
    }

    static final class Millis extends StdConverter<Duration, Long> {
        @Override
        public Long convert(Duration duration) {
            return duration.toMillis();
        }
    }

    static final class Unused extends StdSerializer<Object> {
        private static final long serialVersionUID = 1L;

        Unused() {
            super(Object.class);
        }

        @Override
        public void serialize(Object value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeString("unused");
        }
    }
}
