package io.github.agentlifecycle.livekit.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitAgentDispatch.CreateAgentDispatchRequest;
import livekit.LivekitAgentDispatch.DeleteAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchResponse;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import livekit.LivekitRoom.ListParticipantsRequest;
import livekit.LivekitRoom.ListParticipantsResponse;
import livekit.LivekitRoom.ListRoomsRequest;
import livekit.LivekitRoom.ListRoomsResponse;
import livekit.LivekitRoom.RemoveParticipantResponse;
import livekit.LivekitRoom.RoomParticipantIdentity;
import org.jspecify.annotations.Nullable;

/**
 * A LiveKit server stand-in for tests: a JDK {@link HttpServer} on 127.0.0.1 that answers the Twirp endpoints the
 * reconciler and the dispatch launcher use, with protobuf bodies, as LiveKit does.
 *
 * <p>It keeps rooms, participants per room and dispatches per room (with generated ids), checks that every call
 * carries {@code Authorization: Bearer} and a JWT signed with the test secret and issued by the test key
 * (answering 401 otherwise), and records every call with its parsed request. A test can script failures per
 * endpoint, optionally for one room only: an HTTP status with a Twirp JSON error body, a dropped connection
 * (closed without an answer, before or after carrying the request out), or an answer delayed by a given time.
 * Scripted failures last until {@link #recover()}, or for one call ({@link #failNext}); a request that fails is
 * recorded too. Thread-safe. Shared with other modules' tests and the benchmarks through this module's test jar.
 */
public final class FakeLiveKitServer implements AutoCloseable {
    /** The API key the server accepts. */
    public static final String API_KEY = "APIfakeKey";
    /** The API secret the server accepts. */
    public static final String API_SECRET = "fake-livekit-secret-of-at-least-32-bytes";
    private static final String AGENT_NAME_ATTRIBUTE = "lk.agent_name";

    /** The Twirp endpoints this server answers. */
    public enum Endpoint {
        LIST_ROOMS("livekit.RoomService", "ListRooms"),
        LIST_PARTICIPANTS("livekit.RoomService", "ListParticipants"),
        REMOVE_PARTICIPANT("livekit.RoomService", "RemoveParticipant"),
        CREATE_DISPATCH("livekit.AgentDispatchService", "CreateDispatch"),
        LIST_DISPATCH("livekit.AgentDispatchService", "ListDispatch"),
        DELETE_DISPATCH("livekit.AgentDispatchService", "DeleteDispatch");

        private final String service;
        private final String method;

        Endpoint(String service, String method) {
            this.service = service;
            this.method = method;
        }

        /**
         * The request path, for example {@code /twirp/livekit.RoomService/ListRooms}.
         *
         * @return the path
         */
        public String path() {
            return "/twirp/" + service + "/" + method;
        }

        static Optional<Endpoint> ofPath(String path) {
            for (Endpoint endpoint : values()) {
                if (endpoint.path().equals(path)) {
                    return Optional.of(endpoint);
                }
            }
            return Optional.empty();
        }

        Message parse(byte[] body) throws InvalidProtocolBufferException {
            return switch (this) {
                case LIST_ROOMS -> ListRoomsRequest.parseFrom(body);
                case LIST_PARTICIPANTS -> ListParticipantsRequest.parseFrom(body);
                case REMOVE_PARTICIPANT -> RoomParticipantIdentity.parseFrom(body);
                case CREATE_DISPATCH -> CreateAgentDispatchRequest.parseFrom(body);
                case LIST_DISPATCH -> ListAgentDispatchRequest.parseFrom(body);
                case DELETE_DISPATCH -> DeleteAgentDispatchRequest.parseFrom(body);
            };
        }
    }

    /**
     * How a scripted endpoint misbehaves.
     *
     * @param kind what it does instead of answering normally
     * @param status the HTTP status of {@link Kind#STATUS}
     * @param delay how long {@link Kind#DELAY} holds the answer (cut short by {@link #close()})
     */
    public record Failure(Kind kind, int status, Duration delay) {
        /** What a scripted endpoint does instead of answering normally. */
        public enum Kind {
            /** Answers the status with a Twirp error, changing nothing. */
            STATUS,
            /** Closes the connection without answering, changing nothing. */
            DROP,
            /** Carries the request out, then closes the connection without answering (the answer is lost). */
            PROCESS_THEN_DROP,
            /** Answers normally after the delay. */
            DELAY
        }

