package io.github.agentlifecycle.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.github.agentlifecycle.core.internal.Require;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an {@link AgentLifecycleApi} with the JDK's built-in {@code com.sun.net.httpserver.HttpServer}: a
 * bounded pool of worker threads with a bounded queue (when it is full the accepting thread handles the request
 * itself, which slows accepting: backpressure instead of unbounded memory), a listen backlog, and bodies read
 * only up to the route's limit. Use {@link #handler(AgentLifecycleApi)} to mount the API in an {@code
 * HttpServer} you already run. Thread-safe.
 */
public final class AgentLifecycleHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLifecycleHttpServer.class);

    private final HttpServer server;
    private final ThreadPoolExecutor workers;

    private AgentLifecycleHttpServer(HttpServer server, ThreadPoolExecutor workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * Starts a server on {@code address} (port 0 picks a free port) with {@code threads} workers, a queue of 64
     * requests per worker and a backlog of 256 connections.
     *
     * @throws IOException if the address cannot be bound
     */
    public static AgentLifecycleHttpServer start(AgentLifecycleApi api, InetSocketAddress address, int threads)
            throws IOException {
        Require.nonNull(api, "api");
        Require.nonNull(address, "address");
        Require.atLeast(threads, 1, "threads");
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * 64), runnable -> {
                    Thread thread = new Thread(runnable, "agent-lifecycle-http-" + ids.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        HttpServer server = HttpServer.create(address, 256);
        server.createContext(api.basePath().isEmpty() ? "/" : api.basePath(), handler(api));
        server.setExecutor(workers);
        server.start();
        return new AgentLifecycleHttpServer(server, workers);
    }

    /** The address the server listens on (with the real port when started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** An {@link HttpHandler} serving {@code api}, to mount in an existing server at {@code api.basePath()}. */
    public static HttpHandler handler(AgentLifecycleApi api) {
        Require.nonNull(api, "api");
        return exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                ApiResponse response;
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = BodyReader.read(in, api.maxBodyBytes(path));
                }
                if (body == null) {
                    response = api.payloadTooLarge(path);
                } else {
                    response = api.handle(new ApiRequest(exchange.getRequestMethod(), path,
                            exchange.getRequestHeaders(), body));
                }
                send(exchange, response);
            } catch (IOException | RuntimeException e) {
                LOG.debug("HTTP exchange failed: {}", e.toString());
            }
        };
    }

    private static void send(HttpExchange exchange, ApiResponse response) throws IOException {
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            exchange.getResponseHeaders().set(header.getKey(), header.getValue());
        }
        byte[] body = response.body();
        boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops accepting requests, waits up to a second for running ones, and stops the workers. */
    @Override
    public void close() {
        server.stop(1);
        workers.shutdownNow();
    }
}
