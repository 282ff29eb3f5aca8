package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Three example-server processes sharing one PostgreSQL database, with real agent processes: requests spread over
 * the replicas, a leave on another replica than the agent's host, and a replica killed with SIGKILL while people
 * are in its rooms. Throughout, a census of the machine's processes checks that no room ever has two agent
 * processes.
 */
@EnabledOnOs(OS.LINUX)
class ReplicasIT {
    private static final LiveKitCredentials CREDENTIALS =
            new LiveKitCredentials("APIreplicasKey", "replicas-secret-0123456789");
    private static final String ADMIN_TOKEN = "replicas-admin-token-0123456789";
    private static final Duration GRACE = Duration.ofMillis(3000);
    private static final Duration LEASE = Duration.ofMillis(4000);
    /** How late after its grace deadline an agent whose room expired on another replica may still run. */
    private static final Duration STOP_BOUND = Duration.ofMillis(2000);
    /** How long after its lease ends a dead replica's occupied rooms may wait for a new agent. */
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(6);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int ROOMS = 6;
    private static final int REPLICAS = 3;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String run = Long.toString(System.nanoTime(), 36);
    /** In every agent's command line: the example tests' marker and this run's own. */
    private final String marker = ExampleServer.AGENT_MARKER + "-replicas-" + run;

    @TempDir
    Path temp;

