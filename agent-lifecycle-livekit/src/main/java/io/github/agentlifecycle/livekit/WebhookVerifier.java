package io.github.agentlifecycle.livekit;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.util.JsonFormat;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import livekit.LivekitWebhook.WebhookEvent;
import org.jspecify.annotations.Nullable;

/**
 * Authenticates LiveKit webhook requests and reads their bodies.
 *
 * <p>The {@code Authorization} header must hold a JWT (bare, as LiveKit sends it, or after {@code Bearer }),
 * signed HS256 with the API secret, issued by the API key, with an expiry, valid now within the clock leeway
 * (default 10 s), and with a {@code sha256} claim equal to the base64 SHA-256 of the exact body bytes. The body is
 * then read by protobuf's {@code JsonFormat.parser().ignoringUnknownFields()}, which accepts LiveKit's lowerCamelCase
 * as well as snake_case names and int64 values as strings or numbers, but it must first be well-formed UTF-8 and
 * strict JSON (none of the lenient forms {@code JsonFormat}'s Gson reader allows, such as comments or single quotes;
 * no repeated member names, no unpaired surrogates, at most 1000 levels deep), with nothing after the event object. Immutable and thread-safe.
 */
public final class WebhookVerifier {
    private static final JsonFactory STRICT_JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final JWTVerifier verifier;
    private final Clock clock;
    private final Duration leeway;

