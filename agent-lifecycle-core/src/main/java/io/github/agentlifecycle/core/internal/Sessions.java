package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import java.util.Map;

/** Counting participant sessions. Not API. */
public final class Sessions {
    private Sessions() {}

    /** How many of {@code sessions} are humans. */
    public static int humans(Map<String, Participant> sessions) {
        int humans = 0;
        for (Participant participant : sessions.values()) {
            if (participant.role() == ParticipantRole.HUMAN) {
                humans++;
            }
        }
        return humans;
    }
}
