package io.github.agentlifecycle.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client on a raw socket that sends a request as slowly as a test wants: part of it at once, then nothing, or the
 * body one byte per interval. It reads answers byte by byte, so nothing it has not asked for is consumed.
 */
final class SlowClient implements AutoCloseable {
    private static final ScheduledExecutorService TRICKLE = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "slow-client-trickle");
        thread.setDaemon(true);
        return thread;
    });

    private final Socket socket;
    private volatile ScheduledFuture<?> trickle;

    private SlowClient(Socket socket) {
        this.socket = socket;
    }

    /**
     * How many threads are blocked reading a request from a client in the JDK server (its request line, headers
     * or body), whichever executor they belong to.
     */
    static long threadsReadingRequests() {
        return Thread.getAllStackTraces().values().stream()
                .filter(stack -> Arrays.stream(stack).anyMatch(frame ->
                        frame.getClassName().equals("sun.net.httpserver.Request$ReadStream")
                                && frame.getMethodName().equals("read")))
                .count();
    }

    /** Connects to {@code address}. */
    static SlowClient connect(InetSocketAddress address) {
        Socket socket = new Socket();
        try {
            socket.connect(address, 5_000);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            throw new UncheckedIOException("cannot connect to " + address, e);
        }
        return new SlowClient(socket);
    }

    /** The head of a POST to {@code path} that announces a JSON body of {@code contentLength} bytes. */
    static String postHead(String path, int contentLength) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + contentLength + "\r\n\r\n";
    }

    /** Sends {@code text} (ASCII) at once. */
    SlowClient send(String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** From now on sends one byte ({@code x}) every {@code interval}, until the connection fails or is closed. */
    SlowClient trickle(Duration interval) {
        trickle = TRICKLE.scheduleAtFixedRate(() -> {
            try {
                socket.getOutputStream().write('x');
                socket.getOutputStream().flush();
            } catch (IOException e) {
                trickle.cancel(false);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** What the server did with the connection, as seen by a client waiting briefly for it. */
    enum State {
        /** Nothing yet: the connection is open and no answer came. */
        OPEN,
        /** The server closed the connection without answering. */
        CLOSED,
        /** An answer (at least its first byte) came. */
        ANSWERED
    }

    /** Waits up to {@code wait} for an answer or the end of the connection; reads at most one byte. */
    State state(Duration wait) {
        try {
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            return socket.getInputStream().read() < 0 ? State.CLOSED : State.ANSWERED;
        } catch (SocketTimeoutException stillOpen) {
            return State.OPEN;
        } catch (IOException reset) {
            return State.CLOSED;
        }
    }

    /**
     * Waits up to {@code timeout} for the server to close the connection and returns how many bytes it sent
     * before; fails if the connection is still open then.
     */
    int awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int received = 0;
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the server kept the connection open for " + timeout);
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                int b = in.read();
                if (b < 0) {
                    return received;
                }
                received++;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + timeout, e);
        } catch (SocketException reset) {
            return received;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one HTTP/1.1 response with a {@code Content-Length}, waiting up to {@code timeout} for it. */
    Response readResponse(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new Response(Integer.parseInt(statusLine.substring(9, 12)), headers, body);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + timeout, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed in the middle of the answer's head: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        ScheduledFuture<?> running = trickle;
        if (running != null) {
            running.cancel(false);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** An answer read from the socket; header names in lower case. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        JsonNode json() {
            try {
                return HttpCalls.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
            }
        }
    }
}
