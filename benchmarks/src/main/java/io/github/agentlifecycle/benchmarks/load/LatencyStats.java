package io.github.agentlifecycle.benchmarks.load;

import java.util.Arrays;
import java.util.List;

/** Percentiles of a set of latencies in nanoseconds. */
final class LatencyStats {
    private final long[] sorted;

    LatencyStats(long[] nanos, int count) {
        this.sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
    }

    /** The {@code p}-th percentile in milliseconds (nearest rank). */
    double millis(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /** The percentiles of {@code nanos}. */
    static LatencyStats of(List<Long> nanos) {
        return new LatencyStats(nanos.stream().mapToLong(Long::longValue).toArray(), nanos.size());
    }

    int count() {
        return sorted.length;
    }

    String summary() {
        return String.format("n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms", count(), millis(50), millis(90),
                millis(99), millis(100));
    }

    /** Count, min, p50, p99 and max in whole milliseconds, for latencies of a second or more. */
    String wholeMillis() {
        return String.format("n=%d min=%.0f p50=%.0f p99=%.0f max=%.0f ms", count(), millis(0), millis(50),
                millis(99), millis(100));
    }
}
