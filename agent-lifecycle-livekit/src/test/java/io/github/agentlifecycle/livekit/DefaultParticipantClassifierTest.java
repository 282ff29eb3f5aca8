package io.github.agentlifecycle.livekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.livekit.ParticipantClassifier.Classification;
import java.util.List;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.ParticipantInfo.Kind;
import org.junit.jupiter.api.Test;

/** Who counts as human, agent or neither, by the kind LiveKit reports. */
class DefaultParticipantClassifierTest {
    private final ParticipantClassifier standard = ParticipantClassifier.standard();

    @Test
    void theKindLiveKitReportsDecides() {
        assertThat(classify(standard, Kind.AGENT, "agent-AJ_1")).isEqualTo(agent());
        assertThat(classify(standard, Kind.AGENT, "helper")).isEqualTo(agent());
        assertThat(classify(standard, Kind.STANDARD, "alice")).isEqualTo(human("client"));
        assertThat(classify(standard, Kind.STANDARD, "coach-bob")).isEqualTo(human("coach"));
        assertThat(classify(standard, Kind.SIP, "sip_+15550100")).isEqualTo(human("sip"));
        assertThat(classify(standard, Kind.SIP, "ai-caller")).isEqualTo(human("sip"));
        assertThat(classify(standard, Kind.EGRESS, "EG_1")).isEqualTo(new Classification(ParticipantRole.OTHER, "egress"));
        assertThat(classify(standard, Kind.INGRESS, "IN_1")).isEqualTo(new Classification(ParticipantRole.OTHER, "ingress"));
        assertThat(classify(standard, Kind.CONNECTOR, "c")).isEqualTo(new Classification(ParticipantRole.OTHER, "connector"));
    }

    @Test
    void aStandardParticipantThatOnlyLooksLikeAnAgentIsNeitherAgentNorHuman() {
        Classification unverified = new Classification(ParticipantRole.OTHER, "unverified-agent");
        assertThat(classify(standard, Kind.STANDARD, "ai-agent-x7Kq2mPz")).isEqualTo(unverified);
        assertThat(classify(standard, Kind.STANDARD, "agent-AJ_1")).isEqualTo(unverified);
        ParticipantInfo named = participant(Kind.STANDARD, "helper").toBuilder()
                .putAttributes(DefaultParticipantClassifier.AGENT_NAME_ATTRIBUTE, "my-agent").build();
        assertThat(standard.classify(named)).isEqualTo(unverified);
    }

    @Test
    void namesCanBeTrustedWhereAgentsJoinWithOrdinaryTokens() {
        ParticipantClassifier trusting = DefaultParticipantClassifier.builder().trustAgentNames(true)
                .agentIdentityPrefixes(List.of("bot-")).coachIdentityPrefix("staff-").build();
        assertThat(classify(trusting, Kind.STANDARD, "bot-1")).isEqualTo(agent());
        assertThat(classify(trusting, Kind.STANDARD, "ai-agent-1")).isEqualTo(human("client"));
        assertThat(classify(trusting, Kind.STANDARD, "staff-carol")).isEqualTo(human("coach"));
        assertThatThrownBy(() -> DefaultParticipantClassifier.builder().agentIdentityPrefixes(List.of("")))
                .hasMessage("agent identity prefix must not be blank");
    }

    private static Classification agent() {
        return new Classification(ParticipantRole.AGENT, "agent");
    }

    private static Classification human(String label) {
        return new Classification(ParticipantRole.HUMAN, label);
    }

    private static Classification classify(ParticipantClassifier classifier, Kind kind, String identity) {
        return classifier.classify(participant(kind, identity));
    }

    private static ParticipantInfo participant(Kind kind, String identity) {
        return ParticipantInfo.newBuilder().setSid("PA_" + identity.hashCode()).setIdentity(identity).setKind(kind)
                .build();
    }
}
