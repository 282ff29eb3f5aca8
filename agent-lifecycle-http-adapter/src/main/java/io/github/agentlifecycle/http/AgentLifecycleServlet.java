package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.Require;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Serves an {@link AgentLifecycleApi} as a Jakarta Servlet (6.0). Map it so that it receives the API's paths,
 * for example at {@code /api/livekit/*} with the default base path; the path the API sees is the request URI
 * without the context path. Bodies are read only up to the route's limit; a body declared larger is answered 413
 * at once and then read and discarded (up to 16 MiB) so that a client still sending receives the answer. How long a
 * client may take to send its request is the container's setting (in Jetty the connector's idle timeout and the
 * minimum request data rate); a body read the container ends with a timeout is answered 408 {@code
 * request_timeout} with {@code Connection: close}. Thread-safe.
 */
public final class AgentLifecycleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient AgentLifecycleApi api;

    /** A servlet serving {@code api}. */
    public AgentLifecycleServlet(AgentLifecycleApi api) {
        this.api = Require.nonNull(api, "api");
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        int limit = api.maxBodyBytes(path);
        if (request.getContentLengthLong() > limit) {
            write(request, response, api.payloadTooLarge(path));
            response.flushBuffer();
            try (InputStream in = request.getInputStream()) {
                BodyReader.discard(in);
            } catch (IOException clientGone) {
                // the client stopped sending after reading the answer
            }
            return;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = BodyReader.read(in, limit);
        } catch (IOException e) {
            if (!timedOut(e) || response.isCommitted()) {
                throw e;
            }
            write(request, response, api.requestTimeout());
            return;
        }
        write(request, response, body == null ? api.payloadTooLarge(path)
                : api.handle(new ApiRequest(request.getMethod(), path, headers(request), body)));
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, ApiResponse answer)
            throws IOException {
        response.setStatus(answer.status());
        answer.headers().forEach(response::setHeader);
        response.setContentLength(answer.body().length);
        if (!"HEAD".equalsIgnoreCase(request.getMethod())) {
            response.getOutputStream().write(answer.body());
        }
    }

    /** Whether a read failed because the container's read deadline passed (Jetty's idle timeout, for example). */
    private static boolean timedOut(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException || cause instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        return headers;
    }
}
