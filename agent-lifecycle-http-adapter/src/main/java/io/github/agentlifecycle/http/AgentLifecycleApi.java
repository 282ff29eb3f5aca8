package io.github.agentlifecycle.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.MaintenanceReport;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.livekit.InvalidTokenRequestException;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.TokenRequest;
import io.github.agentlifecycle.livekit.WebhookException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API, independent of any server: give it an {@link ApiRequest}, get an {@link ApiResponse}. Bindings
 * for the JDK's {@code HttpServer} ({@link AgentLifecycleHttpServer}) and Jakarta Servlet ({@link
 * AgentLifecycleServlet}) only translate.
 *
 * <p>Routes under the base path (default {@code /api/livekit}): {@code POST /token}, {@code POST /webhook},
 * {@code GET /rooms}, {@code GET /rooms/{name}}, {@code GET /stats}, {@code POST /rooms/{name}/close},
 * {@code POST /gc}, {@code POST /agent-report}, {@code GET /health}. Answers are JSON: {@code
 * {"success":true,"data":...}} or {@code {"success":false,"error":{"code":...,"message":...}}}.
 *
 * <p>Who may call: admin routes (rooms, stats, close, gc) need {@code Authorization: Bearer <admin token>},
 * compared in constant time; {@code /token} asks the {@link TokenRequestAuthorizer}; {@code /webhook} is
 * authenticated by LiveKit's signature; {@code /agent-report} by the credential the agent was given at launch.
 * Identities reserved for agents are never granted, whatever the authorizer says (see {@link TokenIssuer}).
 * A rejected request changes nothing. Errors are 400 (bad JSON or field), 401/403, 404, 405, 413 (body over the
 * limit; webhooks have their own), 415, 503 for a webhook the engine could not take (not running, or too many
 * recent event ids to remember another: LiveKit sends it again); 500 only for bugs, without details. Nothing in a response reveals a secret.
 * Thread-safe; requests may block briefly while the engine answers.
 */
public final class AgentLifecycleApi {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLifecycleApi.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final String JSON_TYPE = "application/json";

    private final AgentManager manager;
    private final TokenIssuer tokens;
    private final LiveKitWebhooks webhooks;
    private final String livekitUrl;
    private final byte[] adminTokenDigest;
    private final String basePath;
    private final TokenRequestAuthorizer authorizer;
    private final int maxBodyBytes;
    private final int maxWebhookBodyBytes;

    private AgentLifecycleApi(Builder builder) {
        this.manager = builder.manager;
        this.tokens = builder.tokens;
        this.webhooks = builder.webhooks;
        this.livekitUrl = builder.livekitUrl;
        this.adminTokenDigest = sha256(builder.adminToken);
        this.basePath = builder.basePath;
        this.authorizer = builder.authorizer;
        this.maxBodyBytes = builder.maxBodyBytes;
        this.maxWebhookBodyBytes = builder.maxWebhookBodyBytes;
    }

    /**
     * A builder for the API over {@code manager}, minting tokens with {@code tokens} and receiving webhooks with
     * {@code webhooks}.
     *
     * @param livekitUrl the LiveKit URL handed to clients with their token
     * @param adminToken the secret admin routes require; at least 16 characters
     */
    public static Builder builder(AgentManager manager, TokenIssuer tokens, LiveKitWebhooks webhooks,
            String livekitUrl, String adminToken) {
        return new Builder(manager, tokens, webhooks, livekitUrl, adminToken);
    }

    /** The base path, for example {@code /api/livekit}. */
    public String basePath() {
        return basePath;
    }

    /** The largest body accepted for {@code path}: the webhook limit for the webhook route, else the general one. */
    public int maxBodyBytes(String path) {
        return path.equals(basePath + "/webhook") ? maxWebhookBodyBytes : maxBodyBytes;
    }

    /** Answers one request. Never throws. */
    public ApiResponse handle(ApiRequest request) {
        try {
            return route(request);
        } catch (ApiError error) {
            return error.response();
        } catch (RuntimeException bug) {
            LOG.error("{} {} failed", request.method(), request.path(), bug);
            return error(500, "internal_error", "internal error");
        }
    }

