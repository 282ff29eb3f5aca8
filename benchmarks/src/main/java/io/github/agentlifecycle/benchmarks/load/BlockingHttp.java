package io.github.agentlifecycle.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP exchange on the calling thread with {@link HttpURLConnection} (blocking sockets, the JDK's keep-alive
 * cache), as {@link WebhookThroughput} sends them: no hand-off to other threads, so on a machine the servers share
 * the client adds as little as it can to what is measured. Stateless; the keep-alive cache is shared by all threads
 * (raise {@code http.maxConnections} before the first request to keep more connections). A POST is never sent
 * again silently once {@link #noRetries()} has run.
 */
final class BlockingHttp {
    private static final int TIMEOUT_MILLIS = 10_000;

    private BlockingHttp() {}

    /** The status and body of one answer. */
    record Answer(int status, String body) {
        boolean ok() {
            return status == 200;
        }
    }

    /** Turns off the JDK's silent resending of a POST whose connection failed; call before any request. */
    static void noRetries() {
        System.setProperty("sun.net.http.retryPost", "false");
    }

    /** {@code POST url} with a JSON body; {@code authorization} may be null. */
    static Answer post(String url, String contentType, byte[] body, String authorization) throws IOException {
        return exchange("POST", url, contentType, body, authorization);
    }

    /** {@code GET url} with an {@code Authorization} header. */
    static Answer get(String url, String authorization) throws IOException {
        return exchange("GET", url, null, null, authorization);
    }

    /** {@code POST url}, or an {@link UncheckedIOException}; fails unless the answer is 200. */
    static String postOk(String url, String contentType, byte[] body, String authorization) {
        try {
            Answer answer = post(url, contentType, body, authorization);
            if (!answer.ok()) {
                throw new IllegalStateException("POST " + url + " answered " + answer.status() + ": " + answer.body());
            }
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + url, e);
        }
    }

    /** {@code GET url}, or an {@link UncheckedIOException}; fails unless the answer is 200. */
    static String getOk(String url, String authorization) {
        try {
            Answer answer = get(url, authorization);
            if (!answer.ok()) {
                throw new IllegalStateException("GET " + url + " answered " + answer.status() + ": " + answer.body());
            }
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url, e);
        }
    }

    private static Answer exchange(String method, String url, String contentType, byte[] body, String authorization)
            throws IOException {
        HttpURLConnection http = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            http.setRequestMethod(method);
            http.setUseCaches(false);
            http.setConnectTimeout(TIMEOUT_MILLIS);
            http.setReadTimeout(TIMEOUT_MILLIS);
            if (authorization != null) {
                http.setRequestProperty("Authorization", authorization);
            }
            if (body != null) {
                http.setDoOutput(true);
                http.setRequestProperty("Content-Type", contentType);
                try (OutputStream out = http.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = http.getResponseCode();
            byte[] answer;
            try (InputStream in = status >= 400 ? http.getErrorStream() : http.getInputStream()) {
                answer = in == null ? new byte[0] : in.readAllBytes();
            }
            return new Answer(status, new String(answer, StandardCharsets.UTF_8));
        } catch (IOException e) {
            http.disconnect();
            throw e;
        }
    }
}
