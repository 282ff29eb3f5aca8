package io.github.agentlifecycle.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.github.agentlifecycle.core.Require;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Serves an {@link AgentLifecycleApi} with the JDK's built-in {@code com.sun.net.httpserver.HttpServer}, so that
 * clients sending slowly or not at all cannot keep it from serving others:
 *
 * <ul>
 *   <li>a fixed pool of worker threads (default 64) with a bounded queue (default 256 waiting requests); when both
 *       are full a further connection is closed at once;
 *   <li>a request read timeout (default 10 s) from the first byte of a request to the last byte of its body: a
 *       client whose body is not in by then is answered 408 {@code request_timeout} with {@code Connection: close}
 *       and disconnected; one whose request line or headers are not complete is disconnected without an answer;
 *   <li>a response timeout (default 30 s) to compute and write the answer once the request is in; past it the
 *       connection is closed;
 *   <li>bodies read only up to the route's limit (413 beyond it), and a listen backlog (default 256).
 * </ul>
 *
 * <p>Deadlines are enforced by interrupting the worker thread blocked on the connection (which closes that
 * connection), never while the API computes an answer; one shared daemon thread watches them (within about 50 ms).
 * The binding sets no system property. Use {@link #handler(AgentLifecycleApi)} to mount the API in an {@code
 * HttpServer} you already run. Thread-safe.
 */
public final class AgentLifecycleHttpServer implements AutoCloseable {
    /** Default number of worker threads. */
    public static final int DEFAULT_WORKER_THREADS = 64;
    /** Default number of requests that may wait for a worker. */
    public static final int DEFAULT_QUEUE_CAPACITY = 256;
    /** Default listen backlog. */
    public static final int DEFAULT_BACKLOG = 256;
    /** Default time to receive a request: request line, headers and body. */
    public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(10);
    /** Default time to compute and write an answer once its request is in. */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);

    private final HttpServer server;
    private final GuardedExecutor workers;

    private AgentLifecycleHttpServer(HttpServer server, GuardedExecutor workers) {
        this.server = server;
        this.workers = workers;
    }

    /** A builder for a server of {@code api} on {@code address} (port 0 picks a free port). */
    public static Builder builder(AgentLifecycleApi api, InetSocketAddress address) {
        return new Builder(api, address);
    }

    /** The address the server listens on (with the real port when started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * An {@link HttpHandler} serving {@code api}, to mount in an existing server at {@code api.basePath()}, with
     * the default timeouts ({@link #handler(AgentLifecycleApi, Duration, Duration)}).
     */
    public static HttpHandler handler(AgentLifecycleApi api) {
        return handler(api, DEFAULT_REQUEST_READ_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT);
    }

    /**
     * An {@link HttpHandler} serving {@code api}, to mount in an existing server at {@code api.basePath()}. A body
     * not received within {@code bodyReadTimeout} of the handler being called is answered 408 and the connection
     * closed; an answer not computed and written within {@code responseTimeout} after the body is in has its
     * connection closed. The request line and headers are read by your server before the handler is called, on
     * your executor: protecting that is your server's business (a reverse proxy, or the JDK's own {@code
     * sun.net.httpserver.maxReqTime}, which is JVM-wide).
     *
     * @throws IllegalArgumentException if a timeout is not positive
     */
    public static HttpHandler handler(AgentLifecycleApi api, Duration bodyReadTimeout, Duration responseTimeout) {
        Require.nonNull(api, "api");
        return new ApiExchangeHandler(api, Require.nanos(Require.positive(bodyReadTimeout, "bodyReadTimeout")),
                Require.nanos(Require.positive(responseTimeout, "responseTimeout")), Watchdog.shared());
    }

    /**
     * Stops accepting requests, waits up to a second for running ones, then stops the workers (interrupting
     * exchanges still running, which closes their connections).
     */
    @Override
    public void close() {
        server.stop(1);
        workers.shutdownNow();
    }

    /** Configures and starts an {@link AgentLifecycleHttpServer}. Not thread-safe; setters check at once. */
    public static final class Builder {
        private final AgentLifecycleApi api;
        private final InetSocketAddress address;
        private int workerThreads = DEFAULT_WORKER_THREADS;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private int backlog = DEFAULT_BACKLOG;
        private Duration requestReadTimeout = DEFAULT_REQUEST_READ_TIMEOUT;
        private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;

        private Builder(AgentLifecycleApi api, InetSocketAddress address) {
            this.api = Require.nonNull(api, "api");
            this.address = Require.nonNull(address, "address");
        }

        /**
         * Worker threads (default 64): how many requests are read and answered at once. A client sending slowly
         * holds one for at most the request read timeout; idle ones cost little.
         */
        public Builder workerThreads(int workerThreads) {
            this.workerThreads = Require.atLeast(workerThreads, 1, "workerThreads");
            return this;
        }

        /** Requests that may wait for a free worker (default 256); a connection beyond them is closed. */
        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = Require.atLeast(queueCapacity, 1, "queueCapacity");
            return this;
        }

        /** Connections the operating system may hold before they are accepted (default 256). */
        public Builder backlog(int backlog) {
            this.backlog = Require.atLeast(backlog, 1, "backlog");
            return this;
        }

        /**
         * Time from the first byte of a request to the last byte of its body (default 10 s). Past it, a request
         * whose body was being read is answered 408 and its connection closed; any other is closed.
         */
        public Builder requestReadTimeout(Duration requestReadTimeout) {
            this.requestReadTimeout = Require.positive(requestReadTimeout, "requestReadTimeout");
            return this;
        }

        /** Time to compute and write an answer once its request is in (default 30 s); past it, closed. */
        public Builder responseTimeout(Duration responseTimeout) {
            this.responseTimeout = Require.positive(responseTimeout, "responseTimeout");
            return this;
        }

        /**
         * Binds the address and starts serving.
         *
         * @throws IOException if the address cannot be bound
         */
        public AgentLifecycleHttpServer start() throws IOException {
            long readNanos = Require.nanos(requestReadTimeout);
            long responseNanos = Require.nanos(responseTimeout);
            Watchdog watchdog = Watchdog.shared();
            GuardedExecutor workers = new GuardedExecutor(workerThreads, queueCapacity, readNanos, watchdog);
            HttpServer server = HttpServer.create(address, backlog);
            server.createContext(api.basePath().isEmpty() ? "/" : api.basePath(),
                    new ApiExchangeHandler(api, readNanos, responseNanos, watchdog));
            server.setExecutor(workers);
            server.start();
            return new AgentLifecycleHttpServer(server, workers);
        }
    }
}
