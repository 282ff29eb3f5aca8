package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.internal.Require;
import java.util.List;
import java.util.Locale;
import livekit.LivekitModels.ParticipantInfo;

/**
 * The standard participant rules, in order: kind {@code AGENT} is an agent; {@code EGRESS} (recorders) and
 * {@code INGRESS} (streams) are not human; a participant with the attribute {@code lk.agent_name} or an identity
 * starting with an agent prefix (default {@code ai-}, {@code agent-}) is an agent; {@code STANDARD} and {@code
 * SIP} (phone callers) are humans, labelled {@code coach} when the identity starts with the coach prefix (default
 * {@code coach-}); anything else is not human. Immutable and thread-safe.
 */
public final class DefaultParticipantClassifier implements ParticipantClassifier {
    /** The attribute LiveKit agents carry. */
    public static final String AGENT_NAME_ATTRIBUTE = "lk.agent_name";

    private final List<String> agentPrefixes;
    private final String coachPrefix;

    private DefaultParticipantClassifier(Builder builder) {
        this.agentPrefixes = List.copyOf(builder.agentPrefixes);
        this.coachPrefix = builder.coachPrefix;
    }

    /** A builder preset with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Classification classify(ParticipantInfo participant) {
        ParticipantInfo.Kind kind = participant.getKind();
        if (kind == ParticipantInfo.Kind.AGENT) {
            return new Classification(ParticipantRole.AGENT, "agent");
        }
        if (kind == ParticipantInfo.Kind.EGRESS) {
            return new Classification(ParticipantRole.OTHER, "egress");
        }
        if (kind == ParticipantInfo.Kind.INGRESS) {
            return new Classification(ParticipantRole.OTHER, "ingress");
        }
        String identity = participant.getIdentity();
        if (participant.getAttributesMap().containsKey(AGENT_NAME_ATTRIBUTE)
                || agentPrefixes.stream().anyMatch(identity::startsWith)) {
            return new Classification(ParticipantRole.AGENT, "agent");
        }
        if (kind == ParticipantInfo.Kind.SIP) {
            return new Classification(ParticipantRole.HUMAN, "sip");
        }
        if (kind == ParticipantInfo.Kind.STANDARD) {
            return new Classification(ParticipantRole.HUMAN, identity.startsWith(coachPrefix) ? "coach" : "client");
        }
        return new Classification(ParticipantRole.OTHER, kind.name().toLowerCase(Locale.ROOT));
    }

    /** Builds a {@link DefaultParticipantClassifier}. Not thread-safe. */
    public static final class Builder {
        private List<String> agentPrefixes = List.of("ai-", "agent-");
        private String coachPrefix = "coach-";

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

        /** Builds the classifier. */
        public DefaultParticipantClassifier build() {
            return new DefaultParticipantClassifier(this);
        }
    }
}
