package io.github.agentlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ExampleConfigTest {
    private static final List<String> DEFAULT_COMMAND = List.of("sample-agent");

    private static ExampleConfig read(String... nameValuePairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            env.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return ExampleConfig.fromEnvironment(env, () -> DEFAULT_COMMAND);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String... nameValuePairs) {
        return assertThatThrownBy(() -> read(nameValuePairs)).isInstanceOf(ExampleConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void withNothingSetEveryVariableHasItsDocumentedDefault() {
        ExampleConfig config = read();

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(3001);
        assertThat(config.apiUrl()).isEqualTo("http://127.0.0.1:3001/api/livekit");
        assertThat(config.livekitUrl()).isEqualTo("ws://localhost:7880");
        assertThat(config.credentials().apiKey()).isEqualTo("devkey");
        assertThat(config.credentials().apiSecret()).isEqualTo("secret");
        assertThat(config.devCredentials()).isTrue();
        assertThat(config.adminTokenGenerated()).isTrue();
        assertThat(config.adminToken()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(config.agentCommand()).isEqualTo(DEFAULT_COMMAND);
        assertThat(config.prewarm()).as("agents started when their room needs one").isZero();
        assertThat(config.managerConfig().gracePeriod()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.managerConfig().gcInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.managerConfig().healthCheckInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.managerConfig().maxTotalAgents()).isEqualTo(50);
        assertThat(config.managerConfig().agentStartupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.managerConfig().agentStopTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.agentStateDirectory()).isNull();
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.sharedState()).as("room state in memory").isNull();
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void databaseUrlSharesRoomStateWithTheOtherReplicas() {
        ExampleConfig config = read("DATABASE_URL", "jdbc:postgresql://db:5432/agents?sslmode=require",
                "DATABASE_USER", "app", "DATABASE_PASSWORD", "pg-secret-value", "REPLICA_ID", "replica-a",
                "REPLICA_LEASE_MS", "20000", "MAX_TOTAL_AGENTS", "40", "MAX_AGENTS_PER_REPLICA", "8");

        SharedStateConfig shared = config.sharedState();
        assertThat(shared).isNotNull();
        assertThat(shared.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/agents?sslmode=require");
        assertThat(shared.user()).isEqualTo("app");
        assertThat(shared.password()).isEqualTo("pg-secret-value");
        assertThat(shared.replica().replicaId()).isEqualTo("replica-a");
        assertThat(shared.replica().lease()).isEqualTo(Duration.ofSeconds(20));
        assertThat(shared.maxAgentsPerReplica()).isEqualTo(8);
        assertThat(read("DATABASE_URL", "jdbc:postgresql://db/agents").sharedState().maxAgentsPerReplica())
                .as("default: the cluster-wide cap").isEqualTo(50);
        assertThat(config.toString()).doesNotContain("pg-secret-value").doesNotContain("sslmode");
        assertThat(shared.describe()).isEqualTo("jdbc:postgresql://db:5432/agents as replica replica-a");
    }

    @ParameterizedTest
    @CsvSource({
            "DATABASE_URL, postgres://db/agents, DATABASE_URL: must be a PostgreSQL JDBC URL",
            "DATABASE_URL, jdbc:mysql://db/agents, DATABASE_URL: must be a PostgreSQL JDBC URL",
            "REPLICA_LEASE_MS, 500, REPLICA_LEASE_MS: lease must be at least 1 second",
            "REPLICA_ID, a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9, REPLICA_ID:",
            "MAX_AGENTS_PER_REPLICA, 0, MAX_AGENTS_PER_REPLICA: must be between 1"})
    void badSharedStateVariablesAreNamed(String name, String value, String message) {
        if (name.equals("DATABASE_URL")) {
            assertRejected(name, value).hasMessageStartingWith(message);
        } else {
            assertRejected("DATABASE_URL", "jdbc:postgresql://db/agents", name, value).hasMessageStartingWith(message);
        }
    }

    @ParameterizedTest
    @CsvSource({"DATABASE_USER", "DATABASE_PASSWORD", "REPLICA_ID", "REPLICA_LEASE_MS", "MAX_AGENTS_PER_REPLICA"})
    void sharedStateVariablesWithoutADatabaseAreAMistake(String name) {
        assertRejected(name, "1").hasMessage(name + ": only applies with DATABASE_URL, which is not set");
    }

    @Test
    void generatedAdminTokensDifferEachTime() {
        assertThat(read().adminToken()).isNotEqualTo(read().adminToken());
    }

    @Test
    void everyVariableIsRead() {
        ExampleConfig config = read("HOST", "0.0.0.0", "PORT", "8080", "LIVEKIT_URL", "wss://example.livekit.cloud",
                "LIVEKIT_API_KEY", "APIkey", "LIVEKIT_API_SECRET", "s3cret-value", "ADMIN_TOKEN",
                "admin-token-0123456789", "AGENT_COMMAND", "python3 'my agent.py' start", "GRACE_PERIOD_MS", "1500",
                "GC_INTERVAL_MS", "2000", "HEALTH_CHECK_INTERVAL_MS", "3000", "MAX_TOTAL_AGENTS", "7",
                "AGENT_STARTUP_TIMEOUT_MS", "4000", "AGENT_STOP_TIMEOUT_MS", "5000", "AGENT_STATE_DIR", "state",
                "RECONCILE_INTERVAL_MS", "15000", "DRAIN_TIMEOUT_MS", "90000", "AGENT_PREWARM", "3");

        assertThat(config.apiUrl()).isEqualTo("http://127.0.0.1:8080/api/livekit");
        assertThat(config.livekitUrl()).isEqualTo("wss://example.livekit.cloud");
        assertThat(config.credentials().apiKey()).isEqualTo("APIkey");
        assertThat(config.credentials().apiSecret()).isEqualTo("s3cret-value");
        assertThat(config.devCredentials()).isFalse();
        assertThat(config.adminToken()).isEqualTo("admin-token-0123456789");
        assertThat(config.adminTokenGenerated()).isFalse();
        assertThat(config.agentCommand()).containsExactly("python3", "my agent.py", "start");
        assertThat(config.managerConfig().gracePeriod()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.managerConfig().gcInterval()).isEqualTo(Duration.ofMillis(2000));
        assertThat(config.managerConfig().healthCheckInterval()).isEqualTo(Duration.ofMillis(3000));
        assertThat(config.managerConfig().maxTotalAgents()).isEqualTo(7);
        assertThat(config.managerConfig().agentStartupTimeout()).isEqualTo(Duration.ofMillis(4000));
        assertThat(config.managerConfig().agentStopTimeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(config.agentStateDirectory()).isEqualTo(Path.of("state").toAbsolutePath());
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.prewarm()).isEqualTo(3);
    }

    @Test
    void prewarmedAgentsMayFillEverySlotButNoMore() {
        assertThat(read("AGENT_PREWARM", "0").prewarm()).isZero();
        assertThat(read("AGENT_PREWARM", " 2 ").prewarm()).isEqualTo(2);
        assertThat(read("AGENT_PREWARM", "50").prewarm()).as("the default MAX_TOTAL_AGENTS").isEqualTo(50);
        assertThat(read("AGENT_PREWARM", "4", "MAX_TOTAL_AGENTS", "4").prewarm()).isEqualTo(4);
        assertRejected("AGENT_PREWARM", "5", "MAX_TOTAL_AGENTS", "4")
                .hasMessage("AGENT_PREWARM: must not exceed MAX_TOTAL_AGENTS (4), which idle agents count against,"
                        + " got 5");
        assertRejected("AGENT_PREWARM", "51").hasMessageStartingWith("AGENT_PREWARM: must not exceed MAX_TOTAL_AGENTS");
    }

    @Test
    void blankValuesCountAsUnset() {
        ExampleConfig config = read("PORT", " ", "ADMIN_TOKEN", "", "GRACE_PERIOD_MS", "  ", "AGENT_PREWARM", " ");

        assertThat(config.port()).isEqualTo(3001);
        assertThat(config.adminTokenGenerated()).isTrue();
        assertThat(config.managerConfig().gracePeriod()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.prewarm()).isZero();
    }

    @Test
    void aZeroGracePeriodIsAllowed() {
        assertThat(read("GRACE_PERIOD_MS", "0").managerConfig().gracePeriod()).isZero();
    }

    @Test
    void aZeroDrainTimeoutStopsEveryAgentAtOnce() {
        assertThat(read("DRAIN_TIMEOUT_MS", "0").drainTimeout()).isZero();
    }

    @Test
    void aZeroReconcileIntervalTurnsReconciliationOff() {
        assertThat(read("RECONCILE_INTERVAL_MS", "0").reconcileInterval()).isZero();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "PORT|abc", "PORT|0", "PORT|65536", "PORT|-1", "PORT|3001.5",
            "LIVEKIT_URL|localhost:7880", "LIVEKIT_URL|ftp://example.com",
            "GRACE_PERIOD_MS|-1", "GRACE_PERIOD_MS|60s", "GRACE_PERIOD_MS|99999999999999999999",
            "GC_INTERVAL_MS|0", "HEALTH_CHECK_INTERVAL_MS|-5", "HEALTH_CHECK_INTERVAL_MS|ten",
            "MAX_TOTAL_AGENTS|0", "MAX_TOTAL_AGENTS|1e3", "MAX_TOTAL_AGENTS|3000000000",
            "AGENT_STARTUP_TIMEOUT_MS|0", "AGENT_STOP_TIMEOUT_MS|0", "AGENT_STOP_TIMEOUT_MS|x",
            "AGENT_COMMAND|python3 'agent.py", "AGENT_COMMAND|node \"agent.js", "AGENT_COMMAND|\"\"",
            "AGENT_COMMAND|node \"\" agent.js", "AGENT_STATE_DIR|bad\u0000dir",
            "RECONCILE_INTERVAL_MS|-1", "RECONCILE_INTERVAL_MS|1m", "RECONCILE_INTERVAL_MS|3000000000",
            "DRAIN_TIMEOUT_MS|-1", "DRAIN_TIMEOUT_MS|30m",
            "AGENT_PREWARM|-1", "AGENT_PREWARM|two", "AGENT_PREWARM|1.5", "AGENT_PREWARM|3000000000",
            "AGENT_PREWARM|51"})
    void aBadValueFailsWithOneLineNamingTheVariable(String name, String value) {
        assertRejected(name, value).hasMessageStartingWith(name + ": ");
    }

    @Test
    void adminTokensMustBeLongAndPrintableAndAreNeverRepeated() {
        assertRejected("ADMIN_TOKEN", "short-token").hasMessageStartingWith("ADMIN_TOKEN: ")
                .hasMessageNotContaining("short-token");
        assertRejected("ADMIN_TOKEN", "long-enough token-0123").hasMessageStartingWith("ADMIN_TOKEN: ")
                .hasMessageNotContaining("token-0123");
    }

    @Test
    void keyAndSecretComeTogetherAndTheSecretIsNeverRepeated() {
        assertRejected("LIVEKIT_API_KEY", "APIkey").hasMessageStartingWith("LIVEKIT_API_SECRET: ");
        assertRejected("LIVEKIT_API_SECRET", "my-secret-value").hasMessageStartingWith("LIVEKIT_API_KEY: ")
                .hasMessageNotContaining("my-secret-value");
        assertThat(read("LIVEKIT_API_KEY", "k", "LIVEKIT_API_SECRET", "my-secret-value").toString())
                .doesNotContain("my-secret-value");
    }

    @Test
    void theReachableUrlOfAWildcardOrIpv6HostIsALoopbackOrBracketedAddress() {
        assertThat(read("HOST", "::").apiUrl()).isEqualTo("http://[::1]:3001/api/livekit");
        assertThat(read("HOST", "::1").apiUrl()).isEqualTo("http://[::1]:3001/api/livekit");
        assertThat(read("HOST", "localhost").apiUrl()).isEqualTo("http://localhost:3001/api/livekit");
    }
}
