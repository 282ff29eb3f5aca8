package io.github.agentlifecycle.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request body up to a limit, so that an oversized body is never held in memory. The rest of an oversized
 * body is read and discarded (up to {@link #DRAIN_LIMIT}), so that the client, which is still sending, receives the
 * 413 instead of a reset connection.
 */
final class BodyReader {
    /** How much of an oversized body is read and thrown away before giving up on the connection. */
    static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    private BodyReader() {}

    /**
     * The body, or null if it is longer than {@code limit} bytes. Reads into an array that starts small and grows,
     * so that the usual small body costs one small allocation.
     */
    static byte @Nullable [] read(InputStream in, int limit) throws IOException {
        byte[] body = new byte[(int) Math.min((long) limit + 1, 1024)];
        int total = 0;
        while (true) {
            if (total == body.length) {
                if (total > limit) {
                    drain(in, new byte[8192], total);
                    return null;
                }
                body = Arrays.copyOf(body, (int) Math.min((long) limit + 1, 2L * body.length));
            }
            int n = in.read(body, total, body.length - total);
            if (n < 0) {
                return total == body.length ? body : Arrays.copyOf(body, total);
            }
            total += n;
        }
    }

    /** Reads and throws away what is left of a body, up to {@link #DRAIN_LIMIT}. */
    static void discard(InputStream in) throws IOException {
        drain(in, new byte[8192], 0);
    }

    private static void drain(InputStream in, byte[] buffer, long alreadyRead) throws IOException {
        long drained = alreadyRead;
        int n;
        while (drained < DRAIN_LIMIT && (n = in.read(buffer)) >= 0) {
            drained += n;
        }
    }
}
