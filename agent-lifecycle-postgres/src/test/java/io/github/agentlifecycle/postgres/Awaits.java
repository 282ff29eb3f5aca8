package io.github.agentlifecycle.postgres;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes; tests wait with it instead of sleeping a fixed time. */
final class Awaits {
    private Awaits() {}

    static void until(Duration timeout, BooleanSupplier condition) {
        until("the condition holds", timeout, condition);
    }

    /** Polls until {@code condition} holds; fails saying {@code what} was awaited when {@code timeout} passes. */
    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
