package io.github.agentlifecycle.examples;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.ProcessAgentLauncher;
import io.github.agentlifecycle.core.ReplicaConfig;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The quick-start server's settings, read from environment variables. Every variable is optional; a blank one
 * counts as unset. A bad value fails with an {@link ExampleConfigException} whose one-line message names the
 * variable and never repeats a secret.
 *
 * @param host the address to listen on ({@code HOST})
 * @param port the port to listen on ({@code PORT})
 * @param livekitUrl the LiveKit server clients connect to ({@code LIVEKIT_URL})
 * @param credentials the LiveKit API key and secret ({@code LIVEKIT_API_KEY}, {@code LIVEKIT_API_SECRET})
 * @param devCredentials whether {@code credentials} are the LiveKit dev server's well-known ones
 * @param adminToken the admin bearer token ({@code ADMIN_TOKEN})
 * @param adminTokenGenerated whether {@code adminToken} was generated because none was set
 * @param agentCommand the agent command, room name not yet appended ({@code AGENT_COMMAND})
 * @param prewarm how many agent processes are kept started ahead of need, waiting for a room ({@code
 *     AGENT_PREWARM}); zero starts each agent when its room needs it. More than zero means the agent command reads
 *     its room from stdin (see {@link ProcessAgentLauncher.Builder#prewarm})
 * @param managerConfig the engine settings ({@code GRACE_PERIOD_MS} and the other timing and capacity variables)
 * @param agentStateDirectory where agent records are kept ({@code AGENT_STATE_DIR}), or null for the default
 * @param reconcileInterval time between reconciliations with LiveKit ({@code RECONCILE_INTERVAL_MS}); zero turns
 *     off both the restore at start and the periodic rounds
 * @param sharedState the database shared with the other replicas ({@code DATABASE_URL} and its companions), or null
 *     to keep room state in memory
 * @param drainTimeout how long a shutdown lets the conversations under way end before it stops what is left
 *     ({@code DRAIN_TIMEOUT_MS}); zero stops every agent at once
 */
record ExampleConfig(String host, int port, String livekitUrl, LiveKitCredentials credentials, boolean devCredentials,
        String adminToken, boolean adminTokenGenerated, List<String> agentCommand, int prewarm,
        AgentManagerConfig managerConfig, @Nullable Path agentStateDirectory, Duration reconcileInterval,
        @Nullable SharedStateConfig sharedState, Duration drainTimeout) {

    /**
     * The default drain: 30 minutes, as long as LiveKit's own agent workers drain, so that a deploy of the backend
     * cuts no conversation of ordinary length; a server without rooms stops at once whatever the setting.
     */
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(30);

    static final String DEV_LIVEKIT_URL = "ws://localhost:7880";
    static final String DEV_API_KEY = "devkey";
    static final String DEV_API_SECRET = "secret";
    static final int MIN_ADMIN_TOKEN_LENGTH = 16;

    /**
     * Reads the settings from {@code env}; {@code defaultAgentCommand} supplies the command when
     * {@code AGENT_COMMAND} is unset.
     *
     * @throws ExampleConfigException naming the first bad variable
     */
    static ExampleConfig fromEnvironment(Map<String, String> env, Supplier<List<String>> defaultAgentCommand) {
        Variables vars = new Variables(env);
        String host = vars.string("HOST", "127.0.0.1");
        int port = vars.integer("PORT", 3001, 1, 65_535);
        String livekitUrl = vars.string("LIVEKIT_URL", DEV_LIVEKIT_URL);
        String lower = livekitUrl.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("ws://") || lower.startsWith("wss://") || lower.startsWith("http://")
                || lower.startsWith("https://"))) {
            throw vars.bad("LIVEKIT_URL", "must start with ws://, wss://, http:// or https://");
        }
        String apiKey = vars.optional("LIVEKIT_API_KEY");
        String apiSecret = vars.optional("LIVEKIT_API_SECRET");
        if ((apiKey == null) != (apiSecret == null)) {
            throw apiKey == null ? vars.bad("LIVEKIT_API_KEY", "must be set when LIVEKIT_API_SECRET is")
                    : vars.bad("LIVEKIT_API_SECRET", "must be set when LIVEKIT_API_KEY is");
        }
        boolean devCredentials = apiKey == null;
        LiveKitCredentials credentials = vars.check("LIVEKIT_API_KEY", () -> new LiveKitCredentials(
                devCredentials ? DEV_API_KEY : apiKey, devCredentials ? DEV_API_SECRET : apiSecret));

        String adminToken = vars.optional("ADMIN_TOKEN");
        boolean adminTokenGenerated = adminToken == null;
        if (adminTokenGenerated) {
            adminToken = randomToken();
        } else if (adminToken.length() < MIN_ADMIN_TOKEN_LENGTH || !adminToken.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw vars.bad("ADMIN_TOKEN", "must be at least " + MIN_ADMIN_TOKEN_LENGTH
                    + " printable characters without spaces");
        }

        String commandLine = vars.optional("AGENT_COMMAND");
        List<String> agentCommand;
        if (commandLine == null) {
            agentCommand = defaultAgentCommand.get();
        } else {
            agentCommand = vars.check("AGENT_COMMAND", () -> {
                List<String> words = ShellWords.split(commandLine);
                ProcessAgentLauncher.builder(words);
                return words;
            });
        }

        AgentManagerConfig.Builder manager = AgentManagerConfig.builder();
        vars.millis("GRACE_PERIOD_MS", ms -> manager.gracePeriod(Duration.ofMillis(ms)));
        vars.millis("GC_INTERVAL_MS", ms -> manager.gcInterval(Duration.ofMillis(ms)));
        vars.millis("HEALTH_CHECK_INTERVAL_MS", ms -> manager.healthCheckInterval(Duration.ofMillis(ms)));
        vars.millis("AGENT_STARTUP_TIMEOUT_MS", ms -> manager.agentStartupTimeout(Duration.ofMillis(ms)));
        vars.millis("AGENT_STOP_TIMEOUT_MS", ms -> manager.agentStopTimeout(Duration.ofMillis(ms)));
        int maxTotalAgents = vars.integer("MAX_TOTAL_AGENTS", 50, 1, Integer.MAX_VALUE);
        manager.maxTotalAgents(maxTotalAgents);
        int prewarm = vars.integer("AGENT_PREWARM", 0, 0, Integer.MAX_VALUE);
        if (prewarm > maxTotalAgents) {
            throw vars.bad("AGENT_PREWARM", "must not exceed MAX_TOTAL_AGENTS (" + maxTotalAgents
                    + "), which idle agents count against, got " + prewarm);
        }

        Duration[] drainTimeout = {DEFAULT_DRAIN_TIMEOUT};
        vars.millis("DRAIN_TIMEOUT_MS", ms -> {
            if (ms < 0) {
                throw new IllegalArgumentException("must be >= 0, got " + ms);
            }
            drainTimeout[0] = Duration.ofMillis(ms);
        });

        String stateDirectory = vars.optional("AGENT_STATE_DIR");
        Path agentStateDirectory = stateDirectory == null ? null
                : vars.check("AGENT_STATE_DIR", () -> Path.of(stateDirectory).toAbsolutePath());
        Duration reconcileInterval = Duration.ofMillis(vars.integer("RECONCILE_INTERVAL_MS", 60_000, 0,
                Integer.MAX_VALUE));
        return new ExampleConfig(host, port, livekitUrl, credentials, devCredentials, adminToken, adminTokenGenerated,
                agentCommand, prewarm, manager.build(), agentStateDirectory, reconcileInterval,
                sharedState(vars, maxTotalAgents), drainTimeout[0]);
    }

    private static @Nullable SharedStateConfig sharedState(Variables vars, int maxTotalAgents) {
        String url = vars.optional("DATABASE_URL");
        if (url == null) {
            for (String companion : List.of("DATABASE_USER", "DATABASE_PASSWORD", "REPLICA_ID", "REPLICA_LEASE_MS",
                    "MAX_AGENTS_PER_REPLICA")) {
                if (vars.optional(companion) != null) {
                    throw vars.bad(companion, "only applies with DATABASE_URL, which is not set");
                }
            }
            return null;
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw vars.bad("DATABASE_URL", "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)");
        }
        ReplicaConfig.Builder replica = ReplicaConfig.builder();
        String id = vars.optional("REPLICA_ID");
        if (id != null) {
            vars.check("REPLICA_ID", () -> replica.replicaId(id));
        }
        vars.millis("REPLICA_LEASE_MS", ms -> replica.lease(Duration.ofMillis(ms)));
        int perReplica = vars.integer("MAX_AGENTS_PER_REPLICA", maxTotalAgents, 1, Integer.MAX_VALUE);
        return new SharedStateConfig(url, vars.optional("DATABASE_USER"), vars.optional("DATABASE_PASSWORD"),
                replica.build(), perReplica);
    }

    /** The base URL of the API as a local client reaches it (a wildcard host becomes the loopback address). */
    String apiUrl() {
        String reachable = switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
        return "http://" + reachable + ":" + port + "/api/livekit";
    }

    @Override
    public String toString() {
        return "ExampleConfig{host=" + host + ", port=" + port + ", livekitUrl=" + livekitUrl + ", credentials="
                + credentials + ", agentCommand=" + agentCommand + ", prewarm=" + prewarm + ", managerConfig="
                + managerConfig + ", reconcileInterval=" + reconcileInterval + ", sharedState=" + sharedState
                + ", drainTimeout=" + drainTimeout + "}";
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Reads and checks single variables; every failure names the variable. */
    private static final class Variables {
        private final Map<String, String> env;

        Variables(Map<String, String> env) {
            this.env = env;
        }

        @Nullable String optional(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? null : value.strip();
        }

        String string(String name, String fallback) {
            String value = optional(name);
            return value == null ? fallback : value;
        }

        int integer(String name, int fallback, int min, int max) {
            String value = optional(name);
            if (value == null) {
                return fallback;
            }
            long parsed = number(name, value);
            if (parsed < min || parsed > max) {
                throw bad(name, "must be between " + min + " and " + max + ", got " + value);
            }
            return (int) parsed;
        }

        void millis(String name, Consumer<Long> setter) {
            String value = optional(name);
            if (value != null) {
                long ms = number(name, value);
                check(name, () -> {
                    setter.accept(ms);
                    return null;
                });
            }
        }

        private long number(String name, String value) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw bad(name, "must be a whole number, got \"" + printable(value) + "\"");
            }
        }

        <T> T check(String name, Supplier<T> build) {
            try {
                return build.get();
            } catch (IllegalArgumentException e) {
                throw bad(name, e.getMessage());
            }
        }

        ExampleConfigException bad(String name, String problem) {
            return new ExampleConfigException(name + ": " + problem);
        }

        private static String printable(String value) {
            String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
            return cut.replaceAll("\\p{Cntrl}", "?");
        }
    }
}
