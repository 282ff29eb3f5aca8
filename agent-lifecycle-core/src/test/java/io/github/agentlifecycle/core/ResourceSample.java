package io.github.agentlifecycle.core;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What this JVM holds at one moment: heap in use after full collections (the least of a few tries, so that garbage
 * a collection did not get to yet does not count), live threads, and open file descriptors (-1 where {@code
 * /proc/self/fd} cannot be read). Leaks of any of them grow with the number of agents launched.
 *
 * @param heapBytes heap in use after collection, in bytes
 * @param threads live threads
 * @param fileDescriptors open file descriptors, or -1 if unknown
 */
record ResourceSample(long heapBytes, int threads, int fileDescriptors) {

    /** Collects garbage {@code gcTries} times and samples. */
    static ResourceSample take(int gcTries) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < gcTries; i++) {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return new ResourceSample(least, ManagementFactory.getThreadMXBean().getThreadCount(), openFileDescriptors());
    }

    private static int openFileDescriptors() {
        try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
            return (int) open.count();
        } catch (IOException | RuntimeException unavailable) {
            return -1;
        }
    }

    /** {@code bytes} in MiB with one decimal. */
    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    @Override
    public String toString() {
        return mib(heapBytes) + "/" + threads + "t/" + fileDescriptors + "fd";
    }
}
