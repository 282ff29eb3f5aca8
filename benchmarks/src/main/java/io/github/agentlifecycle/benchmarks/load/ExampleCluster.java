package io.github.agentlifecycle.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Example-server processes ({@code java -jar agent-lifecycle-example.jar}) for the replica benchmarks: {@code
 * replicas} of them on free ports with the same admin token and LiveKit credentials, each with a state directory of
 * its own, sharing one fresh database of a private PostgreSQL ({@code PostgresServer} of the postgres module's test
 * jar, which starts a throwaway cluster from Debian's binaries, or uses {@code AGENT_LIFECYCLE_TEST_JDBC_URL}), or
 * each keeping its rooms in memory. Each server's output goes to a log file whose lines {@link #log} reads back
 * with their times. {@link #close()} stops the servers (SIGTERM, then SIGKILL), kills any process they left and
 * deletes the state directories; a shutdown hook does the same if the JVM is stopped. Not thread-safe.
 */
final class ExampleCluster implements AutoCloseable {
    private static final ObjectMapper ROOMS_JSON = new ObjectMapper();
    static final String API_KEY = "APIreplicaBench";
    static final String API_SECRET = "replica-bench-secret-0123456789abcdef";
    static final String ADMIN_TOKEN = "replica-bench-admin-0123456789";
    /** An agent that runs until its stdin ends or it gets SIGTERM. */
    static final String IDLE_AGENT = "sh -c 'while read -r l; do :; done'";
    private static final Pattern LOG_TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) (.*)$");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    /** One line of a server's log, with its wall-clock time when it has one. */
    record LogLine(Instant time, String text) {}

    private final boolean shared;
    private final Path jar;
    private final Map<String, String> env;
    private final String name;
    private final List<Process> servers = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final Path root;
    private final Thread hook;
    private PostgresServer.Database database;
    private boolean closed;

    private ExampleCluster(boolean shared, Path root, Path jar, Map<String, String> env, String name) {
        this.shared = shared;
        this.root = root;
        this.jar = jar;
        this.env = new HashMap<>(env);
        this.name = name;
        this.hook = new Thread(this::stopAll, "example-cluster-clean-up");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts {@code replicas} servers from {@code jar} and waits until each answers {@code /health}; with {@code
     * shared}, on one fresh database (replica ids {@code replica-0}, ...), else each in memory. {@code env} is added
     * to every server's environment (the agent command defaults to {@link #IDLE_AGENT} unless {@code env} maps
     * {@code AGENT_COMMAND} to null, which leaves the example's sample agent).
     */
    static ExampleCluster start(Path jar, int replicas, boolean shared, Map<String, String> env, String name)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " not found; build first: mvn -B -q package -DskipTests");
        }
        ExampleCluster cluster = new ExampleCluster(shared, Files.createTempDirectory("example-cluster-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))), jar, env, name);
        try {
            if (shared) {
                cluster.database = PostgresServer.shared().newDatabase();
            }
            Files.createDirectories(Path.of("target"));
            for (int r = 0; r < replicas; r++) {
                cluster.launch(r, Map.of());
            }
            for (int r = 0; r < replicas; r++) {
                cluster.awaitHealthy(r);
            }
            return cluster;
        } catch (IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Starts one more server (the next replica id, a new port and state directory; the cluster's environment with
     * {@code overrides} on top, where null removes a variable) and waits until it answers {@code /health}; returns
     * its index.
     */
    int startReplica(Map<String, String> overrides) throws IOException, InterruptedException {
        int replica = servers.size();
        launch(replica, overrides);
        awaitHealthy(replica);
        return replica;
    }

    private void launch(int replica, Map<String, String> overrides) throws IOException {
        Path log = Path.of("target", name + "-replica-" + replica + ".log");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path state = Files.createDirectory(root.resolve("agents-" + replica),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ProcessBuilder builder = new ProcessBuilder(java(), "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("LIVEKIT_") || key.startsWith("DATABASE_")
                || key.startsWith("REPLICA_") || key.equals("ADMIN_TOKEN") || key.equals("AGENT_COMMAND"));
        env.put("PORT", Integer.toString(port));
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("LIVEKIT_API_KEY", API_KEY);
        env.put("LIVEKIT_API_SECRET", API_SECRET);
        env.put("AGENT_COMMAND", IDLE_AGENT);
        env.put("AGENT_STATE_DIR", state.toString());
        env.put("DRAIN_TIMEOUT_MS", "0");
        if (shared) {
            env.put("DATABASE_URL", database.jdbcUrl());
            DataSource source = database.dataSource();
            if (source instanceof PGSimpleDataSource pg) {
                Optional.ofNullable(pg.getUser()).ifPresent(user -> env.put("DATABASE_USER", user));
                Optional.ofNullable(pg.getPassword()).ifPresent(password -> env.put("DATABASE_PASSWORD", password));
            }
            env.put("REPLICA_ID", "replica-" + replica);
        }
        Map<String, String> extra = new HashMap<>(this.env);
        extra.putAll(overrides);
        extra.forEach((key, value) -> {
            if (value == null) {
                env.remove(key);
            } else {
                env.put(key, value);
            }
        });
        servers.add(builder.start());
        ports.add(port);
        logs.add(log);
    }

    private void awaitHealthy(int replica) throws InterruptedException, IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(api(replica) + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!servers.get(replica).isAlive()) {
                throw new IllegalStateException("replica " + replica + " exited at start; see " + logs.get(replica));
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("replica " + replica + " did not answer /health within "
                        + STARTUP_TIMEOUT + "; see " + logs.get(replica));
            }
            Thread.sleep(20);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    int size() {
        return servers.size();
    }

    String api(int replica) {
        return "http://127.0.0.1:" + ports.get(replica) + "/api/livekit";
    }

    long pid(int replica) {
        return servers.get(replica).pid();
    }

    Process process(int replica) {
        return servers.get(replica);
    }

    Path logFile(int replica) {
        return logs.get(replica);
    }

    /** A one-line description of where the rooms live. */
    String describe() {
        return servers.size() + (servers.size() == 1 ? " replica" : " replicas") + (shared
                ? " on one PostgreSQL database (" + database.jdbcUrl().replaceAll("\\?.*", "") + ")" : " in memory");
    }

    /** Sends SIGTERM to {@code replica} (the example server drains, then exits) and returns at once. */
    void terminate(int replica) {
        servers.get(replica).destroy();
    }

    /** Whether {@code replica} answers {@code GET /health/ready} with 200 (it takes new rooms). */
    boolean ready(int replica) {
        try {
            return BlockingHttp.get(api(replica) + "/health/ready", null).status() == 200;
        } catch (IOException notListening) {
            return false;
        }
    }

    /** Sends SIGKILL to {@code replica} and waits until it is gone. */
    void kill(int replica) throws InterruptedException {
        servers.get(replica).destroyForcibly().waitFor();
    }

    /**
     * The lines of {@code replica}'s log; a line without a time of its own (an agent's output, the banner) gets
     * the time of the last line before it that had one, or the epoch.
     */
    List<LogLine> log(int replica) throws IOException {
        List<LogLine> lines = new ArrayList<>();
        Instant last = Instant.EPOCH;
        ZoneId zone = ZoneId.systemDefault();
        ZonedDateTime now = ZonedDateTime.now(zone);
        for (String text : Files.readAllLines(logs.get(replica), StandardCharsets.UTF_8)) {
            Matcher matcher = LOG_TIME.matcher(text);
            if (matcher.matches()) {
                LocalTime time = LocalTime.parse(matcher.group(1));
                // The log has the time of day only: take the day that puts it nearest to now, before or at it.
                ZonedDateTime at = ZonedDateTime.of(LocalDate.now(zone), time, zone);
                if (at.isAfter(now.plusMinutes(1))) {
                    at = at.minusDays(1);
                }
                last = at.toInstant();
                lines.add(new LogLine(last, matcher.group(2)));
            } else {
                lines.add(new LogLine(last, text));
            }
        }
        return lines;
    }

    /** utime + stime in clock ticks of every replica's JVM, summed; -1 if unreadable. */
    long serverTicks() {
        long sum = 0;
        for (Process server : servers) {
            long ticks = ProcFs.ticks(server.pid());
            if (ticks < 0) {
                return -1;
            }
            sum += ticks;
        }
        return sum;
    }

    /**
     * utime + stime in clock ticks of the PostgreSQL server holding the database (its postmaster, found by its
     * port on the command line, and the postmaster's children: the backends of the replicas' connections and its
     * background processes), plus what its exited children used; -1 when rooms are in memory or it is not found
     * on this machine.
     */
    long databaseTicks() {
        if (!shared) {
            return -1;
        }
        Matcher port = Pattern.compile("//[^/:]+:(\\d+)/").matcher(database.jdbcUrl());
        if (!port.find()) {
            return -1;
        }
        long postmaster = ProcFs.find(line -> line.contains("postgres") && line.contains("-p " + port.group(1)));
        return postmaster < 0 ? -1 : ProcFs.treeTicks(postmaster);
    }

    /** Stops every server (SIGTERM, then SIGKILL after 20 s), kills what they left, deletes the directories. */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void stopAll() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> left = new ArrayList<>();
        for (Process server : servers) {
            server.descendants().forEach(left::add);
            server.toHandle().destroy();
        }
        for (Process server : servers) {
            try {
                if (!server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.destroyForcibly();
            }
        }
        left.forEach(ProcessHandle::destroyForcibly);
        killAgentsUnder(root);
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + root + ": " + e.getMessage());
        }
    }

    /** Kills processes whose environment names a state directory under {@code root} (agents of killed servers). */
    private static void killAgentsUnder(Path root) {
        Map<Long, String> marked = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String environ = new String(Files.readAllBytes(entry.resolve("environ")), StandardCharsets.UTF_8);
                    if (environ.contains(root.toString())) {
                        marked.put(Long.parseLong(name), environ);
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited, or not ours to read
                }
            }
        } catch (IOException e) {
            return;
        }
        marked.keySet().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    /** The rooms replica {@code replica} lists in {@code GET /rooms}, by name. */
    Map<String, JsonNode> rooms(int replica) {
        try {
            Map<String, JsonNode> rooms = new TreeMap<>();
            for (JsonNode room : ROOMS_JSON.readTree(BlockingHttp.getOk(api(replica) + "/rooms",
                    "Bearer " + ADMIN_TOKEN)).path("data").path("rooms")) {
                rooms.put(room.path("roomName").asText(), room);
            }
            return rooms;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls {@code condition} every 20 ms until it holds; fails naming {@code what} after {@code timeout}. */
    static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not within " + timeout + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