    private WebhookVerifier(Builder builder) {
        Clock clock = builder.clock;
        this.clock = clock;
        this.leeway = Duration.ofSeconds(builder.leeway.toSeconds());
        java.time.Clock jwtClock = new java.time.Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return clock.instant();
            }
        };
        this.verifier = ((JWTVerifier.BaseVerification) JWT
                .require(Algorithm.HMAC256(builder.credentials.apiSecret()))
                .withIssuer(builder.credentials.apiKey())
                .withClaimPresence("exp")
                .withClaimPresence("sha256")
                .acceptLeeway(builder.leeway.toSeconds()))
                .build(jwtClock);
    }

    /** A builder for webhooks signed with {@code credentials}. */
    public static Builder builder(LiveKitCredentials credentials) {
        return new Builder(Require.nonNull(credentials, "credentials"));
    }

    /**
     * Authenticates the request and reads its event.
     *
     * @param body the exact request body bytes
     * @param authorization the {@code Authorization} header, or null when absent
     * @throws WebhookException with the reason the request was rejected
     */
    public WebhookEvent receive(byte[] body, @Nullable String authorization) throws WebhookException {
        verify(body, authorization);
        return parse(body);
    }

    /**
     * Authenticates the request without reading the body.
     *
     * @return the last instant at which the same request would still be accepted: its token's expiry plus the
     *     leeway, which is how long a replay of it has to be recognised
     * @throws WebhookException with the reason the request was rejected
     */
    public Instant verify(byte[] body, @Nullable String authorization) throws WebhookException {
        Require.nonNull(body, "body");
        if (authorization == null || authorization.isBlank()) {
            throw new WebhookException(WebhookException.Reason.MISSING_AUTHORIZATION, "Authorization header missing");
        }
        String token = authorization.strip();
        if (token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).strip();
        }
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (SignatureVerificationException e) {
            throw new WebhookException(WebhookException.Reason.BAD_SIGNATURE, "webhook signature does not match");
        } catch (TokenExpiredException e) {
            throw new WebhookException(WebhookException.Reason.EXPIRED, "webhook token expired");
        } catch (IncorrectClaimException e) {
            if ("nbf".equals(e.getClaimName()) || "iat".equals(e.getClaimName())) {
                throw new WebhookException(WebhookException.Reason.NOT_YET_VALID, "webhook token not valid yet");
            }
            throw new WebhookException(WebhookException.Reason.INVALID_TOKEN,
                    "webhook token has a wrong " + e.getClaimName() + " claim");
        } catch (AlgorithmMismatchException e) {
            throw new WebhookException(WebhookException.Reason.INVALID_TOKEN, "webhook token is not HS256");
        } catch (JWTVerificationException e) {
            throw new WebhookException(WebhookException.Reason.INVALID_TOKEN, "webhook token is not valid: "
                    + e.getClass().getSimpleName());
        }
        String claimed = jwt.getClaim("sha256").asString();
        byte[] actual = Base64.getEncoder().encode(sha256(body));
        if (claimed == null || !MessageDigest.isEqual(actual, claimed.getBytes(StandardCharsets.US_ASCII))) {
            throw new WebhookException(WebhookException.Reason.HASH_MISMATCH, "webhook body does not match its hash");
        }
        return jwt.getExpiresAtAsInstant().plus(leeway).plusSeconds(1);
    }

    /** Reads an authenticated body. */
    public WebhookEvent parse(byte[] body) throws WebhookException {
        if (!UnsafeByteOperations.unsafeWrap(body).isValidUtf8()) {
            throw new WebhookException(WebhookException.Reason.MALFORMED_BODY, "webhook body is not UTF-8");
        }
        WebhookEvent.Builder event = WebhookEvent.newBuilder();
        try {
            requireOneStrictJsonValue(body);
            PARSER.merge(new String(body, StandardCharsets.UTF_8), event);
        } catch (IOException | RuntimeException e) {
            throw new WebhookException(WebhookException.Reason.MALFORMED_BODY, "webhook body is not a LiveKit event: "
                    + firstLine(e.getMessage()));
        }
        if (event.getEvent().isBlank()) {
            throw new WebhookException(WebhookException.Reason.MALFORMED_BODY, "webhook body names no event");
        }
        return event.build();
    }

    /**
     * {@code JsonFormat} reads with Gson in lenient mode, lets a repeated member overwrite the first, passes unpaired
     * surrogates on and stops after the first value; this checks the body first.
     */
    private static void requireOneStrictJsonValue(byte[] body) throws IOException {
        try (JsonParser json = STRICT_JSON.createParser(body)) {
            int depth = 0;
            do {
                JsonToken token = json.nextToken();
                if (token == null) {
                    return;
                }
                if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    requirePairedSurrogates(json);
                }
                depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
            } while (depth > 0);
            if (json.nextToken() != null) {
                throw new JsonParseException(json, "Unexpected content after the JSON value");
            }
        }
    }

    /** Reads the current name or string in the parser's own buffer, so that no string is made for the check. */
    private static void requirePairedSurrogates(JsonParser json) throws IOException {
        char[] text = json.getTextCharacters();
        int end = json.getTextOffset() + json.getTextLength();
        for (int i = json.getTextOffset(); i < end; i++) {
            if (Character.isHighSurrogate(text[i]) && i + 1 < end && Character.isLowSurrogate(text[i + 1])) {
                i++;
            } else if (Character.isSurrogate(text[i])) {
                throw new JsonParseException(json, "Unpaired surrogate in a string");
            }
        }
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** The clock that decides whether a token is valid now. */
    Clock clock() {
        return clock;
    }

    /** Builds a {@link WebhookVerifier}. Not thread-safe. */
    public static final class Builder {
        private final LiveKitCredentials credentials;
        private Duration leeway = Duration.ofSeconds(10);
        private Clock clock = Clock.system();

        private Builder(LiveKitCredentials credentials) {
            this.credentials = credentials;
        }

        /** Clock skew tolerated on {@code exp}, {@code nbf} and {@code iat} (default 10 s, whole seconds). */
        public Builder leeway(Duration leeway) {
            this.leeway = Require.nonNegative(leeway, "leeway");
            return this;
        }

        /** The clock that decides whether a token is valid now (default {@link Clock#system()}). */
        public Builder clock(Clock clock) {
            this.clock = Require.nonNull(clock, "clock");
            return this;
        }

        /** Builds the verifier. */
        public WebhookVerifier build() {
            return new WebhookVerifier(this);
        }
    }
}
