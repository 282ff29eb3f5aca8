package io.github.agentlifecycle.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a running example server at about {@code keep} open rooms while something else opens new ones: every
 * {@code period} milliseconds it lists the rooms through the admin API and closes all but the {@code keep} newest
 * (each close sent without waiting for the answer). Runs until the process is stopped and then prints how many
 * rooms it closed. Used with {@code benchmarks/wrk/token-load.lua} so that agents keep starting and stopping without
 * reaching the agent cap.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.RoomCloser \
 *     http://127.0.0.1:3001/api/livekit $ADMIN_TOKEN 20 20</pre>
 */
public final class RoomCloser {
    /** How long one request may take before it counts as failed. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private RoomCloser() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: RoomCloser <api url> <admin token> <rooms to keep> <period ms>");
            System.exit(2);
        }
        String api = args[0];
        String bearer = "Bearer " + args[1];
        int keep = Integer.parseInt(args[2]);
        long period = Long.parseLong(args[3]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ObjectMapper json = new ObjectMapper();
        AtomicInteger closed = new AtomicInteger();
        Set<String> asked = new HashSet<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("rooms closed: " + closed.get())));
        while (true) {
            Thread.sleep(period);
            List<JsonNode> open = new ArrayList<>();
            try {
                HttpResponse<String> rooms = client.send(HttpRequest.newBuilder(URI.create(api + "/rooms"))
                        .timeout(REQUEST_TIMEOUT)
                        .header("Authorization", bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
                json.readTree(rooms.body()).path("data").path("rooms").forEach(open::add);
            } catch (IOException e) {
                continue;
            }
            open.removeIf(room -> room.path("state").asText().equals("closing"));
            open.sort(Comparator.comparing(room -> Instant.parse(room.path("createdAt").asText())));
            Set<String> listed = new HashSet<>();
            for (int i = 0; i < open.size(); i++) {
                String name = open.get(i).path("roomName").asText();
                listed.add(name);
                if (i < open.size() - keep && asked.add(name)) {
                    client.sendAsync(HttpRequest.newBuilder(URI.create(api + "/rooms/"
                                    + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/close"))
                            .timeout(REQUEST_TIMEOUT)
                            .header("Authorization", bearer).POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.discarding())
                            .thenRun(closed::incrementAndGet);
                }
            }
            asked.retainAll(listed);
        }
    }
}
