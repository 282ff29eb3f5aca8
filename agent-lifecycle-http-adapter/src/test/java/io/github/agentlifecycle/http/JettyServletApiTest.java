package io.github.agentlifecycle.http;

/** The API contract through {@link AgentLifecycleServlet} in embedded Jetty 12, in the root context. */
class JettyServletApiTest extends ApiContract {
    @Override
    ApiServer.Binding binding() {
        return ApiServer.Binding.JETTY_SERVLET;
    }
}
