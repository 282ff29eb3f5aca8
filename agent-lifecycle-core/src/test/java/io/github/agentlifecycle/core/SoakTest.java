package io.github.agentlifecycle.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A soak run (see {@link Soak}) with real agent processes: rooms opened and closed at random, agents that crash,
 * hang, exit by themselves or leave children behind. Checks, throughout, that no room ever has two agents' processes
 * at once, that no more than {@code maxTotalAgents} agents exist at once and that every call behaves as documented;
 * and at the end, that no room, agent, agent process or state record is left, that the library logged no error, and
 * that heap, threads and open file descriptors are back near their post-warm-up baseline.
 *
 * <p>Tagged {@code soak}: not part of the default build, run on demand with {@code mvn -B -o -pl
 * agent-lifecycle-core test -Dgroups=soak}. Runs for 30 seconds; {@code -Dsoak.duration=PT10M} makes it longer and
 * {@code -Dsoak.seed=N} repeats the driver's choices of an earlier run (the seed is printed). {@link SoakMain} runs
 * the same outside JUnit.
 */
@Tag("soak")
@EnabledOnOs(value = OS.LINUX, disabledReason = "reads /proc; uses setsid and /bin/sh")
class SoakTest {
    /** Beyond the soak's duration: the drain, the final checks and closing take well under a minute. */
    private static final Duration HANG_ALLOWANCE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void roomsAgentsAndProcessesComeAndGoWithoutLeaks() throws Exception {
        Duration duration = Duration.parse(System.getProperty("soak.duration", "PT30S"));
        long seed = Long.getLong("soak.seed", System.nanoTime());

        SoakReport report = assertTimeoutPreemptively(duration.plus(HANG_ALLOWANCE),
                () -> new Soak(dir, duration, seed, System.out::println).run(),
                () -> "soak run with seed " + seed + " hung");
        System.out.print(report.summary());

        assertThat(report.failures()).as("failures of soak run with seed %d", seed).isEmpty();
        assertThat(report.passed()).isTrue();
        assertThat(report.stats().agentLaunches()).as("launches").isGreaterThan(20);
        assertThat(report.stats().agentCrashes()).as("crashes").isPositive();
        assertThat(report.stats().roomsClosed()).as("rooms closed").isPositive();
    }
}
