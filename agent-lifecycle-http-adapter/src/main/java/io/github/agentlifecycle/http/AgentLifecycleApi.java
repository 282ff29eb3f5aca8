package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.Require;
import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API, independent of any server: give it an {@link ApiRequest}, get an {@link ApiResponse}. Bindings
 * for the JDK's {@code HttpServer} ({@link AgentLifecycleHttpServer}) and Jakarta Servlet ({@link
 * AgentLifecycleServlet}) only translate.
 *
 * <p>Routes under the base path (default {@code /api/livekit}): {@code POST /token}, {@code POST /webhook},
 * {@code GET /rooms}, {@code GET /rooms/{name}}, {@code GET /stats}, {@code POST /rooms/{name}/close},
 * {@code POST /gc}, {@code POST /agent-report}, {@code GET /health} (liveness), {@code GET /health/ready}
 * (readiness: 503 unless the manager takes new rooms, so from the first moment of a drain). Answers are JSON: {@code
 * {"success":true,"data":...}} or {@code {"success":false,"error":{"code":...,"message":...}}}.
 *
 * <p>Who may call: admin routes (rooms, stats, close, gc) need {@code Authorization: Bearer <admin token>},
 * compared in constant time; {@code /token} asks the {@link TokenRequestAuthorizer}; {@code /webhook} is
 * authenticated by LiveKit's signature; {@code /agent-report} by the credential the agent was given at launch.
 * Identities reserved for agents are never granted, whatever the authorizer says (see {@link TokenIssuer}).
 * A rejected request changes nothing. Errors are 400 (bad JSON or field), 401/403, 404, 405, 413 (body over the
 * limit; webhooks have their own), 415, 503 for a token request a draining manager does not serve ({@code
 * draining}, with {@code Retry-After}, so that a load balancer or the client retries on another instance), for a
 * webhook the engine could not take (not running, or too many recent event ids to remember another: LiveKit sends it
 * again) and for any request while a shared room store cannot answer ({@code state_unavailable}, with {@code
 * Retry-After}); 500 only for bugs, without details. Nothing in a response reveals a secret. Thread-safe; requests may block briefly while the engine answers.
 */
