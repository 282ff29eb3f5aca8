package io.github.agentlifecycle.postgres.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server for tests, never a mock. {@link #shared()} is the JVM's one server: the one named by the
 * environment variable {@code AGENT_LIFECYCLE_TEST_JDBC_URL} (with {@code AGENT_LIFECYCLE_TEST_JDBC_USER} and {@code
 * AGENT_LIFECYCLE_TEST_JDBC_PASSWORD}) if set, else a private, throwaway cluster started on first use from the
 * binaries of Debian's {@code postgresql} package and deleted when the JVM exits. {@link #startPrivate()} starts
 * another private cluster that a test may stop and start again, and must close. Each test class takes a fresh
 * database with {@link #newDatabase()}, so tests never see each other's rows.
 *
 * <p>When neither the environment variable nor the binaries are there, using a server fails with a message saying
 * what to install: the tests do not skip silently. Thread-safe.
 */
public final class PostgresServer implements AutoCloseable {
    private static final String USER = "test";
    private static final String URL_VARIABLE = "AGENT_LIFECYCLE_TEST_JDBC_URL";
    private static final String USER_VARIABLE = "AGENT_LIFECYCLE_TEST_JDBC_USER";
    private static final String PASSWORD_VARIABLE = "AGENT_LIFECYCLE_TEST_JDBC_PASSWORD";
    private static @Nullable PostgresServer shared;

    private final @Nullable PrivateCluster cluster;
    private final @Nullable String url;
    private final String user;
    private final @Nullable String password;
    private final List<String> databases = new ArrayList<>();

    private PostgresServer(@Nullable PrivateCluster cluster, @Nullable String url, String user,
            @Nullable String password) {
        this.cluster = cluster;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** A fresh database: a data source on it (connect timeout 5 s, socket timeout 30 s) and its JDBC URL. */
    public record Database(DataSource dataSource, String jdbcUrl, String name) {}

    /** The JVM's server, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            String url = System.getenv(URL_VARIABLE);
            if (url != null && !url.isBlank()) {
                String user = Optional.ofNullable(System.getenv(USER_VARIABLE)).orElse(USER);
                shared = new PostgresServer(null, url, user, System.getenv(PASSWORD_VARIABLE));
            } else {
                shared = startCluster();
            }
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "agent-lifecycle-postgres-test-cleanup"));
        }
        return shared;
    }

    /**
     * A private cluster of its own, which the caller must {@linkplain #close() close} (if it does not, the cluster
     * is deleted when the JVM exits).
     */
    public static PostgresServer startPrivate() {
        PostgresServer server = startCluster();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "agent-lifecycle-postgres-test-cleanup"));
        return server;
    }

    /** Whether {@link #startPrivate()} can work: PostgreSQL's binaries are installed. */
    public static boolean canStartPrivate() {
        return PrivateCluster.binaries().isPresent();
    }

    /** Creates a database with a new name and returns it. */
    public synchronized Database newDatabase() {
        String name = "test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection connection = dataSource(null).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
        databases.add(name);
        PGSimpleDataSource dataSource = dataSource(name);
        return new Database(dataSource, dataSource.getUrl(), name);
    }

    /**
     * Stops a private cluster's server: its connections are cut, and what was committed is kept (the server runs
     * with {@code synchronous_commit=off}, so a crash would lose the last commits).
     */
    public synchronized void stop() {
        try {
            privateCluster().stop("fast");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping PostgreSQL", e);
        }
    }

    /** Starts a stopped private cluster's server again, on the same port. */
    public synchronized void start() {
        try {
            privateCluster().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting PostgreSQL", e);
        }
    }

    /** Deletes a private cluster, or drops the databases made on an outside server; ignores failures. */
    @Override
    public synchronized void close() {
        if (cluster != null) {
            cluster.destroy();
            return;
        }
        for (String name : databases) {
            try (Connection connection = dataSource(null).getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("agent-lifecycle-postgres tests: could not drop " + name + ": " + e.getMessage());
            }
        }
        databases.clear();
    }

    private PrivateCluster privateCluster() {
        if (cluster == null) {
            throw new IllegalStateException("only a private cluster (startPrivate) can be stopped and started");
        }
        return cluster;
    }

    private PGSimpleDataSource dataSource(@Nullable String database) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        if (url != null) {
            dataSource.setUrl(url);
        } else {
            dataSource.setServerNames(new String[] {"127.0.0.1"});
            dataSource.setPortNumbers(new int[] {privateCluster().port()});
            dataSource.setDatabaseName("postgres");
        }
        if (database != null) {
            dataSource.setDatabaseName(database);
        }
        dataSource.setUser(user);
        if (password != null) {
            dataSource.setPassword(password);
        }
        dataSource.setConnectTimeout(5);
        dataSource.setSocketTimeout(30);
        dataSource.setApplicationName("agent-lifecycle-tests");
        return dataSource;
    }

    private static PostgresServer startCluster() {
        Path bin = PrivateCluster.binaries().orElseThrow(() -> new IllegalStateException(
                "No PostgreSQL for the agent-lifecycle-postgres tests: install Debian's postgresql package "
                        + "(apt-get install postgresql; the tests start a private server from "
                        + "/usr/lib/postgresql/<version>/bin and need no running cluster), or set " + URL_VARIABLE
                        + " (with " + USER_VARIABLE + " and " + PASSWORD_VARIABLE + ") to a server the tests "
                        + "may create databases on"));
        try {
            PostgresServer server = new PostgresServer(PrivateCluster.create(bin, USER), null, USER, null);
            server.awaitConnections(Duration.ofSeconds(30));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a private PostgreSQL from " + bin, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting PostgreSQL", e);
        }
    }

    private void awaitConnections(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Connection connection = dataSource(null).getConnection()) {
                if (connection.isValid(5)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        close();
        throw new IllegalStateException("private PostgreSQL accepts no connections after " + timeout, last);
    }
}
