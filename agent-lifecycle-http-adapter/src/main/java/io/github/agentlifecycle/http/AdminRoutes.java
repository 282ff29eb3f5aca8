package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import java.util.Map;

/**
 * The admin routes: {@code GET /rooms}, {@code GET /rooms/{name}}, {@code GET /stats}, {@code POST
 * /rooms/{name}/close} and {@code POST /gc}. The caller has checked the admin credential. Thread-safe.
 */
final class AdminRoutes {
    private final AgentManager manager;
    private final LiveKitWebhooks webhooks;

    AdminRoutes(AgentManager manager, LiveKitWebhooks webhooks) {
        this.manager = manager;
        this.webhooks = webhooks;
    }

    ApiResponse rooms() {
        return ApiJson.ok(Map.of("rooms", manager.rooms()));
    }

    ApiResponse room(String name) {
        return ApiJson.ok(manager.room(name).orElseThrow(AdminRoutes::noSuchRoom));
    }

    ApiResponse stats() {
        return ApiJson.ok(new ApiViews.Stats(manager.stats(), webhooks.unusedEventCounts(),
                webhooks.rejectedCounts()));
    }

    ApiResponse close(String name) {
        if (!manager.closeRoom(name)) {
            throw noSuchRoom();
        }
        return ApiJson.ok(new ApiViews.Closing(name, true));
    }

    ApiResponse gc() {
        return ApiJson.ok(manager.runMaintenance());
    }

    private static ApiError noSuchRoom() {
        return new ApiError(404, "room_not_found", "no such room");
    }
}
