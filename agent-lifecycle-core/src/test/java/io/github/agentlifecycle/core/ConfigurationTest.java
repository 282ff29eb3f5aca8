package io.github.agentlifecycle.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Defaults and argument checks of the configuration builders. */
class ConfigurationTest {

    @Test
    void defaultsMatchTheDocumentedValues() {
        AgentManagerConfig config = AgentManagerConfig.defaults();
        assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.gcInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.healthCheckInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxAgentsPerRoom()).isEqualTo(1);
        assertThat(config.maxTotalAgents()).isEqualTo(50);
        assertThat(config.agentStartupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.agentStopTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.joinTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.heartbeatTimeout()).isEqualTo(Duration.ZERO);
        assertThat(config.restartOnCleanExit()).isFalse();
        RestartPolicy restart = config.restartPolicy();
        assertThat(restart.initialDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(restart.factor()).isEqualTo(2.0);
        assertThat(restart.maxDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(restart.resetAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(restart.maxRestarts()).isEqualTo(5);
        assertThat(restart.window()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void toBuilderRoundTrips() {
        AgentManagerConfig config = AgentManagerConfig.builder().gracePeriod(Duration.ofSeconds(5)).maxTotalAgents(3)
                .heartbeatTimeout(Duration.ofSeconds(20)).agentIdentityPrefix("bot-").build();
        assertThat(config.toBuilder().build().toString()).isEqualTo(config.toString());
    }

    @Test
    void everySettingIsCheckedAtOnceWithItsName() {
        AgentManagerConfig.Builder b = AgentManagerConfig.builder();
        assertThatThrownBy(() -> b.gracePeriod(Duration.ofSeconds(-1))).hasMessage("gracePeriod must be >= 0");
        assertThatThrownBy(() -> b.gracePeriod(null)).hasMessage("gracePeriod must not be null");
        assertThatThrownBy(() -> b.gcInterval(Duration.ZERO)).hasMessage("gcInterval must be > 0");
        assertThatThrownBy(() -> b.healthCheckInterval(Duration.ZERO)).hasMessage("healthCheckInterval must be > 0");
        assertThatThrownBy(() -> b.maxAgentsPerRoom(2)).hasMessage("maxAgentsPerRoom must be 1");
        assertThatThrownBy(() -> b.maxTotalAgents(0)).hasMessage("maxTotalAgents must be >= 1");
        assertThatThrownBy(() -> b.maxRooms(0)).hasMessage("maxRooms must be >= 1");
        assertThatThrownBy(() -> b.agentStartupTimeout(Duration.ZERO)).hasMessage("agentStartupTimeout must be > 0");
        assertThatThrownBy(() -> b.agentStopTimeout(Duration.ofMillis(-5))).hasMessage("agentStopTimeout must be > 0");
        assertThatThrownBy(() -> b.joinTimeout(Duration.ZERO)).hasMessage("joinTimeout must be > 0");
        assertThatThrownBy(() -> b.heartbeatTimeout(Duration.ofSeconds(-1))).hasMessage("heartbeatTimeout must be >= 0");
        assertThatThrownBy(() -> b.restartPolicy(null)).hasMessage("restartPolicy must not be null");
        assertThatThrownBy(() -> b.eventIdMemory(0)).hasMessage("eventIdMemory must be >= 1");
        assertThatThrownBy(() -> b.agentIdentityPrefix(" ")).hasMessage("agentIdentityPrefix must not be blank");
        assertThatThrownBy(() -> b.agentIdentityPrefix("x".repeat(65)))
                .hasMessage("agentIdentityPrefix must be at most 64 characters");

        RestartPolicy.Builder r = RestartPolicy.builder();
        assertThatThrownBy(() -> r.initialDelay(Duration.ofSeconds(-1))).hasMessage("initialDelay must be >= 0");
        assertThatThrownBy(() -> r.factor(0.5)).hasMessage("factor must be >= 1 and finite");
        assertThatThrownBy(() -> r.factor(Double.NaN)).hasMessage("factor must be >= 1 and finite");
        assertThatThrownBy(() -> r.maxRestarts(-1)).hasMessage("maxRestarts must be >= 0");
        assertThatThrownBy(() -> r.window(Duration.ZERO)).hasMessage("window must be > 0");
        assertThatThrownBy(() -> RestartPolicy.builder().initialDelay(Duration.ofSeconds(10))
                .maxDelay(Duration.ofSeconds(5)).build()).hasMessage("maxDelay must be >= initialDelay");
    }

    @Test
    void restartDelaysGrowByTheFactorUpToTheMaximum() {
        RestartPolicy policy = RestartPolicy.builder().initialDelay(Duration.ofMillis(500)).factor(3)
                .maxDelay(Duration.ofSeconds(10)).build();
        long delay = 0;
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            delay = policy.nextDelayNanos(delay);
            seen.append(Duration.ofNanos(delay).toMillis()).append(' ');
        }
        assertThat(seen.toString().trim()).isEqualTo("500 1500 4500 10000 10000 10000");
    }

    @Test
    void zeroRestartsMeansTheFirstCrashFails() {
        TestManagers t = new TestManagers(AgentManagerConfig.builder()
                .restartPolicy(RestartPolicy.builder().maxRestarts(0).build()).build());
        t.readyAgent("r1");
        t.manager.apply(TestManagers.joined("r1", "PA_1", "c"));
        t.launcher.last("r1").crash();
        assertThat(t.room("r1").agentState()).isEqualTo(AgentState.FAILED);
    }
}
