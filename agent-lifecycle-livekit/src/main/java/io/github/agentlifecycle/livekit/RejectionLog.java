package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.spi.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * Counts rejected webhooks by reason and logs them so that a flood of them cannot flood the log: for each reason
 * the first rejection is logged at WARN, then at most one per interval, saying how many more were rejected for that
 * reason since the previous WARN line; the ones in between are logged at DEBUG. Rejected requests come from anyone
 * who can reach the webhook URL, so one line each would let them fill the disk. Thread-safe.
 */
final class RejectionLog {
    private final Logger log;
    private final Clock clock;
    private final long intervalNanos;
    private final Map<WebhookException.Reason, PerReason> byReason = new EnumMap<>(WebhookException.Reason.class);

    /**
     * @param log where the lines go
     * @param clock whose {@link Clock#nanoTime()} spaces the WARN lines
     * @param interval the least time between two WARN lines for one reason
     */
    RejectionLog(Logger log, Clock clock, Duration interval) {
        this.log = log;
        this.clock = clock;
        this.intervalNanos = interval.toNanos();
        long now = clock.nanoTime();
        for (WebhookException.Reason reason : WebhookException.Reason.values()) {
            byReason.put(reason, new PerReason(now));
        }
    }

    /** Counts and logs one rejection. */
    void rejected(WebhookException rejection) {
        PerReason counts = byReason.get(rejection.reason());
        counts.total.increment();
        long now = clock.nanoTime();
        long due = counts.nextWarning.get();
        if (now - due >= 0 && counts.nextWarning.compareAndSet(due, now + intervalNanos)) {
            long since = counts.notWarned.getAndSet(0);
            if (since == 0) {
                log.warn("webhook rejected: {} ({})", rejection.reason(), rejection.getMessage());
            } else {
                log.warn("webhook rejected: {} ({}); {} more rejected for this reason since the last such line",
                        rejection.reason(), rejection.getMessage(), since);
            }
        } else {
            counts.notWarned.incrementAndGet();
            log.debug("webhook rejected: {} ({})", rejection.reason(), rejection.getMessage());
        }
    }

    /** How many webhooks were rejected for each reason, every reason included. */
    Map<WebhookException.Reason, Long> counts() {
        Map<WebhookException.Reason, Long> counts = new EnumMap<>(WebhookException.Reason.class);
        byReason.forEach((reason, perReason) -> counts.put(reason, perReason.total.sum()));
        return counts;
    }

    private static final class PerReason {
        final LongAdder total = new LongAdder();
        /** Rejections logged at DEBUG since the last WARN line. */
        final AtomicLong notWarned = new AtomicLong();
        /** When the next rejection may be logged at WARN. */
        final AtomicLong nextWarning;

        PerReason(long now) {
            this.nextWarning = new AtomicLong(now);
        }
    }
}
