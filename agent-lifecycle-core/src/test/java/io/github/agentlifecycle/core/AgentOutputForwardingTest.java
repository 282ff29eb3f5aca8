package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.RealProcesses.await;
import static io.github.agentlifecycle.core.RealProcesses.get;
import static io.github.agentlifecycle.core.RealProcesses.script;
import static io.github.agentlifecycle.core.RealProcesses.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.AgentOutputSink.Line;
import io.github.agentlifecycle.core.spi.AgentOutputSink.Stream;
import io.github.agentlifecycle.core.spi.AgentOutputSink;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentExited;
import io.github.agentlifecycle.core.spi.LifecycleEvent.AgentLaunched;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output forwarding with real processes under an {@link AgentManager}: an agent printing 100 000 lines does not
 * slow the engine (stats keep answering while it floods); a sink that keeps up (a queue with room for the whole
 * flood: with the default 10 000 a flood from {@code seq} outruns any sink) receives every line in order, tagged
 * with room, identity, pid and stream, with over-long lines cut to the maximum length and marked; with a slow sink
 * the agent still finishes at once, lines are dropped, and every dropped line is accounted for by {@link
 * Line#droppedBefore()} on the next delivered line, also when stdout and stderr flood at the same time.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "uses /proc, setsid and coreutils")
class AgentOutputForwardingTest {
    private static final String ROOM = "room-a";
    private static final int MAX_LINE = 1000;
    private static final Duration PROMPT = Duration.ofSeconds(5);

    @RegisterExtension
    final RealProcesses processes = new RealProcesses();

    @TempDir
    Path dir;

    private final EventLog events = new EventLog();

    private AgentManager manager(Path agent, AgentOutputSink sink, int queueCapacity) {
        AgentManager manager = processes.closeLater(AgentManager.builder(ProcessAgentLauncher.builder(sh(agent))
                        .environment("DIR", dir.toString())
                        .stateDirectory(dir.resolve("state"))
                        .outputSink(sink)
                        .maxLineLength(MAX_LINE)
                        .outputQueueCapacity(queueCapacity)
                        .build())
                .listener(events)
                .listener(processes.agentTracker())
                .build());
        manager.start();
        return manager;
    }

    /** Asks for stats while {@code running} holds; every answer must come within {@link #PROMPT}. */
    private static int statsWhile(AgentManager manager, BooleanSupplier running)
            throws Exception {
        int answered = 0;
        long deadline = System.nanoTime() + RealProcesses.DEADLINE.toNanos();
        while (running.getAsBoolean() && System.nanoTime() - deadline < 0) {
            assertThat(get(manager.statsAsync(), PROMPT).totalRooms()).isEqualTo(1);
            answered++;
            LockSupport.parkNanos(1_000_000);
        }
        return answered;
    }

    @Test
    void fastSinkGetsEveryLineInOrderAndOverLongLinesCut() throws Exception {
        Path agent = script(dir, "agent.sh", """
                seq 1 100000
                long=$(printf '%05000d' 0)
                echo "$long"
                echo "$long$long$long$long$long" >&2
                printf '%01000d\\n' 0
                echo END""");
        CollectingSink sink = new CollectingSink();
        AgentManager manager = manager(agent, sink, 110_000);

        manager.ensureAgent(ROOM);
        int answered = statsWhile(manager, () -> events.of(AgentExited.class).isEmpty());
        await(() -> sink.count() >= 100_004, "every line to be delivered");

        assertThat(answered).isPositive();
        long pid = events.of(AgentLaunched.class).get(0).pid();
        String identity = events.of(AgentLaunched.class).get(0).agentIdentity();
        List<Line> lines = sink.lines();
        assertThat(lines).hasSize(100_004).allSatisfy(line -> {
            assertThat(line.roomName()).isEqualTo(ROOM);
            assertThat(line.agentIdentity()).isEqualTo(identity);
            assertThat(line.pid()).isEqualTo(pid);
            assertThat(line.droppedBefore()).isZero();
        });
        List<Line> stdout = lines.stream().filter(line -> line.stream() == Stream.STDOUT).toList();
        for (int i = 0; i < 100_000; i++) {
            assertThat(stdout.get(i).text()).isEqualTo(Integer.toString(i + 1));
            assertThat(stdout.get(i).truncated()).isFalse();
        }
        assertThat(stdout.get(100_000).text()).hasSize(MAX_LINE).containsOnlyDigits();
        assertThat(stdout.get(100_000).truncated()).isTrue();
        assertThat(stdout.get(100_001).text()).hasSize(MAX_LINE);
        assertThat(stdout.get(100_001).truncated()).isFalse();
        assertThat(stdout.get(100_002).text()).isEqualTo("END");
        List<Line> stderr = lines.stream().filter(line -> line.stream() == Stream.STDERR).toList();
        assertThat(stderr).singleElement().satisfies(line -> {
            assertThat(line.text()).hasSize(MAX_LINE);
            assertThat(line.truncated()).isTrue();
        });
    }

    @Test
    void controlCharactersAnAgentPrintsCannotForgeLogLines() throws Exception {
        Path agent = script(dir, "agent.sh", """
                printf 'hello\\r12:00:00.000 INFO AgentManager - Room other: forged\\n'
                printf '\\033[31mred\\033[0m\\ttabbed\\n'
                echo END""");
        CollectingSink sink = new CollectingSink();
        AgentManager manager = manager(agent, sink, 100);

        manager.ensureAgent(ROOM);
        await(() -> sink.count() >= 3, "every line to be delivered");

        List<Line> lines = sink.lines();
        assertThat(lines.get(0).text()).isEqualTo("hello\r12:00:00.000 INFO AgentManager - Room other: forged");
        assertThat(lines.get(0).format()).endsWith("] hello?12:00:00.000 INFO AgentManager - Room other: forged");
        assertThat(lines.get(1).format()).endsWith("] ?[31mred?[0m\ttabbed");
        assertThat(lines.get(2).format()).endsWith("] END");
    }

    @Test
    void slowSinkLosesLinesButNeverSlowsTheAgentAndEveryLossIsCounted() throws Exception {
        Path agent = script(dir, "agent.sh", """
                seq 1 50000 >&2 &
                seq 50001 100000
                wait
                touch "$DIR/flooded"
                n=0
                while [ ! -e "$DIR/go" ]; do echo sync; echo errsync >&2; n=$((n + 1)); sleep 0.01; done
                echo "$n" > "$DIR/syncs"
                echo END""");
        AtomicBoolean slow = new AtomicBoolean(true);
        CollectingSink delivered = new CollectingSink();
        AgentOutputSink sink = line -> {
            if (slow.get()) {
                LockSupport.parkNanos(1_000_000);
            }
            delivered.accept(line);
        };
        AgentManager manager = manager(agent, sink, 100);

        manager.ensureAgent(ROOM);
        int answered = statsWhile(manager, () -> !Files.exists(dir.resolve("flooded")));
        await(() -> Files.exists(dir.resolve("flooded")), "the agent to print every line");
        slow.set(false);
        await(() -> delivered.received("sync") && delivered.received("errsync"), "the sink to catch up on both streams");
        Files.createFile(dir.resolve("go"));
        await(() -> !events.of(AgentExited.class).isEmpty(), "the agent to exit");
        await(() -> delivered.received("END"), "the last line");

        assertThat(answered).isPositive();
        long printed = 100_000 + 2 * Long.parseLong(Files.readString(dir.resolve("syncs"), StandardCharsets.UTF_8)
                .trim()) + 1;
        await(() -> delivered.lines().size() + delivered.lines().stream().mapToLong(Line::droppedBefore).sum()
                == printed, "every line delivered or counted as dropped");
        List<Line> lines = delivered.lines();
        long dropped = lines.stream().mapToLong(Line::droppedBefore).sum();
        assertThat(lines).allSatisfy(line -> assertThat(line.droppedBefore()).isNotNegative());
        assertThat(dropped).isPositive();
        assertThat(lines.size() + dropped).isEqualTo(printed);
        assertThat(increasing(lines, Stream.STDOUT)).isTrue();
        assertThat(increasing(lines, Stream.STDERR)).isTrue();
    }

    private static boolean increasing(List<Line> lines, Stream stream) {
        long previous = 0;
        for (Line line : lines) {
            if (line.stream() == stream && line.text().chars().allMatch(Character::isDigit)) {
                long value = Long.parseLong(line.text());
                if (value <= previous) {
                    return false;
                }
                previous = value;
            }
        }
        return true;
    }
}
