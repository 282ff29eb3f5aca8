package io.github.agentlifecycle.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an {@link AgentLifecycleApi} to JDK {@code HttpServer} exchanges, under deadlines: the body must arrive
 * within the read deadline (else 408 and the connection is closed), the answer must be computed and written within
 * the response timeout (else the connection is closed). On {@link AgentLifecycleHttpServer}'s executor the read
 * deadline is the one armed before the request line was read; on any other executor it starts when the handler is
 * called. A failed exchange ends with an exception, so that the server closes the connection and forgets it.
 * Thread-safe.
 */
final class ApiExchangeHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiExchangeHandler.class);

    private final AgentLifecycleApi api;
    private final long bodyReadTimeoutNanos;
    private final long responseTimeoutNanos;
    private final Watchdog watchdog;

    ApiExchangeHandler(AgentLifecycleApi api, long bodyReadTimeoutNanos, long responseTimeoutNanos,
            Watchdog watchdog) {
        this.api = api;
        this.bodyReadTimeoutNanos = bodyReadTimeoutNanos;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.watchdog = watchdog;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        ExchangeGuard armed = ExchangeGuard.current();
        ExchangeGuard guard = armed != null ? armed : watchdog.watch(ExchangeGuard.forBody(bodyReadTimeoutNanos));
        try {
            serve(exchange, guard);
        } catch (IOException | RuntimeException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("HTTP exchange {} {} failed: {}", exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(), e.toString());
            }
            throw e;
        } finally {
            if (armed == null) {
                watchdog.release(guard);
            }
        }
    }

    private void serve(HttpExchange exchange, ExchangeGuard guard) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        byte[] body = readBody(exchange, guard, path);
        ApiResponse response = body == null
                ? api.payloadTooLarge(path)
                : api.handle(new ApiRequest(exchange.getRequestMethod(), path, exchange.getRequestHeaders(), body));
        guard.writing();
        try {
            write(exchange, response, true);
        } finally {
            guard.written();
        }
    }

    private byte @Nullable [] readBody(HttpExchange exchange, ExchangeGuard guard, String path) throws IOException {
        guard.readingBody(() -> write(exchange, api.requestTimeout(), false), responseTimeoutNanos);
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = BodyReader.read(in, api.maxBodyBytes(path));
        } catch (IOException | RuntimeException e) {
            if (guard.bodyFailed()) {
                throw new ExchangeGuard.DeadlineException("request body not received in time");
            }
            throw e;
        }
        guard.bodyRead(responseTimeoutNanos);
        return body;
    }

    /**
     * Writes {@code response}; with {@code finish} also ends the exchange, otherwise only flushes (closing would
     * read the rest of the request body first).
     */
    private static void write(HttpExchange exchange, ApiResponse response, boolean finish) throws IOException {
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            exchange.getResponseHeaders().set(header.getKey(), header.getValue());
        }
        byte[] body = response.body();
        boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
        boolean empty = head || body.length == 0;
        exchange.sendResponseHeaders(response.status(), empty ? -1 : body.length);
        if (!empty) {
            OutputStream out = exchange.getResponseBody();
            out.write(body);
            if (finish) {
                out.close();
            } else {
                out.flush();
            }
        }
        if (finish) {
            exchange.close();
        }
    }
}
