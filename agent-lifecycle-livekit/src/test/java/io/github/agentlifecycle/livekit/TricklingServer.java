package io.github.agentlifecycle.livekit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A LiveKit server that is stuck: it accepts every connection and answers one byte of an HTTP header every 100 ms,
 * for ever, so that no read ever times out but the answer never ends. Closing it closes every connection.
 */
final class TricklingServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    TricklingServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "trickling-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code http://127.0.0.1:port}. */
    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                connections.add(connection);
                Thread trickle = new Thread(() -> trickle(connection), "trickling-connection");
                trickle.setDaemon(true);
                trickle.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void trickle(Socket connection) {
        byte[] header = "HTTP/1.1 200 OK\r\nX-Stuck: ".getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
            in.read(new byte[8192]);
            for (int i = 0; ; i++) {
                out.write(i < header.length ? header[i] : 'x');
                out.flush();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        } catch (IOException closed) {
            // the client gave up, or the server was closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }
}
