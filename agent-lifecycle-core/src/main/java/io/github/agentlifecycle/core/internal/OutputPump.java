package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.AgentOutputSink;
import io.github.agentlifecycle.core.spi.AgentOutputSink.Line;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads agents' stdout and stderr line by line and hands the lines to an {@link AgentOutputSink} on one
 * forwarding thread. Readers never wait for the sink: they always drain the pipe (so an agent never blocks on a
 * full pipe), cut lines at a maximum length, and drop lines when the bounded queue is full. Memory is bounded by
 * the queue capacity times the maximum line length.
 */
public final class OutputPump {
    private static final System.Logger LOG = System.getLogger(OutputPump.class.getName());
    private static final Line STOP = new Line("", "", 0, AgentOutputSink.Stream.STDOUT, "", false, 0);

    private final AgentOutputSink sink;
    private final int maxLineLength;
    private final BlockingQueue<Line> queue;
    private final Thread forwarder;
    private final AtomicLong dropped = new AtomicLong();

    /** A pump delivering to {@code sink}; call {@link #close(long)} to stop its thread. */
    public OutputPump(AgentOutputSink sink, int maxLineLength, int queueCapacity) {
        this.sink = sink;
        this.maxLineLength = maxLineLength;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.forwarder = new Thread(this::forward, "agent-output");
        this.forwarder.setDaemon(true);
        this.forwarder.start();
    }

    /**
     * The room and identity lines of one agent are tagged with, which change when an agent started ahead of need is
     * handed its room, and who watches its stdout. Thread-safe.
     */
    public static final class Tag {
        private volatile String room;
        private volatile String identity;
        private final @Nullable Consumer<String> stdoutWatcher;

        /**
         * A tag naming {@code room} and {@code identity} (both empty for an agent without a room yet).
         *
         * @param stdoutWatcher sees every line of stdout, on the reading thread, before it is queued; must not block
         */
        public Tag(String room, String identity, @Nullable Consumer<String> stdoutWatcher) {
            this.room = room;
            this.identity = identity;
            this.stdoutWatcher = stdoutWatcher;
        }

        /** Tags the lines read from now on with {@code room} and {@code identity}. */
        public void retag(String room, String identity) {
            this.room = room;
            this.identity = identity;
        }
    }

    /** Starts reading both streams of {@code process}, tagging their lines with {@code tag}. */
    public void attach(Process process, Tag tag) {
        long pid = process.pid();
        AtomicLong droppedHere = new AtomicLong();
        read(process.getInputStream(), tag, pid, AgentOutputSink.Stream.STDOUT, droppedHere);
        read(process.getErrorStream(), tag, pid, AgentOutputSink.Stream.STDERR, droppedHere);
    }

    /** Lines dropped so far because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Delivers what is queued, then stops the forwarding thread (waiting at most {@code timeoutMillis}). */
    public void close(long timeoutMillis) {
        try {
            if (!queue.offer(STOP, timeoutMillis, TimeUnit.MILLISECONDS)) {
                forwarder.interrupt();
            }
            forwarder.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read(InputStream stream, Tag tag, long pid, AgentOutputSink.Stream kind, AtomicLong droppedHere) {
        Consumer<String> watcher = kind == AgentOutputSink.Stream.STDOUT ? tag.stdoutWatcher : null;
        Thread reader = new Thread(() -> {
            LineReader lines = new LineReader(stream, maxLineLength);
            try {
                LineReader.Result line;
                while ((line = lines.next()) != null) {
                    if (watcher != null) {
                        watch(watcher, line.text());
                    }
                    long before = droppedHere.getAndSet(0);
                    Line out = new Line(tag.room, tag.identity, pid, kind, line.text(), line.truncated(), before);
                    if (!queue.offer(out)) {
                        droppedHere.addAndGet(before + 1);
                        dropped.incrementAndGet();
                    }
                }
            } catch (IOException closed) {
                // the process ended or its pipe was closed
            } finally {
                try {
                    stream.close();
                } catch (IOException ignored) {
                    // nothing more to read either way
                }
            }
        }, "agent-output-" + pid + "-" + kind.name().toLowerCase(Locale.ROOT));
        reader.setDaemon(true);
        reader.start();
    }

    private static void watch(Consumer<String> watcher, String line) {
        try {
            watcher.accept(line);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "agent output watcher failed", e);
        }
    }

    private void forward() {
        while (true) {
            Line line;
            try {
                line = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (line == STOP) {
                return;
            }
            if (line == null) {
                continue;
            }
            try {
                sink.accept(line);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "agent output sink failed", e);
            }
        }
    }

    /** Splits a byte stream into UTF-8 lines of at most a given length, skipping the rest of longer lines. */
    static final class LineReader {
        private final InputStream in;
        private final int max;
        private final byte[] buffer = new byte[8192];
        private int position;
        private int limit;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

        record Result(String text, boolean truncated) {}

        LineReader(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        Result next() throws IOException {
            line.reset();
            boolean truncated = false;
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return any ? finish(truncated) : null;
                    }
                }
                any = true;
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                int room = max * 4 - line.size();
                int take = Math.min(position - start, Math.max(room, 0));
                line.write(buffer, start, take);
                if (take < position - start) {
                    truncated = true;
                }
                if (position < limit) {
                    position++;
                    return finish(truncated);
                }
            }
        }

        private Result finish(boolean truncated) {
            String text = line.toString(StandardCharsets.UTF_8);
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.length() > max) {
                text = text.substring(0, max);
                truncated = true;
            }
            return new Result(text, truncated);
        }
    }
}
