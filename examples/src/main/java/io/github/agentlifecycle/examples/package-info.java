/**
 * A runnable quick-start server, a sample agent and a webhook simulator.
 */
@NullMarked
package io.github.agentlifecycle.examples;

import org.jspecify.annotations.NullMarked;
