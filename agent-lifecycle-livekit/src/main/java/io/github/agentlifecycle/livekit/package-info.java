/**
 * LiveKit integration: token minting, webhook verification and mapping, room reconciliation and the agent-dispatch launcher.
 */
@NullMarked
package io.github.agentlifecycle.livekit;

import org.jspecify.annotations.NullMarked;
