/**
 * JMH benchmarks of the engine's event path and the LiveKit webhook path, and a heap measurement of idle
 * tracked rooms. Not published; run from {@code benchmarks/target/benchmarks.jar} (see {@code BENCHMARKS.md}).
 */
@NullMarked
package io.github.agentlifecycle.benchmarks;

import org.jspecify.annotations.NullMarked;
