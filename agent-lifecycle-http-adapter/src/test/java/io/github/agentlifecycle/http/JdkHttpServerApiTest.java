package io.github.agentlifecycle.http;

/** The API contract through {@link AgentLifecycleHttpServer}, the JDK {@code HttpServer} binding. */
class JdkHttpServerApiTest extends ApiContract {
    @Override
    ApiServer.Binding binding() {
        return ApiServer.Binding.JDK_HTTP_SERVER;
    }
}