    @Test
    void threeReplicasKeepOneAgentPerRoomThroughCrossReplicaGraceAndACrash() throws Exception {
        long began = System.nanoTime();
        PostgresServer.Database database = PostgresServer.shared().newDatabase();
        List<ExampleServer> servers = new ArrayList<>();
        AgentCensus census = new AgentCensus(marker).start();
        boolean passed = false;
        try {
            int[] ports = new int[REPLICAS];
            for (int r = 0; r < REPLICAS; r++) {
                ports[r] = ExampleServer.freePort();
                servers.add(ExampleServer.run(environment(r, ports[r], database)));
            }
            for (ExampleServer server : servers) {
                server.awaitLine(line -> line.startsWith("agent-lifecycle example server listening on"), WAIT);
            }
            ExampleApi[] api = new ExampleApi[REPLICAS];
            for (int r = 0; r < REPLICAS; r++) {
                api[r] = new ExampleApi(ports[r], ADMIN_TOKEN, CREDENTIALS);
            }
            System.out.printf("ReplicasIT: database and 3 replicas up after %d ms%n", millisSince(began));

            // Token requests on round-robin replicas: each room's agent starts on the replica asked first.
            List<String> rooms = new ArrayList<>();
            for (int i = 0; i < ROOMS; i++) {
                String room = "replicas-" + run + "-room-" + i;
                rooms.add(room);
                assertThat(api[i % REPLICAS].token(room, "person-" + i).path("agent").path("status").asText())
                        .as("first token for %s", room).isEqualTo("launched");
            }
            // More people ask for the same rooms on the other replicas at once: no second agent.
            List<CompletableFuture<JsonNode>> more = new ArrayList<>();
            for (int i = 0; i < ROOMS; i++) {
                for (int r = 1; r < REPLICAS; r++) {
                    ExampleApi other = api[(i + r) % REPLICAS];
                    String room = rooms.get(i);
                    String identity = "guest-" + i + "-" + r;
                    more.add(CompletableFuture.supplyAsync(() -> other.token(room, identity)));
                }
            }
            for (CompletableFuture<JsonNode> answer : more) {
                assertThat(answer.join().path("agent").path("status").asText()).isNotEqualTo("launched");
            }
            Map<String, Long> agentOf = new HashMap<>();
            for (int i = 0; i < ROOMS; i++) {
                String room = rooms.get(i);
                ExampleServer host = servers.get(i % REPLICAS);
                Poll.until(WAIT, () -> census.of(room).size() == 1, () -> room + ": " + census.of(room));
                long pid = census.of(room).get(0).pid();
                assertThat(host.agentPids()).as("agents of replica %d", i % REPLICAS).contains(pid);
                agentOf.put(room, pid);
            }

            // A person joins each room through another replica than the token's, the agent through the third.
            Map<String, WebhookEvents> events = new HashMap<>();
            Map<String, String> person = new HashMap<>();
            for (int i = 0; i < ROOMS; i++) {
                String room = rooms.get(i);
                WebhookEvents roomEvents = new WebhookEvents(room, Clock.systemUTC());
                events.put(room, roomEvents);
                person.put(room, roomEvents.newSessionId());
                assertThat(api[(i + 1) % REPLICAS].webhook(roomEvents.participantJoined(person.get(room),
                        "person-" + i, "STANDARD")).path("outcome").asText()).isEqualTo("applied");
                String identity = api[(i + 2) % REPLICAS].room(room).orElseThrow().path("agentIdentity").asText();
                assertThat(api[(i + 2) % REPLICAS].webhook(roomEvents.participantJoined(roomEvents.newSessionId(),
                        identity, "AGENT")).path("outcome").asText()).isEqualTo("applied");
            }
            for (String room : rooms) {
                for (ExampleApi replica : api) {
                    JsonNode view = replica.room(room).orElseThrow();
                    assertThat(view.path("state").asText()).as("%s", view).isEqualTo("active");
                    assertThat(view.path("agentState").asText()).as("%s", view).isEqualTo("ready");
                    assertThat(view.path("humanCount").asInt()).as("%s", view).isEqualTo(1);
                }
            }

            // The last person leaves room 1 (agent on replica 1) through replica 2, and room 2 (agent on replica
            // 2) through replica 0: each agent stays for the grace period and goes soon after.
            Map<String, Long> leaveSent = new LinkedHashMap<>();
            for (int i : new int[] {1, 2}) {
                String room = rooms.get(i);
                leaveSent.put(room, System.nanoTime());
                assertThat(api[(i + 1) % REPLICAS].webhook(events.get(room).participantLeft(person.get(room),
                        "person-" + i, "STANDARD")).path("outcome").asText()).isEqualTo("applied");
            }
            Map<String, Long> goneAt = new HashMap<>();
            long graceNanos = GRACE.toNanos();
            long latestDeadline = leaveSent.values().stream().mapToLong(t -> t + graceNanos).max().orElseThrow();
            Poll.until(GRACE.plus(STOP_BOUND).plus(WAIT), () -> {
                long now = System.nanoTime();
                for (Map.Entry<String, Long> leave : leaveSent.entrySet()) {
                    String room = leave.getKey();
                    if (goneAt.containsKey(room)) {
                        continue;
                    }
                    if (!alive(agentOf.get(room))) {
                        assertThat(now - (leave.getValue() + graceNanos))
                                .as("%s: agent gone %d ms before its grace period ended", room,
                                        (leave.getValue() + graceNanos - now) / 1_000_000).isGreaterThanOrEqualTo(0);
                        goneAt.put(room, now);
                    }
                }
                return goneAt.size() == leaveSent.size();
            }, () -> "agents still running " + (System.nanoTime() - latestDeadline) / 1_000_000
                    + " ms after the grace period: " + census.byRoom());
            for (Map.Entry<String, Long> leave : leaveSent.entrySet()) {
                long late = goneAt.get(leave.getKey()) - (leave.getValue() + graceNanos);
                System.out.printf("ReplicasIT: %s: agent gone %d ms after the grace deadline (leave on another"
                        + " replica than its host)%n", leave.getKey(), late / 1_000_000);
                assertThat(Duration.ofNanos(late)).isLessThanOrEqualTo(STOP_BOUND);
                assertThat(census.of(leave.getKey())).isEmpty();
                Poll.until(WAIT, () -> api[0].room(leave.getKey()).isEmpty(), () -> leave.getKey() + " still open");
            }

            // Replica 0 is killed while people are in its rooms 0 and 3. Its agents exit on their stdin's end, and
            // a live replica starts new ones once its lease has ended.
            ExampleServer crashed = servers.get(0);
            Set<Long> orphans = crashed.agentPids();
            assertThat(orphans).containsExactlyInAnyOrder(agentOf.get(rooms.get(0)), agentOf.get(rooms.get(3)));
            long killed = System.nanoTime();
            crashed.process().destroyForcibly();
            assertThat(crashed.process().waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Poll.until(Duration.ofSeconds(5), () -> orphans.stream().noneMatch(ReplicasIT::alive),
                    () -> "agents of the killed replica still alive: " + orphans.stream().filter(ReplicasIT::alive)
                            .toList());
            System.out.printf("ReplicasIT: the killed replica's %d agents exited %d ms after the kill%n",
                    orphans.size(), millisSince(killed));
            Map<String, Long> replacedAt = new TreeMap<>();
            List<String> crashedRooms = List.of(rooms.get(0), rooms.get(3));
            Poll.until(LEASE.plus(TAKEOVER_BOUND), () -> {
                for (String room : crashedRooms) {
                    if (!replacedAt.containsKey(room) && census.of(room).size() == 1) {
                        replacedAt.put(room, System.nanoTime());
                    }
                }
                return replacedAt.size() == crashedRooms.size();
            }, () -> "rooms without a new agent " + (System.nanoTime() - killed) / 1_000_000 + " ms after the kill: "
                    + census.byRoom());
            replacedAt.forEach((room, at) -> System.out.printf(
                    "ReplicasIT: %s: new agent process %d ms after the kill (lease %d ms)%n", room,
                    (at - killed) / 1_000_000, LEASE.toMillis()));
            List<ExampleServer> live = servers.subList(1, REPLICAS);
            for (String room : crashedRooms) {
                List<AgentCensus.Agent> now = census.of(room);
                assertThat(now).hasSize(1);
                long pid = now.get(0).pid();
                assertThat(orphans).doesNotContain(pid);
                assertThat(live.stream().anyMatch(server -> server.agentPids().contains(pid)))
                        .as("%s's new agent %d runs under a live replica", room, pid).isTrue();
            }
            // The new agents join their rooms (through the replica that does not host them, where it can).
            for (String room : crashedRooms) {
                JsonNode view = api[1].room(room).orElseThrow();
                WebhookEvents roomEvents = events.get(room);
                api[2].webhook(roomEvents.participantJoined(roomEvents.newSessionId(),
                        view.path("agentIdentity").asText(), "AGENT"));
            }
            Poll.until(WAIT, () -> roomsView(ports[1]).values().stream()
                            .allMatch(room -> room.startsWith("active humans=1 hasAgent=true agentState=ready"))
                            && roomsView(ports[1]).equals(roomsView(ports[2]))
                            && statsView(ports[1]).equals(statsView(ports[2])),
                    () -> "replicas 1 and 2 disagree, or an agent is not ready:\n" + roomsView(ports[1]) + "\n"
                            + roomsView(ports[2]) + "\n" + statsView(ports[1]) + "\n" + statsView(ports[2]));
            Map<String, String> view = roomsView(ports[1]);
            System.out.println("ReplicasIT: /rooms on replicas 1 and 2: " + view);
            assertThat(view.keySet()).containsExactlyInAnyOrder(rooms.get(0), rooms.get(3), rooms.get(4),
                    rooms.get(5));
            assertThat(statsView(ports[1])).containsEntry("totalRooms", 4L).containsEntry("activeRooms", 4L)
                    .containsEntry("totalAgents", 4L).containsEntry("totalHumans", 4L);
            assertThat(census.byRoom().keySet()).isEqualTo(view.keySet());
            census.byRoom().values().forEach(agents -> assertThat(agents).hasSize(1));

            // Close every room through one replica; every agent goes, then the live replicas shut down.
            for (String room : view.keySet()) {
                api[2].close(room);
            }
            Poll.until(WAIT, () -> census.agents().isEmpty(), () -> "agents left: " + census.byRoom());
            for (ExampleServer server : live) {
                assertThat(server.terminate(WAIT)).as("exit status").isNotEqualTo(-1);
            }
            passed = true;
        } finally {
            census.close();
            for (ExampleServer server : servers) {
                server.close();
            }
            if (!passed) {
                for (int r = 0; r < servers.size(); r++) {
                    List<String> out = servers.get(r).out();
                    System.out.println("--- replica " + r + ", last lines of its output:\n" + String.join("\n",
                            out.subList(Math.max(0, out.size() - 60), out.size())) + "\n--- its stderr:\n"
                            + String.join("\n", servers.get(r).err()));
                }
            }
            List<AgentCensus.Agent> left = census.agents();
            left.forEach(agent -> ProcessHandle.of(agent.pid()).ifPresent(ProcessHandle::destroyForcibly));
            System.out.printf("ReplicasIT: %d census samples, %d with a room holding two agents; %d ms in all%n",
                    census.samples(), census.duplicates().size(), millisSince(began));
            if (passed) {
                assertThat(left).as("agent processes left behind").isEmpty();
            }
        }
        assertThat(census.duplicates()).as("samples with two agent processes in one room").isEmpty();
        assertThat(census.samples()).isGreaterThan(100);
    }

    private Map<String, String> environment(int replica, int port, PostgresServer.Database database)
            throws IOException {
        Path state = Files.createDirectory(temp.resolve("replica-" + replica),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("LIVEKIT_API_KEY", CREDENTIALS.apiKey());
        env.put("LIVEKIT_API_SECRET", CREDENTIALS.apiSecret());
        // Waits for its stdin to close; stopped by SIGTERM or stdin's end (its host replica died).
        env.put("AGENT_COMMAND", "sh -c ': " + marker + "; while read -r line; do :; done'");
        env.put("GRACE_PERIOD_MS", Long.toString(GRACE.toMillis()));
        env.put("AGENT_STOP_TIMEOUT_MS", "3000");
        env.put("AGENT_STATE_DIR", state.toString());
        env.put("DATABASE_URL", database.jdbcUrl());
        DataSource source = database.dataSource();
        if (source instanceof PGSimpleDataSource pg) {
            if (pg.getUser() != null) {
                env.put("DATABASE_USER", pg.getUser());
            }
            if (pg.getPassword() != null) {
                env.put("DATABASE_PASSWORD", pg.getPassword());
            }
        }
        env.put("REPLICA_ID", "replica-" + replica);
        env.put("REPLICA_LEASE_MS", Long.toString(LEASE.toMillis()));
        return env;
    }

    /** {@code GET /rooms} on one replica: each room's state, humans and agent, by name. */
    private Map<String, String> roomsView(int port) {
        Map<String, String> view = new TreeMap<>();
        for (JsonNode room : admin(port, "/rooms").path("rooms")) {
            view.put(room.path("roomName").asText(), room.path("state").asText() + " humans="
                    + room.path("humanCount").asInt() + " hasAgent=" + room.path("hasAgent").asBoolean()
                    + " agentState=" + room.path("agentState").asText() + " agent=" + room.path("agentIdentity")
                    .asText() + " participants=" + room.path("participantCount").asInt());
        }
        return view;
    }

    /** {@code GET /stats} on one replica: the room and agent totals. */
    private Map<String, Long> statsView(int port) {
        JsonNode stats = admin(port, "/stats");
        return List.of("totalRooms", "activeRooms", "roomsInGrace", "startingRooms", "totalAgents", "readyAgents",
                "queuedRooms", "failedAgents", "totalParticipants", "totalHumans").stream()
                .collect(Collectors.toMap(name -> name, name -> stats.path(name).asLong(), (a, b) -> a, TreeMap::new));
    }

    private JsonNode admin(int port, String path) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/livekit" + path))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = json.readTree(response.body());
            assertThat(response.statusCode()).as("GET %s: %s", path, body).isEqualTo(200);
            return body.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean alive(long pid) {
        return AgentCensus.running(pid);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
