package io.github.agentlifecycle.benchmarks;

import java.util.SplittableRandom;

/**
 * LiveKit-shaped ids ({@code RM_}, {@code PA_}, {@code EV_} followed by twelve base-62 characters), drawn from a
 * seeded generator so every run sees the same ids. Not thread-safe.
 */
final class Ids {
    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int LENGTH = 12;

    private final SplittableRandom random;

    Ids(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A room sid. */
    String room() {
        return next("RM_");
    }

    /** A participant session id. */
    String session() {
        return next("PA_");
    }

    /** A webhook event id. */
    String event() {
        return next("EV_");
    }

    private String next(String prefix) {
        char[] id = new char[prefix.length() + LENGTH];
        prefix.getChars(0, prefix.length(), id, 0);
        for (int i = prefix.length(); i < id.length; i++) {
            id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
