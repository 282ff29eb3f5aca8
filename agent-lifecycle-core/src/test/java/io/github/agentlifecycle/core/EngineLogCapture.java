package io.github.agentlifecycle.core;

import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts what the library logs at WARNING and above while installed, and keeps it off the console (a soak run logs
 * thousands of expected lines such as "exited unexpectedly"). Messages are grouped after replacing room names,
 * agent identities and numbers, so the counts stay few. Works with the JDK's default {@link System.Logger} backend
 * (java.util.logging), which the core tests use. {@link #close()} restores the logger.
 */
final class EngineLogCapture extends Handler implements AutoCloseable {
    private static final int MAX_KINDS = 200;

    /** Held strongly: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private final Logger logger = Logger.getLogger("io.github.agentlifecycle");
    private final Level previousLevel;
    private final boolean previousUseParent;
    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, String> examples = new TreeMap<>();

    EngineLogCapture() {
        previousLevel = logger.getLevel();
        previousUseParent = logger.getUseParentHandlers();
        logger.setLevel(Level.WARNING);
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (record.getLevel().intValue() < Level.WARNING.intValue()) {
            return;
        }
        String message = record.getMessage() == null ? "" : record.getMessage();
        if (record.getThrown() != null) {
            message += " [" + record.getThrown() + "]";
        }
        String kind = record.getLevel() + " " + generalise(message);
        if (!counts.containsKey(kind) && counts.size() >= MAX_KINDS) {
            kind = record.getLevel() + " (other)";
        }
        counts.merge(kind, 1L, Long::sum);
        examples.putIfAbsent(kind, message);
    }

    static String generalise(String message) {
        return message.replaceAll("soak-room-\\d+", "<room>")
                .replaceAll("ai-agent-[A-Za-z0-9_-]+", "<agent>")
                .replaceAll("\\d+", "<n>");
    }

    /** How often each kind of message was logged, by generalised message. */
    synchronized Map<String, Long> counts() {
        return new TreeMap<>(counts);
    }

    /** The first message of each kind. */
    synchronized Map<String, String> examples() {
        return new TreeMap<>(examples);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
        logger.setUseParentHandlers(previousUseParent);
    }
}
