package io.github.agentlifecycle.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A room as the engine saw it at one moment. Immutable.
 *
 * @param roomName the room
 * @param state the room state
 * @param roomInstanceId the LiveKit room sid, or null when unknown
 * @param humanCount human sessions present
 * @param participantCount sessions present, of any role
 * @param participants the sessions present
 * @param hasAgent whether an agent is launching, running, ready or stopping
 * @param agentState what the agent is doing
 * @param agentIdentity the agent's identity, or null when there is none or it is not known yet
 * @param agentPid the agent's process id, or null
 * @param agentRestarts restarts since the room was created
 * @param createdAt when the engine started tracking the room
 * @param lastActivity when something last happened in the room
 * @param graceRemaining what is left of the grace period, or null outside it
 */
public record RoomSnapshot(
        String roomName,
        RoomState state,
        @Nullable String roomInstanceId,
        int humanCount,
        int participantCount,
        List<RoomEvent.Participant> participants,
        boolean hasAgent,
        AgentState agentState,
        @Nullable String agentIdentity,
        @Nullable Long agentPid,
        int agentRestarts,
        Instant createdAt,
        Instant lastActivity,
        @Nullable Duration graceRemaining) {

    /** Copies {@code participants}. */
    public RoomSnapshot {
        participants = List.copyOf(participants);
    }
}
