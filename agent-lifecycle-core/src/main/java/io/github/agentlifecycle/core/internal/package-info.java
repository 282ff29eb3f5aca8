/**
 * Implementation of the lifecycle engine. Not API: anything here may change in any release.
 */
@NullMarked
package io.github.agentlifecycle.core.internal;

import org.jspecify.annotations.NullMarked;
