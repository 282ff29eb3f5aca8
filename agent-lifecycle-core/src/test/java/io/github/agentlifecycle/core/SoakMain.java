package io.github.agentlifecycle.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Runs the soak of {@link SoakTest} outside JUnit, for long runs; not a test, run by hand (Linux only):
 *
 * <pre>
 * mvn -B -o -q test-compile -pl agent-lifecycle-core
 * cd agent-lifecycle-core
 * java -cp target/classes:target/test-classes io.github.agentlifecycle.core.SoakMain PT10M [seed]
 * </pre>
 *
 * <p>Prints progress while it runs and a summary at the end; exits with status 1 if the run failed. The run's
 * directory (state records, agents' mode files) is a fresh temporary directory, deleted afterwards.
 */
final class SoakMain {
    private SoakMain() {}

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.parse(args.length > 0 ? args[0] : "PT10M");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.nanoTime();
        Path dir = Files.createTempDirectory("agent-lifecycle-soak");
        SoakReport report;
        try {
            report = new Soak(dir, duration, seed, System.out::println).run();
        } finally {
            deleteTree(dir);
        }
        System.out.print(report.summary());
        System.exit(report.passed() ? 0 : 1);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
