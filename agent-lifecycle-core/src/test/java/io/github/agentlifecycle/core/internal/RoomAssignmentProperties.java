package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.agentlifecycle.core.spi.AgentSpec;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/**
 * The assignment line an agent reads is one line of JSON that a JSON parser reads back to exactly the room, identity,
 * credential and heartbeat URL it was made of, whatever characters they hold; the agent's answers are recognised
 * however a JSON library spaces them, and nothing else is taken for them.
 */
class RoomAssignmentProperties {
    private final ObjectMapper json = new ObjectMapper();

    @Property(tries = 500)
    void theAssignmentIsOneLineOfJsonThatReadsBackToWhatItWasMadeOf(
            @ForAll @StringLength(min = 1, max = 64) String room, @ForAll @StringLength(min = 1, max = 64) String url)
            throws Exception {
        Assume.that(!room.isBlank() && room.chars().noneMatch(Character::isISOControl));
        AgentSpec spec = new AgentSpec(room, "agent-\"\\" + room.length(), "secret/+=" + room.length(), 1);
        String line = RoomAssignment.line(spec, url);

        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\r", "\u2028", "\u2029");
        JsonNode read = json.readTree(line);
        assertThat(read.get("type").asText()).isEqualTo("assignment");
        assertThat(read.get("roomName").asText()).isEqualTo(room);
        assertThat(read.get("agentIdentity").asText()).isEqualTo(spec.agentIdentity());
        assertThat(read.get("credential").asText()).isEqualTo(spec.credential());
        assertThat(read.get("heartbeatUrl").asText()).isEqualTo(url);
        assertThat(read.size()).isEqualTo(5);
        assertThat(json.readTree(RoomAssignment.line(spec, null)).has("heartbeatUrl")).isFalse();
    }

    @Example
    void answersAreRecognisedHoweverTheyAreSpaced() throws Exception {
        String idle = json.writeValueAsString(json.createObjectNode().put("type", "idle"));
        assertThat(RoomAssignment.isIdle(idle)).isTrue();
        assertThat(RoomAssignment.isIdle("{\"type\": \"idle\"}")).isTrue();
        assertThat(RoomAssignment.isIdle("  { \"type\" :\t\"idle\" }\r")).isTrue();
        assertThat(RoomAssignment.isAssigned("{\"type\": \"assigned\"}")).isTrue();

        assertThat(RoomAssignment.isIdle("{\"type\": \"assigned\"}")).isFalse();
        assertThat(RoomAssignment.isAssigned("{\"type\":\"idle\"}")).isFalse();
        assertThat(RoomAssignment.isIdle("loading model... {\"type\":\"idle\"}")).isFalse();
        assertThat(RoomAssignment.isAssigned("{\"type\":\"assigned\",\"room\":\"a\"}")).isFalse();
        assertThat(RoomAssignment.isIdle("")).isFalse();
    }
}
