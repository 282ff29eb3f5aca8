package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.testing.RecordingLauncher;
import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A real engine on a {@link ManualClock} with a {@link RecordingLauncher}, tokens and webhooks signed with the
 * fixtures' credentials, and the API over them. The clock reads a time at which the fixtures' valid tokens are
 * valid and their expired and not-yet-valid ones are not; it only moves when a test moves it.
 */
final class TestEngine implements AutoCloseable {
    static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    static final String LIVEKIT_URL = "wss://livekit.example.test";

    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"), 0);
    final RecordingLauncher launcher = new RecordingLauncher();
    final AgentManager manager;
    final LiveKitWebhooks webhooks;
    final AgentLifecycleApi api;

    private final @Nullable ExecutorService engineThread;

    private TestEngine(UnaryOperator<AgentManagerConfig.Builder> config, @Nullable ExecutorService engineThread) {
        this.engineThread = engineThread;
        AgentManager.Builder builder = AgentManager.builder(launcher)
                .config(config.apply(AgentManagerConfig.builder()).build())
                .clock(clock);
        if (engineThread != null) {
            builder.executor(engineThread);
        }
        manager = builder.build();
        manager.start();
        webhooks = LiveKitWebhooks.builder(WebhookVerifier.builder(WebhookFixture.CREDENTIALS).clock(clock).build(),
                manager).build();
        api = AgentLifecycleApi.builder(manager, TokenIssuer.builder(WebhookFixture.CREDENTIALS).build(), webhooks,
                LIVEKIT_URL, ADMIN_TOKEN).build();
    }

    /** An engine with the default configuration. */
    static TestEngine create() {
        return new TestEngine(UnaryOperator.identity(), null);
    }

    /** An engine whose configuration {@code config} adjusts. */
    static TestEngine create(UnaryOperator<AgentManagerConfig.Builder> config) {
        return new TestEngine(config, null);
    }

    /**
     * An engine whose loop runs on {@code engineThread}, so that a test can keep the loop busy; the executor is shut
     * down when the engine is closed.
     */
    static TestEngine create(UnaryOperator<AgentManagerConfig.Builder> config, ExecutorService engineThread) {
        return new TestEngine(config, engineThread);
    }

    /** The executor the engine's loop runs on, when the test gave one. */
    ExecutorService engineThread() {
        if (engineThread == null) {
            throw new IllegalStateException("this engine runs on its own thread");
        }
        return engineThread;
    }

    /** Strings no response may contain: the admin token, the LiveKit API secret and every agent credential. */
    List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        secrets.add(ADMIN_TOKEN);
        secrets.add(WebhookFixture.CREDENTIALS.apiSecret());
        for (AgentSpec spec : launcher.launched()) {
            secrets.add(spec.credential());
        }
        return secrets;
    }

    /** What the engine holds now; equal snapshots mean no request changed anything in between. */
    State state() {
        return new State(manager.rooms(), manager.stats(), webhooks.unusedEventCounts(), launcher.launched().size(),
                launcher.stopped().size());
    }

    /** The engine's rooms, totals and counters, and what the launcher was asked to do. */
    record State(List<RoomSnapshot> rooms, ManagerStats stats, Map<String, Long> unusedWebhooks, int launches,
            int stops) {}

    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            if (engineThread != null) {
                engineThread.shutdownNow();
            }
        }
    }
}
