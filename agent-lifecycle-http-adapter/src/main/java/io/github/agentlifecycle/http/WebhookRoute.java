package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.WebhookException;
import java.util.Map;

/**
 * {@code POST /webhook}: hands LiveKit's request to {@link LiveKitWebhooks}, which checks its signature and body
 * hash. 401 for a failed check, 400 for an authentic body that is no event, 503 (with {@code Retry-After}, so that
 * LiveKit sends it again) for an event the engine could not take. Thread-safe.
 */
final class WebhookRoute {
    private static final Map<String, String> RETRY_LATER = Map.of("Retry-After", "10");

    private final LiveKitWebhooks webhooks;

    WebhookRoute(LiveKitWebhooks webhooks) {
        this.webhooks = webhooks;
    }

    ApiResponse answer(ApiRequest request) {
        RequestFields.requireContentType(request, "application/webhook+json", RequestFields.JSON_TYPE);
        LiveKitWebhooks.Result result;
        try {
            result = webhooks.handle(request.body(), request.header("Authorization"));
        } catch (WebhookException rejected) {
            WebhookException.Reason reason = rejected.reason();
            if (reason.isAuthenticationFailure()) {
                throw new ApiError(401, "invalid_webhook_signature",
                        "webhook rejected: " + LowerCaseEnums.name(reason));
            }
            throw new ApiError(400, "malformed_webhook", rejected.getMessage());
        }
        if (result.outcome() == EventOutcome.REFUSED) {
            throw new ApiError(503, "event_memory_full", "too many recent webhook ids to remember another one;"
                    + " send it again later", RETRY_LATER);
        }
        if (result.outcome() == EventOutcome.REJECTED) {
            throw new ApiError(503, "not_running", "the agent manager is not running", RETRY_LATER);
        }
        return ApiJson.ok(result);
    }
}
