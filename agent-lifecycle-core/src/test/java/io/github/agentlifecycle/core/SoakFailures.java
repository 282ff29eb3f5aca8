package io.github.agentlifecycle.core;

import java.util.ArrayList;
import java.util.List;

/** What went wrong in a soak run, from any thread. Keeps the first few descriptions and counts the rest. */
final class SoakFailures {
    private static final int KEPT = 50;

    private final List<String> first = new ArrayList<>();
    private long total;

    synchronized void add(String failure) {
        total++;
        if (first.size() < KEPT) {
            first.add(failure);
        }
    }

    void add(String what, Throwable error) {
        add(what + ": " + error);
    }

    synchronized long total() {
        return total;
    }

    synchronized List<String> first() {
        return List.copyOf(first);
    }
}