public final class AgentLifecycleApi {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLifecycleApi.class);

    private final String basePath;
    private final BodyLimits limits;
    private final Router router;

    private AgentLifecycleApi(Builder builder) {
        this.basePath = builder.basePath;
        this.limits = new BodyLimits(basePath + "/webhook", builder.maxBodyBytes, builder.maxWebhookBodyBytes);
        Credentials credentials = new Credentials(builder.adminToken);
        this.router = new Router(basePath, limits, credentials,
                new TokenRoute(builder.manager, builder.tokens, builder.authorizer, credentials, builder.livekitUrl),
                new WebhookRoute(builder.webhooks),
                new AdminRoutes(builder.manager, builder.webhooks),
                new AgentReportRoute(builder.manager),
                new HealthRoutes(builder.manager));
    }

    /**
     * A builder for the API over {@code manager}, minting tokens with {@code tokens} and receiving webhooks with
     * {@code webhooks}.
     *
     * @param livekitUrl the LiveKit URL handed to clients with their token
     * @param adminToken the secret admin routes require; at least 16 characters
     */
    public static Builder builder(AgentManager manager, TokenIssuer tokens, LiveKitWebhooks webhooks,
            String livekitUrl, String adminToken) {
        return new Builder(manager, tokens, webhooks, livekitUrl, adminToken);
    }

    /** The base path, for example {@code /api/livekit}. */
    public String basePath() {
        return basePath;
    }

    /** The largest body accepted for {@code path}: the webhook limit for the webhook route, else the general one. */
    public int maxBodyBytes(String path) {
        return limits.max(path);
    }

    /** Answers one request. Never throws. */
    public ApiResponse handle(ApiRequest request) {
        try {
            return router.route(request);
        } catch (ApiError error) {
            return error.response();
        } catch (SharedStoreUnavailableException unavailable) {
            LOG.warn("{} {}: {}", request.method(), request.path(), unavailable.getMessage());
            return new ApiError(503, "state_unavailable", "room state is unavailable right now; try again shortly",
                    Map.of("Retry-After", "5")).response();
        } catch (RuntimeException bug) {
            LOG.error("{} {} failed", request.method(), request.path(), bug);
            return new ApiError(500, "internal_error", "internal error").response();
        }
    }

    /** The answer for a body over the limit, for bindings that stop reading early. */
    public ApiResponse payloadTooLarge(String path) {
        return limits.tooLarge(path);
    }

    /**
     * The answer for a request that was not received within the binding's read deadline (408, {@code
     * request_timeout}, {@code Connection: close}), for bindings that enforce one.
     */
    public ApiResponse requestTimeout() {
        return new ApiError(408, "request_timeout", "request not received in time", Map.of("Connection", "close"))
                .response();
    }

    /** Builds an {@link AgentLifecycleApi}. Not thread-safe. Setters check their argument at once. */
    public static final class Builder {
        private final AgentManager manager;
        private final TokenIssuer tokens;
        private final LiveKitWebhooks webhooks;
        private final String livekitUrl;
        private final String adminToken;
        private String basePath = "/api/livekit";
        private TokenRequestAuthorizer authorizer = TokenRequestAuthorizer.clientsOpen();
        private int maxBodyBytes = 16 * 1024;
        private int maxWebhookBodyBytes = 1024 * 1024;

        private Builder(AgentManager manager, TokenIssuer tokens, LiveKitWebhooks webhooks, String livekitUrl,
                String adminToken) {
            this.manager = Require.nonNull(manager, "manager");
            this.tokens = Require.nonNull(tokens, "tokens");
            this.webhooks = Require.nonNull(webhooks, "webhooks");
            this.livekitUrl = Require.name(livekitUrl, "livekitUrl");
            Require.nonNull(adminToken, "adminToken");
            if (adminToken.strip().length() < 16) {
                throw new IllegalArgumentException("adminToken must be at least 16 characters");
            }
            this.adminToken = adminToken.strip();
        }

        /** The path the routes live under (default {@code /api/livekit}); {@code ""} mounts them at the root. */
        public Builder basePath(String basePath) {
            Require.nonNull(basePath, "basePath");
            if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/"))) {
                throw new IllegalArgumentException("basePath must be empty or start, but not end, with /");
            }
            this.basePath = basePath;
            return this;
        }

        /** Who may get which token (default {@link TokenRequestAuthorizer#clientsOpen()}). */
        public Builder tokenRequestAuthorizer(TokenRequestAuthorizer authorizer) {
            this.authorizer = Require.nonNull(authorizer, "authorizer");
            return this;
        }

        /** Largest body of every route but the webhook (default 16 KiB). */
        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = Require.atLeast(maxBodyBytes, 256, "maxBodyBytes");
            return this;
        }

        /** Largest webhook body (default 1 MiB). */
        public Builder maxWebhookBodyBytes(int maxWebhookBodyBytes) {
            this.maxWebhookBodyBytes = Require.atLeast(maxWebhookBodyBytes, 1024, "maxWebhookBodyBytes");
            return this;
        }

        /**
         * Builds the API.
         *
         * @throws IllegalArgumentException if {@code tokens} would mint tokens for identities of the manager's agents
         *     (its {@code agentIdentityPrefix} is not among the issuer's reserved prefixes)
         */
        public AgentLifecycleApi build() {
            String agentPrefix = manager.config().agentIdentityPrefix();
            if (!tokens.isReservedIdentity(agentPrefix)) {
                throw new IllegalArgumentException("tokens must reserve the manager's agentIdentityPrefix "
                        + agentPrefix + " (TokenIssuer.Builder#reservedIdentityPrefixes), or clients could take"
                        + " the identities of agents");
            }
            return new AgentLifecycleApi(this);
        }
    }
}
