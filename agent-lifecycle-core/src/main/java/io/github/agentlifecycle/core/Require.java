package io.github.agentlifecycle.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The argument rules every agent-lifecycle module applies, with messages that name the argument, for example
 * {@code "gracePeriod must be >= 0"}. The one home of the name rule ({@link #name}) that room names, identities,
 * session ids and event ids follow, at build time and in HTTP requests alike. Stateless and thread-safe.
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
     *
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException naming {@code name} if {@code value} breaks the rule
     */
    public static String name(@Nullable String value, String name) {
        nonNull(value, name);
        String problem = nameProblem(value, MAX_NAME_LENGTH);
        if (problem != null) {
            throw new IllegalArgumentException(name + " " + problem);
        }
        return value;
    }

    /**
     * What is wrong with {@code value} as a name of at most {@code maxLength} characters, as a phrase to follow the
     * argument's name ({@code "must not be blank"}), or null if nothing is.
     */
    public static @Nullable String nameProblem(String value, int maxLength) {
        return value.isBlank() ? "must not be blank" : textProblem(value, maxLength);
    }

    /**
     * What is wrong with {@code value} as free text of at most {@code maxLength} characters (blank is fine, control
     * characters are not), as a phrase to follow the argument's name, or null if nothing is.
     */
    public static @Nullable String textProblem(String value, int maxLength) {
        if (value.length() > maxLength) {
            return "must be at most " + maxLength + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return "must not contain control characters";
            }
        }
        return null;
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
