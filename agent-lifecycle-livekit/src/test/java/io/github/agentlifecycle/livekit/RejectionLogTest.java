package io.github.agentlifecycle.livekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class RejectionLogTest {
    private final ManualClock clock = new ManualClock();
    private final RecordingLogger log = new RecordingLogger();
    private final RejectionLog rejections = new RejectionLog(log, clock, Duration.ofMinutes(1));

    private static WebhookException rejection(WebhookException.Reason reason) {
        return new WebhookException(reason, "because " + reason.name().toLowerCase());
    }

    @Test
    void aFloodOfRejectionsWritesOneWarningPerReasonAndInterval() {
        for (int i = 0; i < 1000; i++) {
            rejections.rejected(rejection(WebhookException.Reason.EXPIRED));
        }
        assertThat(log.lines(Level.WARN)).containsExactly("webhook rejected: EXPIRED (because expired)");
        assertThat(log.lines(Level.DEBUG)).hasSize(999);

        clock.advance(Duration.ofSeconds(59));
        rejections.rejected(rejection(WebhookException.Reason.EXPIRED));
        assertThat(log.lines(Level.WARN)).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        rejections.rejected(rejection(WebhookException.Reason.EXPIRED));
        assertThat(log.lines(Level.WARN)).containsExactly("webhook rejected: EXPIRED (because expired)",
                "webhook rejected: EXPIRED (because expired); 1000 more rejected for this reason since the last"
                        + " such line");
        assertThat(log.lines(Level.DEBUG)).hasSize(1000);

        clock.advance(Duration.ofMinutes(5));
        rejections.rejected(rejection(WebhookException.Reason.EXPIRED));
        assertThat(log.lines(Level.WARN)).hasSize(3).last().isEqualTo("webhook rejected: EXPIRED (because expired)");
    }

    @Test
    void eachReasonHasItsOwnAllowance() {
        rejections.rejected(rejection(WebhookException.Reason.EXPIRED));
        rejections.rejected(rejection(WebhookException.Reason.BAD_SIGNATURE));
        rejections.rejected(rejection(WebhookException.Reason.EXPIRED));
        rejections.rejected(rejection(WebhookException.Reason.MALFORMED_BODY));

        assertThat(log.lines(Level.WARN)).containsExactly("webhook rejected: EXPIRED (because expired)",
                "webhook rejected: BAD_SIGNATURE (because bad_signature)",
                "webhook rejected: MALFORMED_BODY (because malformed_body)");
        assertThat(rejections.counts()).hasSize(WebhookException.Reason.values().length)
                .containsEntry(WebhookException.Reason.EXPIRED, 2L)
                .containsEntry(WebhookException.Reason.BAD_SIGNATURE, 1L)
                .containsEntry(WebhookException.Reason.MALFORMED_BODY, 1L)
                .containsEntry(WebhookException.Reason.HASH_MISMATCH, 0L);
    }

    @Test
    void concurrentRejectionsAreAllCountedAndWarnedAboutOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 5000; i++) {
                        rejections.rejected(rejection(WebhookException.Reason.HASH_MISMATCH));
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(rejections.counts()).containsEntry(WebhookException.Reason.HASH_MISMATCH, 20_000L);
        assertThat(log.lines(Level.WARN)).hasSize(1);
        assertThat(log.lines(Level.DEBUG)).hasSize(19_999);

        clock.advance(Duration.ofMinutes(1));
        rejections.rejected(rejection(WebhookException.Reason.HASH_MISMATCH));
        assertThat(log.lines(Level.WARN)).hasSize(2).last().asString().contains("; 19999 more rejected");
    }

    /** Keeps every line logged at each level, formatted. */
    private static final class RecordingLogger extends LegacyAbstractLogger {
        private final List<Level> levels = Collections.synchronizedList(new ArrayList<>());
        private final List<String> messages = Collections.synchronizedList(new ArrayList<>());

        List<String> lines(Level level) {
            synchronized (messages) {
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < messages.size(); i++) {
                    if (levels.get(i) == level) {
                        lines.add(messages.get(i));
                    }
                }
                return lines;
            }
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                Throwable throwable) {
            synchronized (messages) {
                levels.add(level);
                messages.add(MessageFormatter.basicArrayFormat(pattern, arguments));
            }
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
