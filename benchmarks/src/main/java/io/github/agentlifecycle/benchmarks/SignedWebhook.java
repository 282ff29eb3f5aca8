package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.examples.WebhookSigner;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A participant webhook as LiveKit sends it: a protobuf-JSON body (room with its codecs and timeouts, participant
 * with its permissions, lowerCamelCase names, int64 values as strings) and an {@code Authorization} header holding
 * an HS256 JWT issued by the API key whose {@code sha256} claim is the base64 SHA-256 of the body, signed by the
 * example's {@link WebhookSigner}.
 *
 * @param body the exact body bytes
 * @param authorization the header value (a bare JWT, as LiveKit sends it)
 */
record SignedWebhook(byte[] body, String authorization) {
    /** The credentials every benchmark webhook is signed and verified with. */
    static final LiveKitCredentials CREDENTIALS =
            new LiveKitCredentials("APIbench0001", "bench-secret-0123456789abcdefghijklmnopqrstuv");

    /** A signed {@code participant_joined} of a human in {@code room}. */
    static SignedWebhook joined(BenchRoom room, String sessionId, String eventId, Instant at) {
        return sign(body("participant_joined", "ACTIVE", room, sessionId, eventId, at), at);
    }

    /** A signed {@code participant_left} of a human in {@code room}. */
    static SignedWebhook left(BenchRoom room, String sessionId, String eventId, Instant at) {
        return sign(body("participant_left", "DISCONNECTED", room, sessionId, eventId, at), at);
    }

    private static String body(String event, String participantState, BenchRoom room, String sessionId,
            String eventId, Instant at) {
        long created = at.getEpochSecond() - 600;
        long joined = at.getEpochSecond() - 5;
        return "{\"event\":\"" + event + "\","
                + "\"room\":{\"sid\":\"" + room.sid() + "\",\"name\":\"" + room.name() + "\",\"emptyTimeout\":300,"
                + "\"creationTime\":\"" + created + "\",\"enabledCodecs\":[{\"mime\":\"audio/opus\"},"
                + "{\"mime\":\"audio/red\"},{\"mime\":\"video/VP8\"},{\"mime\":\"video/H264\"},"
                + "{\"mime\":\"video/VP9\"},{\"mime\":\"video/AV1\"}],\"departureTimeout\":20,"
                + "\"creationTimeMs\":\"" + created + "123\"},"
                + "\"participant\":{\"sid\":\"" + sessionId + "\",\"identity\":\"" + room.humanIdentity() + "\","
                + "\"state\":\"" + participantState + "\",\"joinedAt\":\"" + joined + "\",\"name\":\"Guest\","
                + "\"version\":2,\"permission\":{\"canSubscribe\":true,\"canPublish\":true,\"canPublishData\":true},"
                + "\"joinedAtMs\":\"" + joined + "456\"},"
                + "\"id\":\"" + eventId + "\",\"createdAt\":\"" + at.getEpochSecond() + "\"}";
    }

    /** Signed by a LiveKit server whose clock read {@code at}: valid from a second before for twelve hours. */
    private static SignedWebhook sign(String json, Instant at) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        Instant notBefore = at.minusSeconds(1);
        WebhookSigner signer = new WebhookSigner(CREDENTIALS, Clock.fixed(notBefore, ZoneOffset.UTC),
                Duration.between(notBefore, at.plus(Duration.ofHours(12))));
        return new SignedWebhook(body, signer.authorization(body));
    }
}
