/**
 * Extension points of the lifecycle engine: how agents are launched ({@link
 * io.github.agentlifecycle.core.spi.AgentLauncher}), how time passes ({@link
 * io.github.agentlifecycle.core.spi.Clock}), where their output goes ({@link
 * io.github.agentlifecycle.core.spi.AgentOutputSink}) and who hears about what happens ({@link
 * io.github.agentlifecycle.core.spi.LifecycleListener}).
 *
 * <p>Implementations are passed to {@link io.github.agentlifecycle.core.AgentManager.Builder} explicitly;
 * nothing is discovered from the class path. Methods added to these interfaces later come with default bodies.
 */
@NullMarked
package io.github.agentlifecycle.core.spi;

import org.jspecify.annotations.NullMarked;
