package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.examples.WebhookEvents;
import io.github.agentlifecycle.examples.WebhookSigner;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Webhook throughput of a running example server, without {@code wrk}: {@code connections} threads each send
 * {@code POST /webhook} back to back on their own connection (a closed loop: the next request leaves when the
 * answer to the previous one is read), for a warm-up that is not recorded, then for the measured window.
 *
 * <p><b>Every request is a new event.</b> 500 rooms, each owned by one connection so that its events arrive in
 * order, each with a human joining and leaving again and again: a new session id at every join, a new event id in
 * every request. Each body is signed like LiveKit signs webhooks just before it
 * is sent, so the server verifies a signature and a body hash, and applies an event, for every request; nothing
 * repeats, so none of it is a duplicate.
 *
 * <p><b>Signatures that expire at once.</b> The server remembers each event id until the signature that carried it
 * could no longer be accepted (token expiry + the verifier's 10 s leeway + 1 s), and answers 503 to new events
 * while more than 100 000 such ids are remembered. With LiveKit's 5-minute tokens that caps a run at about 330
 * requests per second, so each token here expires 8 s <em>before</em> it is made ({@code exp = now - 8 s}, written
 * in whole seconds, rounded down). {@code WebhookVerifier} (java-jwt with {@code acceptLeeway(10)}) accepts a token
 * while the server's time, rounded down to a second, is less than {@code exp + 10}; so each request is accepted if
 * it is verified within 1 to 2 s of being signed, and its id is remembered for 2 to 3 s after that. At {@code R}
 * requests per second the server then holds at most about {@code 3 R} ids, below its limit up to about 33 000
 * requests per second. A request verified later than that would be answered 401, a full memory 503: both show up
 * in the counts of answers other than 200, which must be 0. Client and server clocks must agree to well within a
 * second (they are the same clock when both run on one machine).
 *
 * <p><b>Client.</b> {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: it sends and reads on the
 * calling thread with blocking sockets, while {@code HttpClient} hands every exchange to its selector thread and
 * back through futures, which costs more CPU and thread switches per request on a machine the server shares. Its
 * keep-alive cache is shared by all threads; {@code http.maxConnections} is raised to the number of connections
 * so that no connection is closed for lack of room in it, and each thread has at most one request in flight, so
 * after the first requests no new connection is opened. The body is buffered, not streamed, so headers and body
 * leave in one write. {@code sun.net.http.retryPost} is turned off: a POST is never sent again silently.
 *
 * <p><b>Output.</b> Requests answered in the measured window (by the time their answer was read) and their rate;
 * their latency from sending (after signing) to the answer read, p50/p90/p99/max; answers other than 200 by status,
 * and I/O errors, in the measured window and in the whole run; the {@code outcome} of the 200 answers; with a
 * server pid, the server's CPU time ({@code utime + stime} of {@code /proc/<pid>/stat}) over the measured window per
 * request, and the same for this client; and how many requests were sent in all, warm-up and the last ones
 * included, to compare with the server's {@code eventsApplied}. Exits with status 1 if any answer was not 200.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.WebhookThroughput \
 *     http://127.0.0.1:3401/api/livekit APIloadKey load-secret-0123456789 16 10 30 $SERVER_PID</pre>
 */
public final class WebhookThroughput {
    /** Rooms in all, shared out over the connections. */
    private static final int ROOMS = 500;
    /** How long before it is made each webhook token expires (see the class comment). */
    private static final Duration EXPIRES_IN = Duration.ofSeconds(-8);
    private static final int TIMEOUT_MILLIS = 10_000;
    private static volatile boolean running = true;

    private WebhookThroughput() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 7) {
            System.err.println("usage: WebhookThroughput <api url> <api key> <api secret> [connections, 16]"
                    + " [warm-up seconds, 10] [measured seconds, 30] [server pid]");
            System.exit(2);
        }
        String api = args[0].endsWith("/") ? args[0].substring(0, args[0].length() - 1) : args[0];
        LiveKitCredentials credentials = new LiveKitCredentials(args[1], args[2]);
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        long warmUpSeconds = args.length > 4 ? Long.parseLong(args[4]) : 10;
        long measuredSeconds = args.length > 5 ? Long.parseLong(args[5]) : 30;
        Long serverPid = args.length > 6 ? Long.valueOf(args[6]) : null;
        if (connections < 1 || connections > ROOMS || warmUpSeconds < 0 || measuredSeconds < 1) {
            System.err.println("connections must be 1 to " + ROOMS + ", warm-up >= 0 s, measured >= 1 s");
            System.exit(2);
        }
        // Read once, when the keep-alive cache is first used: set them before any connection is made.
        System.setProperty("http.maxConnections", Integer.toString(Math.max(5, connections)));
        System.setProperty("sun.net.http.retryPost", "false");

        long ticks = clockTicksPerSecond();
        URL webhook = URI.create(api + "/webhook").toURL();
        WebhookSigner signer = new WebhookSigner(credentials, Clock.systemUTC(), EXPIRES_IN);
        String run = Long.toString(System.currentTimeMillis(), 36);
        long started = System.nanoTime();
        long measureFrom = started + TimeUnit.SECONDS.toNanos(warmUpSeconds);
        long measureUntil = measureFrom + TimeUnit.SECONDS.toNanos(measuredSeconds);
        Sender[] senders = new Sender[connections];
        for (int c = 0; c < connections; c++) {
            senders[c] = new Sender(c, connections, run, webhook, signer, measureFrom, measureUntil);
        }
        for (Sender sender : senders) {
            sender.thread.start();
        }

        sleepUntil(measureFrom);
        long[] serverBefore = serverPid == null ? null : cpuTicks(serverPid);
        long[] clientBefore = cpuTicks(ProcessHandle.current().pid());
        sleepUntil(measureUntil);
        long[] serverAfter = serverPid == null ? null : cpuTicks(serverPid);
        long[] clientAfter = cpuTicks(ProcessHandle.current().pid());
        running = false;
        for (Sender sender : senders) {
            sender.thread.join();
            if (sender.crash != null) {
                throw new IllegalStateException(sender.thread.getName() + " failed", sender.crash);
            }
        }

        long[] all = new long[0];
        int measured = 0;
        long sent = 0;
        long ok = 0;
        Map<String, Long> failedMeasured = new TreeMap<>();
        Map<String, Long> failedAll = new TreeMap<>();
        Map<String, Long> outcomes = new TreeMap<>();
        for (Sender sender : senders) {
            all = Arrays.copyOf(all, measured + sender.recorded);
            System.arraycopy(sender.latencies, 0, all, measured, sender.recorded);
            measured += sender.recorded;
            sent += sender.sent;
            ok += sender.ok;
            sender.failedMeasured.forEach((k, v) -> failedMeasured.merge(k, v, Long::sum));
            sender.failedAll.forEach((k, v) -> failedAll.merge(k, v, Long::sum));
            sender.outcomes.forEach((k, v) -> outcomes.merge(k, v, Long::sum));
        }
        LatencyStats latency = new LatencyStats(all, measured);
        System.out.printf("POST %s: %d connections, closed loop, %d rooms, warm-up %d s (not recorded),"
                + " measured %d s; tokens expire %d s before they are made%n", webhook, connections, ROOMS,
                warmUpSeconds, measuredSeconds, -EXPIRES_IN.toSeconds());
        System.out.printf("requests: %d in %d s = %.0f req/s%n", measured, measuredSeconds,
                measured / (double) measuredSeconds);
        System.out.printf("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", latency.millis(50),
                latency.millis(90), latency.millis(99), latency.millis(100));
        System.out.println("answers other than 200 (measured window): " + describe(failedMeasured)
                + "; whole run: " + describe(failedAll));
        System.out.println("outcomes of the 200 answers (measured window): " + describe(outcomes));
        if (serverPid != null) {
            System.out.println("server CPU: " + perRequest(serverBefore, serverAfter, measured, ticks) + " (pid "
                    + serverPid + ", utime+stime over the measured window)");
        }
        System.out.println("client CPU (this process, signing included): "
                + perRequest(clientBefore, clientAfter, measured, ticks));
        System.out.println("sent in all, warm-up and the last ones included: " + sent + " (" + ok
                + " answered 200)");
        if (!failedAll.isEmpty()) {
            System.exit(1);
        }
    }

    private static void sleepUntil(long deadline) {
        for (long wait; (wait = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
    }

    private static String describe(Map<String, Long> counts) {
        return counts.isEmpty() ? "none" : counts.toString();
    }

    /** utime and stime of {@code pid} in clock ticks, or null if unreadable. */
    private static long[] cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name in parentheses, which may hold spaces: state is field 3, utime 14.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String perRequest(long[] before, long[] after, int requests, long ticksPerSecond) {
        if (before == null || after == null) {
            return "unavailable (no /proc/<pid>/stat)";
        }
        long ticks = after[0] - before[0] + after[1] - before[1];
        double cpuSeconds = ticks / (double) ticksPerSecond;
        return String.format("%.1f us per request (%.2f s in the window, %d clock ticks of 1/%d s)",
                requests == 0 ? Double.NaN : cpuSeconds * 1e6 / requests, cpuSeconds, ticks, ticksPerSecond);
    }

    /** Clock ticks per second of {@code /proc/<pid>/stat}, from {@code getconf CLK_TCK}, else 100. */
    private static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /** One connection: a thread sending the events of its rooms one after the other. */
    private static final class Sender implements Runnable {
        final Thread thread;
        private final URL webhook;
        private final WebhookSigner signer;
        private final long measureFrom;
        private final long measureUntil;
        private final WebhookEvents[] events;
        private final String[] identity;
        private final String[] session;
        final Map<String, Long> failedMeasured = new TreeMap<>();
        final Map<String, Long> failedAll = new TreeMap<>();
        final Map<String, Long> outcomes = new TreeMap<>();
        long[] latencies = new long[1 << 16];
        int recorded;
        long sent;
        long ok;
        RuntimeException crash;

        Sender(int index, int connections, String run, URL webhook, WebhookSigner signer, long measureFrom,
                long measureUntil) {
            this.thread = new Thread(this, "webhook-connection-" + index);
            this.webhook = webhook;
            this.signer = signer;
            this.measureFrom = measureFrom;
            this.measureUntil = measureUntil;
            int rooms = (ROOMS - index + connections - 1) / connections;
            this.events = new WebhookEvents[rooms];
            this.identity = new String[rooms];
            this.session = new String[rooms];
            for (int i = 0; i < rooms; i++) {
                int room = index + i * connections;
                events[i] = new WebhookEvents("throughput-" + run + "-" + room, Clock.systemUTC());
                identity[i] = "user-" + room;
            }
        }

        @Override
        public void run() {
            try {
                sendUntilStopped();
            } catch (RuntimeException e) {
                crash = e;
            }
        }

        private void sendUntilStopped() {
            for (long i = 0; running; i++) {
                int room = (int) (i % events.length);
                byte[] body;
                if (session[room] == null) {
                    session[room] = events[room].newSessionId();
                    body = events[room].participantJoined(session[room], identity[room], "STANDARD");
                } else {
                    body = events[room].participantLeft(session[room], identity[room], "STANDARD");
                    session[room] = null;
                }
                String authorization = signer.authorization(body);
                long began = System.nanoTime();
                Answer answer;
                try {
                    answer = exchange(body, authorization);
                } catch (IOException e) {
                    answer = new Answer(e.getClass().getSimpleName(), null);
                }
                long ended = System.nanoTime();
                sent++;
                boolean inWindow = ended - measureFrom >= 0 && ended - measureUntil < 0;
                if (answer.failure() != null) {
                    failedAll.merge(answer.failure(), 1L, Long::sum);
                    if (inWindow) {
                        failedMeasured.merge(answer.failure(), 1L, Long::sum);
                    }
                    if (answer.outcome() == null) {
                        LockSupport.parkNanos(10_000_000); // an I/O error: do not spin on a server that is gone
                    }
                    continue;
                }
                ok++;
                if (inWindow) {
                    outcomes.merge(answer.outcome(), 1L, Long::sum);
                    if (recorded == latencies.length) {
                        latencies = Arrays.copyOf(latencies, recorded * 2);
                    }
                    latencies[recorded++] = ended - began;
                }
            }
        }

        /**
         * Sends one request and reads the whole answer, which returns the connection to the keep-alive cache; on an
         * I/O error the connection is closed.
         */
        private Answer exchange(byte[] body, String authorization) throws IOException {
            HttpURLConnection http = (HttpURLConnection) webhook.openConnection();
            try {
                http.setRequestMethod("POST");
                http.setDoOutput(true);
                http.setUseCaches(false);
                http.setConnectTimeout(TIMEOUT_MILLIS);
                http.setReadTimeout(TIMEOUT_MILLIS);
                http.setRequestProperty("Content-Type", "application/webhook+json");
                http.setRequestProperty("Authorization", authorization);
                try (OutputStream out = http.getOutputStream()) {
                    out.write(body);
                }
                int status = http.getResponseCode();
                byte[] answer;
                try (InputStream in = status >= 400 ? http.getErrorStream() : http.getInputStream()) {
                    answer = in == null ? new byte[0] : in.readAllBytes();
                }
                return status == 200 ? new Answer(null, outcome(new String(answer, StandardCharsets.UTF_8)))
                        : new Answer(Integer.toString(status), "");
            } catch (IOException e) {
                http.disconnect();
                throw e;
            }
        }

        /** The {@code outcome} field of a webhook answer, or {@code (none)} (older servers). */
        private static String outcome(String answer) {
            String field = "\"outcome\":\"";
            int at = answer.indexOf(field);
            if (at < 0) {
                return "(none)";
            }
            int from = at + field.length();
            int to = answer.indexOf('"', from);
            return to < 0 ? "(none)" : answer.substring(from, to);
        }
    }

    /**
     * What one request got: for a 200 answer no failure and its outcome; otherwise the status, or the I/O error's
     * class name with a null outcome.
     */
    private record Answer(String failure, String outcome) {}
}
