package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.spi.AgentOutputSink;
import java.util.ArrayList;
import java.util.List;

/** Keeps every line it receives; readable from any thread while lines arrive. */
final class CollectingSink implements AgentOutputSink {
    private final List<Line> lines = new ArrayList<>();

    @Override
    public synchronized void accept(Line line) {
        lines.add(line);
    }

    synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    synchronized int count() {
        return lines.size();
    }

    synchronized boolean received(String text) {
        return lines.stream().anyMatch(line -> line.text().equals(text));
    }

    synchronized List<String> texts() {
        return lines.stream().map(Line::text).toList();
    }
}
