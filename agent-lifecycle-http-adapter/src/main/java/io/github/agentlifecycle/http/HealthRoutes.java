package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.ManagerState;
import java.util.Map;

/**
 * {@code GET /health}, liveness: 200 while the process can answer, whatever the manager does (a draining instance is
 * alive and must not be restarted). {@code GET /health/ready}, readiness: 200 only while the manager takes new rooms,
 * 503 {@code not_ready} before it starts and from the first moment of a drain, so that load balancers stop sending it
 * new rooms. Both name the manager's state. Neither needs a credential nor waits for the engine. Thread-safe.
 */
final class HealthRoutes {
    private final AgentManager manager;

    HealthRoutes(AgentManager manager) {
        this.manager = manager;
    }

    ApiResponse live() {
        return ApiJson.ok(Map.of("status", "ok", "state", LowerCaseEnums.name(manager.state())));
    }

    ApiResponse ready() {
        ManagerState state = manager.state();
        String name = LowerCaseEnums.name(state);
        if (state != ManagerState.RUNNING) {
            throw new ApiError(503, "not_ready", "the agent manager is " + name + " and takes no new rooms",
                    Map.of("Retry-After", "1"));
        }
        return ApiJson.ok(Map.of("status", "ready", "state", name));
    }
}
