package io.github.agentlifecycle.postgres.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster in a fresh temporary directory, run with the binaries of Debian's {@code postgresql}
 * package (the newest version under {@code /usr/lib/postgresql}). PostgreSQL refuses to run as root, so as root the
 * binaries run as the {@code postgres} user (through {@code runuser}) and the directory is given to that user. The
 * server listens on 127.0.0.1 on a free port, trusts every connection and trades durability for speed. Not
 * thread-safe; {@link PostgresServer} guards it.
 */
final class PrivateCluster {
    private static final Path VERSIONS = Path.of("/usr/lib/postgresql");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    private final Path bin;
    private final boolean asPostgres;
    private final Path root;
    private final Path data;
    private final Path log;
    private int port;
    private boolean running;
    private boolean destroyed;

    private PrivateCluster(Path bin, boolean asPostgres, Path root) {
        this.bin = bin;
        this.asPostgres = asPostgres;
        this.root = root;
        this.data = root.resolve("data");
        this.log = root.resolve("commands.log");
    }

    /** The {@code bin} directory of the newest PostgreSQL installed, if any. */
    static Optional<Path> binaries() {
        if (!Files.isDirectory(VERSIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(VERSIONS)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(dir -> Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl")))
                    .max(Comparator.comparing(dir -> versionNumber(dir.getParent().getFileName().toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates and starts a cluster from {@code bin}, with user {@code user} trusted. */
    static PrivateCluster create(Path bin, String user) throws IOException, InterruptedException {
        boolean asPostgres = "0".equals(output(List.of("id", "-u")).trim());
        Path root = Files.createTempDirectory("agent-lifecycle-pg-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (asPostgres) {
            UserPrincipalLookupService users = root.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView owner = Files.getFileAttributeView(root, PosixFileAttributeView.class);
            owner.setOwner(users.lookupPrincipalByName("postgres"));
            GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
            owner.setGroup(group);
        }
        PrivateCluster cluster = new PrivateCluster(bin, asPostgres, root);
        try {
            cluster.run("initdb", "-D", cluster.data.toString(), "-U", user, "-A", "trust", "-E", "UTF8",
                    "--locale=C", "--no-sync");
            cluster.start();
            return cluster;
        } catch (IOException | RuntimeException | InterruptedException e) {
            cluster.destroy();
            throw e;
        }
    }

    int port() {
        return port;
    }

    boolean running() {
        return running;
    }

    /** Starts the server, on its old port if it had one, else on a free one (trying a few if one is taken). */
    void start() throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int candidate = port != 0 ? port : freePort();
            try {
                run("pg_ctl", "-w", "-t", "60", "-D", data.toString(), "-l", root.resolve("server.log").toString(),
                        "-o", "-p " + candidate + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=off"
                                + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                        "start");
                port = candidate;
                running = true;
                return;
            } catch (IOException e) {
                last = e;
                if (port != 0) {
                    break;
                }
            }
        }
        throw last;
    }

    /** Stops the server, cutting its connections: {@code fast} keeps what was committed, {@code immediate} need not. */
    void stop(String mode) throws IOException, InterruptedException {
        if (running) {
            run("pg_ctl", "-w", "-D", data.toString(), "-m", mode, "stop");
            running = false;
        }
    }

    /** Stops the server if it runs and deletes its directory, ignoring failures. */
    void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        try {
            stop("immediate");
        } catch (IOException | RuntimeException e) {
            System.err.println("agent-lifecycle-postgres tests: could not stop the private server: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("agent-lifecycle-postgres tests: could not delete " + root + ": " + e.getMessage());
        }
    }

    private void run(String program, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asPostgres) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(program + " did not finish within " + COMMAND_TIMEOUT + "; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IOException(program + " failed with exit code " + process.exitValue() + ": " + tail());
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static String output(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static double versionNumber(String name) {
        try {
            return Double.parseDouble(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
