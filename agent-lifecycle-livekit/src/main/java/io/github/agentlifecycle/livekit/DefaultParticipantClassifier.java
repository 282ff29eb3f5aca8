package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.Require;
import java.util.List;
import java.util.Locale;
import livekit.LivekitModels.ParticipantInfo;

/**
 * The standard participant rules, by the kind LiveKit reports: {@code AGENT} is an agent; {@code EGRESS}
 * (recorders) and {@code INGRESS} (streams) are not human; {@code SIP} (phone callers) is human; {@code STANDARD}
 * is human, labelled {@code coach} when the identity starts with the coach prefix (default {@code coach-}); any
 * other kind is not human.
 *
 * <p>A {@code STANDARD} participant that only looks like an agent (an identity with an agent prefix, default
 * {@code ai-} and {@code agent-}, or the attribute {@code lk.agent_name}) is neither: not human, so it keeps no
 * room open, and not an agent, so it never makes a room's agent ready (label {@code unverified-agent}). LiveKit
 * reports agents as kind {@code AGENT}; a name is only a claim. Setups whose agents join with an ordinary token
 * can {@linkplain Builder#trustAgentNames trust names} instead. Immutable and thread-safe.
 */
public final class DefaultParticipantClassifier implements ParticipantClassifier {
    /** The attribute LiveKit agents carry. */
    public static final String AGENT_NAME_ATTRIBUTE = "lk.agent_name";

    private final List<String> agentPrefixes;
    private final String coachPrefix;
    private final boolean trustAgentNames;

    private DefaultParticipantClassifier(Builder builder) {
        this.agentPrefixes = List.copyOf(builder.agentPrefixes);
        this.coachPrefix = builder.coachPrefix;
        this.trustAgentNames = builder.trustAgentNames;
    }

    /** A builder preset with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Classification classify(ParticipantInfo participant) {
        switch (participant.getKind()) {
            case AGENT:
                return new Classification(ParticipantRole.AGENT, "agent");
            case EGRESS:
                return new Classification(ParticipantRole.OTHER, "egress");
            case INGRESS:
                return new Classification(ParticipantRole.OTHER, "ingress");
            case SIP:
                return new Classification(ParticipantRole.HUMAN, "sip");
            case STANDARD:
                return standard(participant);
            default:
                return new Classification(ParticipantRole.OTHER,
                        participant.getKind().name().toLowerCase(Locale.ROOT));
        }
    }

    private Classification standard(ParticipantInfo participant) {
        String identity = participant.getIdentity();
        if (participant.getAttributesMap().containsKey(AGENT_NAME_ATTRIBUTE)
                || agentPrefixes.stream().anyMatch(identity::startsWith)) {
            return trustAgentNames ? new Classification(ParticipantRole.AGENT, "agent")
                    : new Classification(ParticipantRole.OTHER, "unverified-agent");
        }
        return new Classification(ParticipantRole.HUMAN, identity.startsWith(coachPrefix) ? "coach" : "client");
    }

    /** Builds a {@link DefaultParticipantClassifier}. Not thread-safe. */
    public static final class Builder {
        private List<String> agentPrefixes = List.of("ai-", "agent-");
        private String coachPrefix = "coach-";
        private boolean trustAgentNames;

        private Builder() {}

        /** Identity prefixes that mark agents (default {@code ai-}, {@code agent-}); may be empty. */
        public Builder agentIdentityPrefixes(List<String> prefixes) {
            Require.nonNull(prefixes, "prefixes");
            for (String prefix : prefixes) {
                Require.name(prefix, "agent identity prefix");
            }
            this.agentPrefixes = List.copyOf(prefixes);
            return this;
        }

        /** The identity prefix that marks coaches (default {@code coach-}). */
        public Builder coachIdentityPrefix(String prefix) {
            this.coachPrefix = Require.name(prefix, "coachIdentityPrefix");
            return this;
        }

        /**
         * Whether a {@code STANDARD} participant with an agent prefix or the {@code lk.agent_name} attribute counts
         * as an agent (default false: only kind {@code AGENT} does). Turn it on only for agents that join with an
         * ordinary token, and only while nobody else can obtain tokens for such identities ({@code TokenIssuer}
         * refuses them by default).
         */
        public Builder trustAgentNames(boolean trustAgentNames) {
            this.trustAgentNames = trustAgentNames;
            return this;
        }

        /** Builds the classifier. */
        public DefaultParticipantClassifier build() {
            return new DefaultParticipantClassifier(this);
        }
    }
}
