package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.internal.Require;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves an {@link AgentLifecycleApi} as a Jakarta Servlet (6.0). Map it so that it receives the API's paths,
 * for example at {@code /api/livekit/*} with the default base path; the path the API sees is the request URI
 * without the context path. Bodies are read only up to the route's limit; a body declared larger is answered 413
 * at once and then read and discarded (up to 16 MiB) so that a client still sending receives the answer.
 * Thread-safe.
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

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        return headers;
    }
}
