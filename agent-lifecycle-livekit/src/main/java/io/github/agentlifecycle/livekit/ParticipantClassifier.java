package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.ParticipantRole;
import livekit.LivekitModels.ParticipantInfo;

/**
 * Decides how the engine counts a LiveKit participant: human, agent or other. Implementations must be
 * thread-safe and must not throw.
 */
@FunctionalInterface
public interface ParticipantClassifier {

    /** How a participant counts, and a short label for logs ({@code client}, {@code coach}, {@code sip}, ...). */
    record Classification(ParticipantRole role, String label) {}

    /** Classifies one participant. */
    Classification classify(ParticipantInfo participant);

    /** The default rules; see {@link DefaultParticipantClassifier}. */
    static ParticipantClassifier standard() {
        return DefaultParticipantClassifier.builder().build();
    }
}
