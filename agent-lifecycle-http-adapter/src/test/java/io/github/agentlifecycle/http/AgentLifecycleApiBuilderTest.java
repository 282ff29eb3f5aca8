package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link AgentLifecycleApi.Builder} refuses, at build time and naming the setting, what would be unsafe to serve. */
class AgentLifecycleApiBuilderTest {
    private final AgentManager manager = AgentManager.builder(new RecordingLauncher())
            .config(AgentManagerConfig.builder().agentIdentityPrefix("bot-").build()).build();
    private final LiveKitWebhooks webhooks =
            LiveKitWebhooks.builder(WebhookVerifier.builder(WebhookFixture.CREDENTIALS).build(), manager).build();

    @Test
    void tokensMustReserveTheIdentitiesOfTheManagersAgents() {
        TokenIssuer open = TokenIssuer.builder(WebhookFixture.CREDENTIALS).build();
        assertThatThrownBy(() -> AgentLifecycleApi.builder(manager, open, webhooks, TestEngine.LIVEKIT_URL,
                TestEngine.ADMIN_TOKEN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("agentIdentityPrefix bot-");

        TokenIssuer reserving = TokenIssuer.builder(WebhookFixture.CREDENTIALS)
                .reservedIdentityPrefixes(List.of("bot-", "agent-")).build();
        assertThat(AgentLifecycleApi.builder(manager, reserving, webhooks, TestEngine.LIVEKIT_URL,
                TestEngine.ADMIN_TOKEN).build().basePath()).isEqualTo("/api/livekit");
    }
}
