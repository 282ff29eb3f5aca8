/**
 * The public API of the lifecycle engine: {@link io.github.agentlifecycle.core.AgentManager}, its immutable
 * configuration, the events it accepts and the snapshots it reports.
 *
 * <p>Every type in this package is null-marked: a parameter or return value may be {@code null} only where it
 * is annotated {@code @Nullable}.
 */
@NullMarked
package io.github.agentlifecycle.core;

import org.jspecify.annotations.NullMarked;
