package io.github.agentlifecycle.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** An {@link AgentLifecycleApi} served over real HTTP on an ephemeral loopback port by one of the bindings. */
interface ApiServer extends AutoCloseable {

    /** {@code http://host:port} of this server. */
    String origin();

    /** The context path the API is mounted under ({@code ""} for the root). */
    default String contextPath() {
        return "";
    }

    /** The URI of {@code pathAndQuery} (starting with {@code /}, already encoded) under the context path. */
    default URI uri(String pathAndQuery) {
        return URI.create(origin() + contextPath() + pathAndQuery);
    }

    /** Stops the server. */
    @Override
    void close();

    /** The bindings, for tests that run against each. */
    enum Binding {
        JDK_HTTP_SERVER {
            @Override
            ApiServer start(AgentLifecycleApi api) {
                return jdk(api);
            }
        },
        JETTY_SERVLET {
            @Override
            ApiServer start(AgentLifecycleApi api) {
                return jetty(api, "");
            }
        },
        JETTY_SERVLET_IN_CONTEXT {
            @Override
            ApiServer start(AgentLifecycleApi api) {
                return jetty(api, "/app");
            }
        };

        abstract ApiServer start(AgentLifecycleApi api);
    }

    /**
     * {@link AgentLifecycleHttpServer#handler(AgentLifecycleApi)} mounted at the base path of a JDK {@code
     * HttpServer} with four worker threads. ({@link AgentLifecycleHttpServer#close()} always waits a full second on
     * Java 17, so the many short-lived servers of the contract tests are stopped without a delay instead.)
     */
    static ApiServer jdk(AgentLifecycleApi api) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the JDK server", e);
        }
        ExecutorService workers = Executors.newFixedThreadPool(4);
        server.createContext(api.basePath(), AgentLifecycleHttpServer.handler(api));
        server.setExecutor(workers);
        server.start();
        String origin = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
        return new ApiServer() {
            @Override
            public String origin() {
                return origin;
            }

            @Override
            public void close() {
                server.stop(0);
                workers.shutdownNow();
            }
        };
    }

    /**
     * {@link AgentLifecycleServlet} in embedded Jetty with Jetty's default settings, mapped at {@code
     * /api/livekit/*} in a context at {@code contextPath} ({@code ""} for the root context).
     */
    static ApiServer jetty(AgentLifecycleApi api, String contextPath) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(contextPath.isEmpty() ? "/" : contextPath);
        context.addServlet(new ServletHolder(new AgentLifecycleServlet(api)), api.basePath() + "/*");
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Jetty", e);
        }
        String origin = "http://" + connector.getHost() + ":" + connector.getLocalPort();
        return new ApiServer() {
            @Override
            public String origin() {
                return origin;
            }

            @Override
            public String contextPath() {
                return contextPath;
            }

            @Override
            public void close() {
                try {
                    server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot stop Jetty", e);
                }
            }
        };
    }
}
