package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What protects {@link AgentLifecycleServlet} from slow clients in Jetty 12, as the README describes it: the
 * connector's idle timeout ends a request whose client stopped sending (a stalled body is answered with the API's
 * 408), and a minimum request data rate ends one whose client trickles its body, which the idle timeout alone never
 * does, each byte resetting it (Jetty answers that 408 itself).
 */
class SlowClientJettyTest {
    private static final String TOKEN = "/api/livekit/token";

    private final TestEngine engine = TestEngine.create();
    private final List<SlowClient> clients = new ArrayList<>();
    private Server server;
    private InetSocketAddress address;

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SlowClient::close);
        if (server != null) {
            server.stop();
        }
        engine.close();
    }

    private void start(long minRequestDataRate) throws Exception {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setMinRequestDataRate(minRequestDataRate);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setIdleTimeout(1_000);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new AgentLifecycleServlet(engine.api)), engine.api.basePath() + "/*");
        server.setHandler(context);
        server.start();
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), connector.getLocalPort());
    }

    private SlowClient connect() {
        SlowClient client = SlowClient.connect(address);
        clients.add(client);
        return client;
    }

    @Test
    void theIdleTimeoutEndsARequestWhoseClientStoppedSending() throws Exception {
        start(0);
        SlowClient stalledBody = connect().send(SlowClient.postHead(TOKEN, 100) + "{");
        SlowClient stalledHeaders = connect().send("POST " + TOKEN + " HTTP/1.1\r\nHost: localhost\r\n");

        SlowClient.Response response = stalledBody.readResponse(Duration.ofSeconds(10));
        assertThat(response.status()).isEqualTo(408);
        assertThat(response.headers()).containsEntry("connection", "close");
        assertThat(response.json().path("error").path("code").asText()).isEqualTo("request_timeout");
        stalledBody.awaitClosed(Duration.ofSeconds(10));
        assertThat(stalledHeaders.awaitClosed(Duration.ofSeconds(10))).isZero();
        assertThat(engine.manager.rooms()).isEmpty();
    }

    @Test
    void aMinimumRequestDataRateEndsARequestWhoseClientTricklesItsBody() throws Exception {
        start(100);
        SlowClient trickling = connect().send(SlowClient.postHead(TOKEN, 100) + "{").trickle(Duration.ofMillis(300));

        SlowClient.Response response = trickling.readResponse(Duration.ofSeconds(10));
        assertThat(response.status()).isEqualTo(408);
        assertThat(response.headers()).containsEntry("connection", "close");
        trickling.awaitClosed(Duration.ofSeconds(10));
        assertThat(engine.manager.rooms()).isEmpty();
    }
}