    /** The answer for a body over the limit, for bindings that stop reading early. */
    public ApiResponse payloadTooLarge(String path) {
        return error(413, "payload_too_large", "request body is larger than " + maxBodyBytes(path) + " bytes",
                Map.of("Connection", "close"));
    }

    /**
     * The answer for a request that was not received within the binding's read deadline (408, {@code
     * request_timeout}, {@code Connection: close}), for bindings that enforce one.
     */
    public ApiResponse requestTimeout() {
        return error(408, "request_timeout", "request not received in time", Map.of("Connection", "close"));
    }

    // ---- routing --------------------------------------------------------------------------------------------

    private ApiResponse route(ApiRequest request) {
        String path = request.path();
        if (!path.equals(basePath) && !path.startsWith(basePath + "/")) {
            throw new ApiError(404, "not_found", "no such route");
        }
        if (request.body().length > maxBodyBytes(path)) {
            return payloadTooLarge(path);
        }
        String[] segments = path.substring(basePath.length()).split("/", -1);
        List<String> parts = new ArrayList<>();
        for (int i = 1; i < segments.length; i++) {
            parts.add(segments[i]);
        }
        String method = request.method();
        switch (parts.size()) {
            case 1:
                switch (parts.get(0)) {
                    case "token":
                        allow(method, "POST");
                        return token(request);
                    case "webhook":
                        allow(method, "POST");
                        return webhook(request);
                    case "rooms":
                        allow(method, "GET");
                        requireAdmin(request);
                        return rooms();
                    case "stats":
                        allow(method, "GET");
                        requireAdmin(request);
                        return stats();
                    case "gc":
                        allow(method, "POST");
                        requireAdmin(request);
                        return gc();
                    case "agent-report":
                        allow(method, "POST");
                        return agentReport(request);
                    case "health":
                        allow(method, "GET");
                        return ok(Map.of("status", "ok"));
                    default:
                        break;
                }
                break;
            case 2:
                if (parts.get(0).equals("rooms")) {
                    allow(method, "GET");
                    requireAdmin(request);
                    return room(decode(parts.get(1)));
                }
                break;
            case 3:
                if (parts.get(0).equals("rooms") && parts.get(2).equals("close")) {
                    allow(method, "POST");
                    requireAdmin(request);
                    return close(decode(parts.get(1)));
                }
                break;
            default:
                break;
        }
        throw new ApiError(404, "not_found", "no such route");
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new ApiError(405, "method_not_allowed", "use " + allowed, Map.of("Allow", allowed));
        }
    }

    // ---- routes ---------------------------------------------------------------------------------------------

    private ApiResponse token(ApiRequest request) {
        requireContentType(request, JSON_TYPE);
        JsonNode body = parseObject(request);
        TokenRequest tokenRequest = new TokenRequest(text(body, "roomName"), text(body, "participantIdentity"),
                text(body, "participantName"), text(body, "role"), null, text(body, "metadata"),
                attributes(body));
        TokenIssuer.IssuedToken token;
        try {
            tokens.validate(tokenRequest);
            String refusal = authorizer.refusal(request, tokenRequest, isAdmin(request));
            if (refusal != null) {
                throw new ApiError(403, "forbidden", refusal);
            }
            token = tokens.mint(tokenRequest);
        } catch (InvalidTokenRequestException invalid) {
            throw new ApiError(400, "invalid_" + snake(invalid.field()), invalid.getMessage());
        }
        EnsureResult ensured = manager.ensureAgent(token.roomName());
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("status", ensured.status().jsonName());
        if (ensured.room() != null) {
            agent.put("state", ensured.room().agentState().jsonName());
            agent.put("identity", ensured.room().agentIdentity());
        }
        if (ensured.message() != null) {
            agent.put("message", ensured.message());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("token", token.jwt());
        data.put("url", livekitUrl);
        data.put("roomName", token.roomName());
        data.put("participantIdentity", token.participantIdentity());
        data.put("agent", agent);
        return ok(data);
    }

    private ApiResponse webhook(ApiRequest request) {
        requireContentType(request, "application/webhook+json", JSON_TYPE);
        try {
            LiveKitWebhooks.Result result = webhooks.handle(request.body(), request.header("Authorization"));
            if (result.outcome() == EventOutcome.REFUSED) {
                throw new ApiError(503, "event_memory_full", "too many recent webhook ids to remember another one;"
                        + " send it again later", Map.of("Retry-After", "10"));
            }
            if (result.outcome() == EventOutcome.REJECTED) {
                throw new ApiError(503, "not_running", "the agent manager is not running",
                        Map.of("Retry-After", "10"));
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("event", result.event());
            data.put("eventId", result.eventId());
            data.put("outcome", result.unused() ? "unused" : jsonName(result.outcome()));
            return ok(data);
        } catch (WebhookException rejected) {
            WebhookException.Reason reason = rejected.reason();
            if (reason.isAuthenticationFailure()) {
                throw new ApiError(401, "invalid_webhook_signature", "webhook rejected: " + jsonName(reason));
            }
            throw new ApiError(400, "malformed_webhook", rejected.getMessage());
        }
    }

    private ApiResponse rooms() {
        List<Object> rooms = new ArrayList<>();
        for (RoomSnapshot room : manager.rooms()) {
            rooms.add(roomJson(room));
        }
        return ok(Map.of("rooms", rooms));
    }

    private ApiResponse room(String name) {
        Optional<RoomSnapshot> room = manager.room(name);
        if (room.isEmpty()) {
            throw new ApiError(404, "room_not_found", "no such room");
        }
        return ok(roomJson(room.get()));
    }

    private ApiResponse close(String name) {
        if (!manager.closeRoom(name)) {
            throw new ApiError(404, "room_not_found", "no such room");
        }
        return ok(Map.of("roomName", name, "closing", true));
    }

    private ApiResponse stats() {
        ManagerStats s = manager.stats();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("totalRooms", s.totalRooms());
        data.put("activeRooms", s.activeRooms());
        data.put("roomsInGrace", s.roomsInGrace());
        data.put("totalAgents", s.totalAgents());
        data.put("totalParticipants", s.totalParticipants());
        data.put("startingRooms", s.startingRooms());
        data.put("emptyRooms", s.emptyRooms());
        data.put("closingRooms", s.closingRooms());
        data.put("readyAgents", s.readyAgents());
        data.put("queuedRooms", s.queuedRooms());
        data.put("failedAgents", s.failedAgents());
        data.put("totalHumans", s.totalHumans());
        data.put("maxTotalAgents", s.maxTotalAgents());
        data.put("eventsApplied", s.eventsApplied());
        data.put("eventsDuplicate", s.eventsDuplicate());
        data.put("eventsIgnored", s.eventsIgnored());
        data.put("eventsRefused", s.eventsRefused());
        data.put("agentLaunches", s.agentLaunches());
        data.put("agentLaunchFailures", s.agentLaunchFailures());
        data.put("agentCrashes", s.agentCrashes());
        data.put("agentRestarts", s.agentRestarts());
        data.put("roomsClosed", s.roomsClosed());
        data.put("orphansReaped", s.orphansReaped());
        data.put("webhooksUnused", webhooks.unusedEventCounts());
        Map<String, Long> rejected = new LinkedHashMap<>();
        webhooks.rejectedCounts().forEach((reason, count) -> rejected.put(jsonName(reason), count));
        data.put("webhooksRejected", rejected);
        return ok(data);
    }

    private ApiResponse gc() {
        MaintenanceReport report = manager.runMaintenance();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("roomsChecked", report.roomsChecked());
        data.put("timersRepaired", report.timersRepaired());
        data.put("orphansStopped", report.orphansStopped());
        data.put("deadAgents", report.deadAgents());
        data.put("roomsClosing", report.roomsClosing());
        return ok(data);
    }

    private ApiResponse agentReport(ApiRequest request) {
        requireContentType(request, JSON_TYPE);
        String credential = bearer(request);
        if (credential == null) {
            throw new ApiError(401, "unauthorized", "agent credential required");
        }
        JsonNode body = parseObject(request);
        String room = required(body, "roomName");
        String identity = required(body, "agentIdentity");
        if (!manager.verifyAgentCredential(room, identity, credential)) {
            throw new ApiError(401, "unauthorized", "unknown agent or wrong credential");
        }
        boolean accepted = manager.heartbeat(room, identity);
        return ok(Map.of("accepted", accepted));
    }

    // ---- JSON -----------------------------------------------------------------------------------------------

    private static Map<String, Object> roomJson(RoomSnapshot room) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("roomName", room.roomName());
        json.put("state", room.state().jsonName());
        json.put("humanCount", room.humanCount());
        json.put("participantCount", room.participantCount());
        json.put("hasAgent", room.hasAgent());
        json.put("agentIdentity", room.agentIdentity());
        json.put("agentState", room.agentState().jsonName());
        json.put("agentPid", room.agentPid());
        json.put("agentRestarts", room.agentRestarts());
        json.put("roomInstanceId", room.roomInstanceId());
        json.put("createdAt", room.createdAt().toString());
        json.put("lastActivity", room.lastActivity().toString());
        json.put("graceRemaining", room.graceRemaining() == null ? null : room.graceRemaining().toMillis());
        List<Object> participants = new ArrayList<>();
        for (RoomEvent.Participant participant : room.participants()) {
            participants.add(Map.of("sessionId", participant.sessionId(), "identity", participant.identity(),
                    "role", jsonName(participant.role())));
        }
        json.put("participants", participants);
        return json;
    }

    private static JsonNode parseObject(ApiRequest request) {
        JsonNode node;
        try {
            node = JSON.readTree(request.body());
        } catch (IOException e) {
            throw new ApiError(400, "malformed_json", "request body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "malformed_json", "request body must be a JSON object");
        }
        return node;
    }

    private static @Nullable String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiError(400, "invalid_" + snake(field), field + " must be a string");
        }
        return value.asText();
    }

    private static String required(JsonNode body, String field) {
        String value = text(body, field);
        if (value == null || value.isBlank()) {
            throw new ApiError(400, "invalid_" + snake(field), field + " is required");
        }
        try {
            return Require.name(value, field);
        } catch (IllegalArgumentException invalid) {
            throw new ApiError(400, "invalid_" + snake(field), invalid.getMessage());
        }
    }

    private static Map<String, String> attributes(JsonNode body) {
        JsonNode value = body.get("attributes");
        if (value == null || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw new ApiError(400, "invalid_attributes", "attributes must be an object of strings");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        var fields = value.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            if (field.getValue().getNodeType() != JsonNodeType.STRING) {
                throw new ApiError(400, "invalid_attributes", "attributes must be an object of strings");
            }
            attributes.put(field.getKey(), field.getValue().asText());
        }
        return attributes;
    }

    private static ApiResponse ok(Object data) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("success", true);
        envelope.put("data", data);
        return json(200, envelope, Map.of());
    }

    static ApiResponse error(int status, String code, String message) {
        return error(status, code, message, Map.of());
    }

    private static ApiResponse error(int status, String code, String message, Map<String, String> headers) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("success", false);
        envelope.put("error", error);
        return json(status, envelope, headers);
    }

    private static ApiResponse json(int status, Object value, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/json; charset=utf-8");
        all.put("Cache-Control", "no-store");
        try {
            return new ApiResponse(status, all, JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }

    // ---- auth and checks ------------------------------------------------------------------------------------

    private void requireAdmin(ApiRequest request) {
        if (bearer(request) == null) {
            throw new ApiError(401, "unauthorized", "admin credential required");
        }
        if (!isAdmin(request)) {
            throw new ApiError(403, "forbidden", "wrong admin credential");
        }
    }

    private boolean isAdmin(ApiRequest request) {
        String presented = bearer(request);
        return presented != null && MessageDigest.isEqual(adminTokenDigest, sha256(presented));
    }

    private static @Nullable String bearer(ApiRequest request) {
        String header = request.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String value = header.substring(7).strip();
        return value.isEmpty() ? null : value;
    }

    private static void requireContentType(ApiRequest request, String... accepted) {
        String header = request.header("Content-Type");
        String type = header == null ? "" : header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        for (String candidate : accepted) {
            if (candidate.equals(type)) {
                return;
            }
        }
        throw new ApiError(415, "unsupported_media_type", "Content-Type must be " + String.join(" or ", accepted));
    }

    private static String decode(String segment) {
        try {
            String name = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            return Require.name(name, "roomName");
        } catch (IllegalArgumentException invalid) {
            throw new ApiError(400, "invalid_room_name", invalid.getMessage() == null ? "invalid room name"
                    : invalid.getMessage());
        }
    }

    /** An enum constant as the API writes it: its name in lower case. */
    private static String jsonName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** A request that gets an error answer. */
    private static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;
        private final transient Map<String, String> headers;

        ApiError(int status, String code, String message) {
            this(status, code, message, Map.of());
        }

        ApiError(int status, String code, String message, Map<String, String> headers) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.headers = headers;
        }

        ApiResponse response() {
            return error(status, code, getMessage(), headers);
        }
    }

    /** Builds an {@link AgentLifecycleApi}. Not thread-safe. Setters check their argument at once. */
    public static final class Builder {
        private final AgentManager manager;
        private final TokenIssuer tokens;
        private final LiveKitWebhooks webhooks;
        private final String livekitUrl;
        private final String adminToken;
        private String basePath = "/api/livekit";
        private TokenRequestAuthorizer authorizer = TokenRequestAuthorizer.clientsOpen();
        private int maxBodyBytes = 16 * 1024;
        private int maxWebhookBodyBytes = 1024 * 1024;

        private Builder(AgentManager manager, TokenIssuer tokens, LiveKitWebhooks webhooks, String livekitUrl,
                String adminToken) {
            this.manager = Require.nonNull(manager, "manager");
            this.tokens = Require.nonNull(tokens, "tokens");
            this.webhooks = Require.nonNull(webhooks, "webhooks");
            this.livekitUrl = Require.name(livekitUrl, "livekitUrl");
            Require.nonNull(adminToken, "adminToken");
            if (adminToken.strip().length() < 16) {
                throw new IllegalArgumentException("adminToken must be at least 16 characters");
            }
            this.adminToken = adminToken.strip();
        }

        /** The path the routes live under (default {@code /api/livekit}); {@code ""} mounts them at the root. */
        public Builder basePath(String basePath) {
            Require.nonNull(basePath, "basePath");
            if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/"))) {
                throw new IllegalArgumentException("basePath must be empty or start, but not end, with /");
            }
            this.basePath = basePath;
            return this;
        }

        /** Who may get which token (default {@link TokenRequestAuthorizer#clientsOpen()}). */
        public Builder tokenRequestAuthorizer(TokenRequestAuthorizer authorizer) {
            this.authorizer = Require.nonNull(authorizer, "authorizer");
            return this;
        }

        /** Largest body of every route but the webhook (default 16 KiB). */
        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = Require.atLeast(maxBodyBytes, 256, "maxBodyBytes");
            return this;
        }

        /** Largest webhook body (default 1 MiB). */
        public Builder maxWebhookBodyBytes(int maxWebhookBodyBytes) {
            this.maxWebhookBodyBytes = Require.atLeast(maxWebhookBodyBytes, 1024, "maxWebhookBodyBytes");
            return this;
        }

        /**
         * Builds the API.
         *
         * @throws IllegalArgumentException if {@code tokens} would mint tokens for identities of the manager's agents
         *     (its {@code agentIdentityPrefix} is not among the issuer's reserved prefixes)
         */
        public AgentLifecycleApi build() {
            String agentPrefix = manager.config().agentIdentityPrefix();
            if (!tokens.isReservedIdentity(agentPrefix)) {
                throw new IllegalArgumentException("tokens must reserve the manager's agentIdentityPrefix "
                        + agentPrefix + " (TokenIssuer.Builder#reservedIdentityPrefixes), or clients could take"
                        + " the identities of agents");
            }
            return new AgentLifecycleApi(this);
        }
    }
}
