package io.github.agentlifecycle.livekit;

import livekit.LivekitModels.ParticipantInfo;

/** Connected LiveKit participants of each kind, as LiveKit lists them and puts them in webhooks. */
final class ParticipantInfos {
    private ParticipantInfos() {}

    static ParticipantInfo human(String sid, String identity) {
        return of(sid, identity, ParticipantInfo.Kind.STANDARD).build();
    }

    /** An agent LiveKit dispatched: kind AGENT, carrying its agent name. */
    static ParticipantInfo agent(String sid, String identity, String agentName) {
        return of(sid, identity, ParticipantInfo.Kind.AGENT)
                .putAttributes(DefaultParticipantClassifier.AGENT_NAME_ATTRIBUTE, agentName)
                .build();
    }

    static ParticipantInfo egress(String sid, String identity) {
        return of(sid, identity, ParticipantInfo.Kind.EGRESS).build();
    }

    private static ParticipantInfo.Builder of(String sid, String identity, ParticipantInfo.Kind kind) {
        return ParticipantInfo.newBuilder()
                .setSid(sid)
                .setIdentity(identity)
                .setKind(kind)
                .setState(ParticipantInfo.State.ACTIVE);
    }
}
