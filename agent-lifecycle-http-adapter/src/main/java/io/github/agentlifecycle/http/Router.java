package io.github.agentlifecycle.http;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finds the route of a request under the base path and checks, in this order, that the path is a route (404), the
 * body is within its limit (413), the method is the route's (405, naming it in {@code Allow}) and, for admin
 * routes, the admin credential (401, 403); then hands the request to the route. Thread-safe.
 */
final class Router {
    private final String basePath;
    private final BodyLimits limits;
    private final Credentials credentials;
    private final TokenRoute token;
    private final WebhookRoute webhook;
    private final AdminRoutes admin;
    private final AgentReportRoute agentReport;
    private final HealthRoutes health;

    Router(String basePath, BodyLimits limits, Credentials credentials, TokenRoute token, WebhookRoute webhook,
            AdminRoutes admin, AgentReportRoute agentReport, HealthRoutes health) {
        this.basePath = basePath;
        this.limits = limits;
        this.credentials = credentials;
        this.token = token;
        this.webhook = webhook;
        this.admin = admin;
        this.agentReport = agentReport;
        this.health = health;
    }

    /** The answer to {@code request}; throws {@link ApiError} for a request that gets an error. */
    ApiResponse route(ApiRequest request) {
        String path = request.path();
        if (!path.equals(basePath) && !path.startsWith(basePath + "/")) {
            throw notFound();
        }
        if (request.body().length > limits.max(path)) {
            return limits.tooLarge(path);
        }
        String[] segments = path.substring(basePath.length()).split("/", -1);
        List<String> parts = Arrays.asList(segments).subList(1, segments.length);
        String method = request.method();
        if (parts.size() == 1) {
            switch (parts.get(0)) {
                case "token":
                    allow(method, "POST");
                    return token.answer(request);
                case "webhook":
                    allow(method, "POST");
                    return webhook.answer(request);
                case "rooms":
                    allowAdmin(request, "GET");
                    return admin.rooms();
                case "stats":
                    allowAdmin(request, "GET");
                    return admin.stats();
                case "gc":
                    allowAdmin(request, "POST");
                    return admin.gc();
                case "agent-report":
                    allow(method, "POST");
                    return agentReport.answer(request);
                case "health":
                    allow(method, "GET");
                    return health.live();
                default:
                    throw notFound();
            }
        }
        if (parts.size() == 2 && parts.get(0).equals("health") && parts.get(1).equals("ready")) {
            allow(method, "GET");
            return health.ready();
        }
        if (parts.size() == 2 && parts.get(0).equals("rooms")) {
            allowAdmin(request, "GET");
            return admin.room(RequestFields.roomNameInPath(parts.get(1)));
        }
        if (parts.size() == 3 && parts.get(0).equals("rooms") && parts.get(2).equals("close")) {
            allowAdmin(request, "POST");
            return admin.close(RequestFields.roomNameInPath(parts.get(1)));
        }
        throw notFound();
    }

    private void allowAdmin(ApiRequest request, String allowed) {
        allow(request.method(), allowed);
        credentials.requireAdmin(request);
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new ApiError(405, "method_not_allowed", "use " + allowed, Map.of("Allow", allowed));
        }
    }

    private static ApiError notFound() {
        return new ApiError(404, "not_found", "no such route");
    }
}
