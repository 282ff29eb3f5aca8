package io.github.agentlifecycle.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import livekit.LivekitRoom.ListParticipantsRequest;
import livekit.LivekitRoom.ListParticipantsResponse;
import livekit.LivekitRoom.ListRoomsResponse;

/**
 * The two LiveKit room-service calls the example server makes at start and periodically (ListRooms and
 * ListParticipants, Twirp with protobuf bodies), answered from rooms the test sets up, on 127.0.0.1. Calls that
 * carry no bearer token are refused. In {@linkplain #stall() stalled} mode it accepts calls and never answers, as a
 * LiveKit that hangs would. Counts the calls it receives. Thread-safe.
 */
final class LiveKitRoomsStub implements AutoCloseable {
    private static final String SERVICE = "/twirp/livekit.RoomService/";

    private final HttpServer http;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, List<ParticipantInfo>> rooms = new LinkedHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean stalled;

    LiveKitRoomsStub() {
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.createContext(SERVICE, this::handle);
        http.setExecutor(threads);
        http.start();
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** Lists a room with these humans connected to it (none: a room with nobody in it). */
    synchronized LiveKitRoomsStub room(String name, String... humans) {
        List<ParticipantInfo> present = new ArrayList<>();
        for (String identity : humans) {
            present.add(ParticipantInfo.newBuilder()
                    .setSid("PA_" + identity)
                    .setIdentity(identity)
                    .setKind(ParticipantInfo.Kind.STANDARD)
                    .setState(ParticipantInfo.State.ACTIVE)
                    .build());
        }
        rooms.put(name, present);
        return this;
    }

    /** From now on, calls are accepted and never answered. */
    void stall() {
        stalled = true;
    }

    int calls() {
        return calls.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                send(exchange, 401, "application/json", "{\"code\":\"unauthenticated\",\"msg\":\"no token\"}"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (stalled) {
                try {
                    closing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            String method = exchange.getRequestURI().getPath().substring(SERVICE.length());
            send(exchange, 200, "application/protobuf", switch (method) {
                case "ListRooms" -> listRooms().toByteArray();
                case "ListParticipants" -> listParticipants(ListParticipantsRequest.parseFrom(body).getRoom())
                        .toByteArray();
                default -> throw new IllegalStateException("unexpected call " + method);
            });
        }
    }

    private synchronized ListRoomsResponse listRooms() {
        ListRoomsResponse.Builder response = ListRoomsResponse.newBuilder();
        rooms.keySet().forEach(name -> response.addRooms(Room.newBuilder().setName(name).setSid("RM_" + name)));
        return response.build();
    }

    private synchronized ListParticipantsResponse listParticipants(String room) {
        return ListParticipantsResponse.newBuilder().addAllParticipants(rooms.getOrDefault(room, List.of())).build();
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        http.stop(0);
        threads.shutdownNow();
    }
}
