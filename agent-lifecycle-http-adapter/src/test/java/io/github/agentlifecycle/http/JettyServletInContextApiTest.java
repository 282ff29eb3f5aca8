package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API contract through {@link AgentLifecycleServlet} in embedded Jetty 12, in the context {@code /app} with
 * the servlet at {@code /api/livekit/*} and the API's base path unchanged: the API sees the path without the
 * context path, and requests outside the context do not reach it.
 */
class JettyServletInContextApiTest extends ApiContract {
    @Override
    ApiServer.Binding binding() {
        return ApiServer.Binding.JETTY_SERVLET_IN_CONTEXT;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/livekit/health", "/app/app/api/livekit/health", "/application/api/livekit/health",
        "/api/livekit/app/health"})
    void pathsOutsideTheContextDoNotReachTheApi(String path) throws Exception {
        HttpResponse<String> response = HttpCalls.client().send(
                HttpRequest.newBuilder(URI.create(server.origin() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain("\"success\":true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/app/api/livekit/health", "/app/api/livekit/health?x=1"})
    void theApiAnswersUnderTheContext(String path) throws Exception {
        HttpResponse<String> response = HttpCalls.client().send(
                HttpRequest.newBuilder(URI.create(server.origin() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"ok\"");
    }
}
