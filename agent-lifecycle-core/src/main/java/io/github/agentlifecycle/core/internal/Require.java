package io.github.agentlifecycle.core.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Argument checks whose messages name the argument, for example {@code "gracePeriod must be >= 0"}.
 * Not API.
 */
public final class Require {
    /** Longest room name, identity, session id or event id accepted. */
    public static final int MAX_NAME_LENGTH = 256;

    private Require() {}

    /** Returns {@code value} if it is not null. */
    public static <T> T nonNull(@Nullable T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    /**
     * Returns {@code value} if it is a usable name: not blank, at most {@value #MAX_NAME_LENGTH} characters and
     * without control characters.
     */
    public static String name(@Nullable String value, String name) {
        nonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(name + " must not contain control characters");
            }
        }
        return value;
    }

    /** Returns {@code value} if it is null or a usable name (see {@link #name}). */
    public static @Nullable String optionalName(@Nullable String value, String name) {
        return value == null ? null : name(value, name);
    }

    /** Returns {@code value} if it is not negative. */
    public static Duration nonNegative(@Nullable Duration value, String name) {
        nonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0");
        }
        return value;
    }

    /** Returns {@code value} if it is greater than zero. */
    public static Duration positive(@Nullable Duration value, String name) {
        nonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
        return value;
    }

    /** Returns {@code value} if {@code value >= min}. */
    public static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min);
        }
        return value;
    }

    /** Nanoseconds of a duration, saturated at {@link Long#MAX_VALUE}. */
    public static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