        /**
         * Answers {@code status} with a Twirp error.
         *
         * @param status the HTTP status
         * @return the failure
         */
        public static Failure answering(int status) {
            return new Failure(Kind.STATUS, status, Duration.ZERO);
        }

        /**
         * Closes the connection without answering.
         *
         * @return the failure
         */
        public static Failure droppedConnection() {
            return new Failure(Kind.DROP, 0, Duration.ZERO);
        }

        /**
         * Carries the request out, then closes the connection without answering.
         *
         * @return the failure
         */
        public static Failure lostAnswer() {
            return new Failure(Kind.PROCESS_THEN_DROP, 0, Duration.ZERO);
        }

        /**
         * Answers normally after {@code delay}.
         *
         * @param delay how long to hold the answer
         * @return the failure
         */
        public static Failure delayedBy(Duration delay) {
            return new Failure(Kind.DELAY, 0, delay);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case STATUS -> "HTTP " + status;
                case DROP -> "dropped connection";
                case PROCESS_THEN_DROP -> "lost answer";
                case DELAY -> "answer delayed by " + delay;
            };
        }
    }

    /**
     * One call the server received.
     *
     * @param endpoint what was called
     * @param request the parsed request body
     * @param videoGrant the {@code video} claim of the caller's token
     * @param answer the HTTP status answered, or -1 when the connection was dropped
     */
    public record Request(Endpoint endpoint, Message request, Map<String, Object> videoGrant, int answer) {
        /**
         * The room the request names.
         *
         * @return the room, or null for {@link Endpoint#LIST_ROOMS}
         */
        public @Nullable String room() {
            return roomOf(request);
        }
    }

    private record Script(Endpoint endpoint, @Nullable String room, Failure failure, boolean once) {}

    private final HttpServer http;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fake-livekit");
        thread.setDaemon(true);
        return thread;
    });
    private final CountDownLatch closing = new CountDownLatch(1);

    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private final Map<String, List<ParticipantInfo>> participants = new LinkedHashMap<>();
    private final Map<String, List<AgentDispatch>> dispatches = new LinkedHashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<String> authFailures = new ArrayList<>();
    private final List<Script> scripts = new ArrayList<>();
    private final Map<Endpoint, Runnable> nextHooks = new LinkedHashMap<>();
    private int dispatchCounter;
    private boolean agentsJoin;

    private FakeLiveKitServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", this::handle);
        http.setExecutor(threads);
    }

    /**
     * Starts a server on an ephemeral port of 127.0.0.1.
     *
     * @return the started server
     */
    public static FakeLiveKitServer start() {
        try {
            FakeLiveKitServer server = new FakeLiveKitServer();
            server.http.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The base URL clients are given.
     *
     * @return {@code http://127.0.0.1:<port>}
     */
    public String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /**
     * The credentials the server accepts.
     *
     * @return {@link #API_KEY} and {@link #API_SECRET}
     */
    public LiveKitCredentials credentials() {
        return new LiveKitCredentials(API_KEY, API_SECRET);
    }

    /** Stops the server; answers held back by a scripted delay are dropped. */
    @Override
    public void close() {
        closing.countDown();
        http.stop(0);
        threads.shutdownNow();
    }

    // ---- state ----------------------------------------------------------------------------------------------

    /**
     * Adds a room, as LiveKit does when someone first connects to it.
     *
     * @param name the room's name
     * @param sid its LiveKit id
     */
    public synchronized void addRoom(String name, String sid) {
        rooms.put(name, Room.newBuilder().setName(name).setSid(sid).build());
        participants.putIfAbsent(name, new ArrayList<>());
    }

    /**
     * Removes the room with its participants and dispatches, as LiveKit does when a room finishes.
     *
     * @param name the room's name
     */
    public synchronized void removeRoom(String name) {
        rooms.remove(name);
        participants.remove(name);
        dispatches.remove(name);
    }

    /**
     * Adds a participant to a room that exists.
     *
     * @param room the room's name
     * @param participant who joins
     */
    public synchronized void addParticipant(String room, ParticipantInfo participant) {
        if (!rooms.containsKey(room)) {
            throw new IllegalStateException("no room " + room);
        }
        participants.get(room).add(participant);
    }

    /**
     * Removes a participant, if present.
     *
     * @param room the room's name
     * @param identity the participant's identity
     */
    public synchronized void removeParticipant(String room, String identity) {
        participants.getOrDefault(room, new ArrayList<>()).removeIf(p -> p.getIdentity().equals(identity));
    }

    /**
     * The participants of a room.
     *
     * @param room the room's name
     * @return its participants, none when it does not exist
     */
    public synchronized List<ParticipantInfo> participants(String room) {
        return List.copyOf(participants.getOrDefault(room, List.of()));
    }

    /**
     * Adds a dispatch as if someone had created it.
     *
     * @param room the room's name
     * @param agentName the agent it dispatches
     * @param metadata its metadata
     * @return the dispatch with its generated id
     */
    public synchronized AgentDispatch addDispatch(String room, String agentName, String metadata) {
        AgentDispatch dispatch = AgentDispatch.newBuilder()
                .setId("AD_" + (++dispatchCounter))
                .setRoom(room)
                .setAgentName(agentName)
                .setMetadata(metadata)
                .build();
        dispatches.computeIfAbsent(room, r -> new ArrayList<>()).add(dispatch);
        if (agentsJoin) {
            rooms.putIfAbsent(room, Room.newBuilder().setName(room).setSid("RM_" + room).build());
            participants.computeIfAbsent(room, r -> new ArrayList<>()).add(ParticipantInfo.newBuilder()
                    .setSid("PA_" + dispatch.getId())
                    .setIdentity(agentIdentity(dispatch.getId()))
                    .setKind(ParticipantInfo.Kind.AGENT)
                    .setState(ParticipantInfo.State.ACTIVE)
                    .putAttributes(AGENT_NAME_ATTRIBUTE, agentName)
                    .build());
        }
        return dispatch;
    }

    /**
     * Removes a dispatch, if present, and the agent it made join.
     *
     * @param room the room's name
     * @param dispatchId the dispatch's id
     */
    public synchronized void removeDispatch(String room, String dispatchId) {
        dispatches.getOrDefault(room, new ArrayList<>()).removeIf(d -> d.getId().equals(dispatchId));
        removeParticipant(room, agentIdentity(dispatchId));
    }

    /**
     * Whether a dispatch created from now on (by {@code CreateDispatch} or {@link #addDispatch}) makes its agent join
     * the room at once, as a LiveKit agent worker would: the room is created if needed, and a participant of kind
     * {@code AGENT} with identity {@code agent-<dispatch id>} and attribute {@code lk.agent_name} joins it; deleting
     * the dispatch removes that participant again. Off by default.
     *
     * @param join whether dispatched agents join
     */
    public synchronized void agentsJoinOnDispatch(boolean join) {
        agentsJoin = join;
    }

    /**
     * The agent participant a dispatch made join (see {@link #agentsJoinOnDispatch}).
     *
     * @param dispatchId the dispatch's id
     * @return its identity
     */
    public static String agentIdentity(String dispatchId) {
        return "agent-" + dispatchId;
    }

    /**
     * The dispatches of a room.
     *
     * @param room the room's name
     * @return its dispatches
     */
    public synchronized List<AgentDispatch> dispatches(String room) {
        return List.copyOf(dispatches.getOrDefault(room, List.of()));
    }

    // ---- scripting and recording ------------------------------------------------------------------------------

    /**
     * Makes every call of {@code endpoint} fail as {@code failure} until {@link #recover()}.
     *
     * @param endpoint the endpoint
     * @param failure how it fails
     */
    public synchronized void fail(Endpoint endpoint, Failure failure) {
        scripts.add(new Script(endpoint, null, failure, false));
    }

    /**
     * Makes only the next call of {@code endpoint} fail as {@code failure}.
     *
     * @param endpoint the endpoint
     * @param failure how it fails
     */
    public synchronized void failNext(Endpoint endpoint, Failure failure) {
        scripts.add(new Script(endpoint, null, failure, true));
    }

    /**
     * Makes calls of {@code endpoint} that name {@code room} fail as {@code failure} until {@link #recover()}.
     *
     * @param endpoint the endpoint
     * @param room the room whose calls fail
     * @param failure how they fail
     */
    public synchronized void fail(Endpoint endpoint, String room, Failure failure) {
        scripts.add(new Script(endpoint, room, failure, false));
    }

    /** Clears every scripted failure. */
    public synchronized void recover() {
        scripts.clear();
    }

    /**
     * Runs {@code hook} once, on the server's thread, just before the next call of {@code endpoint} is answered.
     *
     * @param endpoint the endpoint
     * @param hook what to run
     */
    public synchronized void beforeNext(Endpoint endpoint, Runnable hook) {
        nextHooks.put(endpoint, hook);
    }

    /**
     * Every call received so far.
     *
     * @return the calls, oldest first
     */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /**
     * The calls of one endpoint received so far.
     *
     * @param endpoint the endpoint
     * @return its calls, oldest first
     */
    public synchronized List<Request> requests(Endpoint endpoint) {
        return requests.stream().filter(r -> r.endpoint() == endpoint).toList();
    }

    /**
     * How many calls of one endpoint were received.
     *
     * @param endpoint the endpoint
     * @return the number of calls
     */
    public synchronized int count(Endpoint endpoint) {
        return requests(endpoint).size();
    }

    /**
     * Calls rejected for a missing or invalid token.
     *
     * @return each with the reason
     */
    public synchronized List<String> authFailures() {
        return List.copyOf(authFailures);
    }

    // ---- protocol ---------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Optional<Endpoint> endpoint = Endpoint.ofPath(exchange.getRequestURI().getPath());
            if (!"POST".equals(exchange.getRequestMethod()) || endpoint.isEmpty()) {
                twirpError(exchange, 404, "bad_route", "no handler for " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath());
                return;
            }
            Map<String, Object> grant;
            try {
                grant = authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
            } catch (JWTVerificationException | IllegalArgumentException e) {
                synchronized (this) {
                    authFailures.add(endpoint.get() + ": " + e.getMessage());
                }
                twirpError(exchange, 401, "unauthenticated", e.getMessage());
                return;
            }
            Message request;
            try {
                request = endpoint.get().parse(body);
            } catch (InvalidProtocolBufferException e) {
                twirpError(exchange, 400, "malformed", "cannot parse request: " + e.getMessage());
                return;
            }
            answer(exchange, endpoint.get(), request, grant);
        }
    }

    private static Map<String, Object> authenticate(@Nullable String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            throw new IllegalArgumentException("Authorization header must be 'Bearer <token>', was " + header);
        }
        DecodedJWT jwt = JWT.require(Algorithm.HMAC256(API_SECRET))
                .withIssuer(API_KEY)
                .acceptLeeway(5)
                .build()
                .verify(header.substring("Bearer ".length()));
        Map<String, Object> video = jwt.getClaim("video").asMap();
        return video == null ? Map.of() : video;
    }

    private void answer(HttpExchange exchange, Endpoint endpoint, Message request, Map<String, Object> grant)
            throws IOException {
        Runnable hook;
        Failure failure;
        synchronized (this) {
            hook = nextHooks.remove(endpoint);
            failure = scriptedFailure(endpoint, roomOf(request));
        }
        if (hook != null) {
            hook.run();
        }
        if (failure != null && failure.kind() == Failure.Kind.DROP) {
            record(endpoint, request, grant, -1);
            return;
        }
        if (failure != null && failure.kind() == Failure.Kind.STATUS) {
            record(endpoint, request, grant, failure.status());
            twirpError(exchange, failure.status(), twirpCode(failure.status()), "scripted failure");
            return;
        }
        if (failure != null && failure.kind() == Failure.Kind.PROCESS_THEN_DROP) {
            synchronized (this) {
                reply(endpoint, request);
                requests.add(new Request(endpoint, request, grant, -1));
            }
            return;
        }
        if (failure != null) {
            try {
                if (closing.await(failure.delay().toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Reply reply;
        synchronized (this) {
            reply = reply(endpoint, request);
            requests.add(new Request(endpoint, request, grant, reply.status()));
        }
        if (reply.message() != null) {
            protobuf(exchange, reply.message());
        } else {
            twirpError(exchange, reply.status(), twirpCode(reply.status()), reply.error());
        }
    }

    private synchronized void record(Endpoint endpoint, Message request, Map<String, Object> grant, int answer) {
        requests.add(new Request(endpoint, request, grant, answer));
    }

    private @Nullable Failure scriptedFailure(Endpoint endpoint, @Nullable String room) {
        for (Script script : scripts) {
            if (script.endpoint() == endpoint && (script.room() == null || script.room().equals(room))) {
                if (script.once()) {
                    scripts.remove(script);
                }
                return script.failure();
            }
        }
        return null;
    }

    private record Reply(int status, @Nullable Message message, String error) {
        static Reply ok(Message message) {
            return new Reply(200, message, "");
        }

        static Reply notFound(String error) {
            return new Reply(404, null, error);
        }
    }

    private Reply reply(Endpoint endpoint, Message request) {
        switch (endpoint) {
            case LIST_ROOMS -> {
                List<String> names = ((ListRoomsRequest) request).getNamesList();
                return Reply.ok(ListRoomsResponse.newBuilder()
                        .addAllRooms(rooms.values().stream()
                                .filter(room -> names.isEmpty() || names.contains(room.getName()))
                                .toList())
                        .build());
            }
            case LIST_PARTICIPANTS -> {
                String room = ((ListParticipantsRequest) request).getRoom();
                if (!rooms.containsKey(room)) {
                    return Reply.notFound("requested room does not exist");
                }
                return Reply.ok(ListParticipantsResponse.newBuilder()
                        .addAllParticipants(participants.get(room))
                        .build());
            }
            case REMOVE_PARTICIPANT -> {
                RoomParticipantIdentity target = (RoomParticipantIdentity) request;
                List<ParticipantInfo> present = participants.get(target.getRoom());
                if (present == null || !present.removeIf(p -> p.getIdentity().equals(target.getIdentity()))) {
                    return Reply.notFound("participant not found");
                }
                return Reply.ok(RemoveParticipantResponse.getDefaultInstance());
            }
            case CREATE_DISPATCH -> {
                CreateAgentDispatchRequest create = (CreateAgentDispatchRequest) request;
                return Reply.ok(addDispatch(create.getRoom(), create.getAgentName(), create.getMetadata()));
            }
            case LIST_DISPATCH -> {
                ListAgentDispatchRequest list = (ListAgentDispatchRequest) request;
                return Reply.ok(ListAgentDispatchResponse.newBuilder()
                        .addAllAgentDispatches(dispatches.getOrDefault(list.getRoom(), List.of()).stream()
                                .filter(d -> list.getDispatchId().isEmpty() || d.getId().equals(list.getDispatchId()))
                                .toList())
                        .build());
            }
            case DELETE_DISPATCH -> {
                DeleteAgentDispatchRequest delete = (DeleteAgentDispatchRequest) request;
                List<AgentDispatch> present = dispatches.getOrDefault(delete.getRoom(), new ArrayList<>());
                for (AgentDispatch dispatch : present) {
                    if (dispatch.getId().equals(delete.getDispatchId())) {
                        present.remove(dispatch);
                        removeParticipant(delete.getRoom(), agentIdentity(dispatch.getId()));
                        return Reply.ok(dispatch);
                    }
                }
                return Reply.notFound("dispatch not found");
            }
            default -> throw new AssertionError(endpoint);
        }
    }

    private static @Nullable String roomOf(Message request) {
        if (request instanceof ListParticipantsRequest r) {
            return r.getRoom();
        }
        if (request instanceof RoomParticipantIdentity r) {
            return r.getRoom();
        }
        if (request instanceof CreateAgentDispatchRequest r) {
            return r.getRoom();
        }
        if (request instanceof ListAgentDispatchRequest r) {
            return r.getRoom();
        }
        if (request instanceof DeleteAgentDispatchRequest r) {
            return r.getRoom();
        }
        return null;
    }

    private static String twirpCode(int status) {
        return switch (status) {
            case 400 -> "invalid_argument";
            case 401 -> "unauthenticated";
            case 403 -> "permission_denied";
            case 404 -> "not_found";
            case 503 -> "unavailable";
            default -> "internal";
        };
    }

    private static void protobuf(HttpExchange exchange, Message message) throws IOException {
        send(exchange, 200, "application/protobuf", message.toByteArray());
    }

    private static void twirpError(HttpExchange exchange, int status, String code, String msg) throws IOException {
        String json = "{\"code\":\"" + code + "\",\"msg\":\"" + msg.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"}";
        send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
