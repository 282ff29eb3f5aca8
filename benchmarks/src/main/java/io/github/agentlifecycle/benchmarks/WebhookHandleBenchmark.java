package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.core.AgentManager;
import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.WebhookException;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A signed webhook from its bytes to the applied event: {@code LiveKitWebhooks.handle(body, authorization)}
 * verifies and reads it, maps and classifies the participant, and applies the event to an engine on a direct
 * executor. What an HTTP binding adds (reading the request, writing the answer) is not included.
 *
 * <p>Traffic as in {@link EngineApplyBenchmark}, as signed {@code participant_joined} and
 * {@code participant_left} webhooks, but over 8 rooms: the traffic must outlast what the engine remembers
 * (1100 cycles per room), and 8 rooms keep the signed bodies to about 20 MB. Setup plays the traffic once, so
 * rooms are in the same churned steady state as in {@link EngineApplyBenchmark#applyChurned}.
 *
 * <p>The engine remembers each webhook's event id for as long as its signature is valid (twelve hours here), so
 * every time the traffic comes round again the engine's clock ({@link SteppedClock}) skips a day: each webhook
 * is then new to it, and applied. Grace periods and maintenance intervals are set beyond anything the skips add
 * up to, so rooms stay as they are.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class WebhookHandleBenchmark {
    static final int ROOMS = 8;

    private static final long DAY_NANOS = Duration.ofDays(1).toNanos();

    private final SteppedClock clock = new SteppedClock();
    private AgentManager manager;
    private LiveKitWebhooks webhooks;
    private SignedWebhook[] traffic;
    private int next;

    /** Starts the engine, opens the rooms, signs the traffic and plays it once. */
    @Setup(Level.Trial)
    public void setUp() throws WebhookException {
        Ids ids = new Ids(4);
        List<BenchRoom> rooms = BenchRoom.create(ROOMS, ids);
        AgentManagerConfig config = EngineFixture.configFor(ROOMS).toBuilder()
                .gracePeriod(Duration.ofDays(10_000))
                .gcInterval(Duration.ofDays(10_000))
                .healthCheckInterval(Duration.ofDays(10_000))
                .build();
        manager = EngineApplyBenchmark.startEngine(rooms, ids, config, clock);
        webhooks = LiveKitWebhooks.builder(WebhookVerifier.builder(SignedWebhook.CREDENTIALS).build(), manager)
                .build();
        traffic = signTraffic(rooms, ids);
        for (SignedWebhook webhook : traffic) {
            EventOutcome outcome = webhooks.handle(webhook.body(), webhook.authorization()).outcome();
            if (outcome != EventOutcome.APPLIED) {
                throw new IllegalStateException("warm-up webhook was " + outcome);
            }
        }
        clock.skip(DAY_NANOS);
    }

    private static SignedWebhook[] signTraffic(List<BenchRoom> rooms, Ids ids) {
        int cycles = RoomTraffic.MIN_CYCLES;
        SignedWebhook[] signed = new SignedWebhook[cycles * rooms.size() * 2];
        Instant now = Instant.now();
        int next = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            String[] sessions = new String[rooms.size()];
            for (int r = 0; r < rooms.size(); r++) {
                sessions[r] = ids.session();
                signed[next++] = SignedWebhook.joined(rooms.get(r), sessions[r], ids.event(), now);
            }
            for (int r = 0; r < rooms.size(); r++) {
                signed[next++] = SignedWebhook.left(rooms.get(r), sessions[r], ids.event(), now);
            }
        }
        return signed;
    }

    /** One webhook handled. */
    @Benchmark
    public LiveKitWebhooks.Result handle() throws WebhookException {
        SignedWebhook webhook = traffic[next];
        if (++next == traffic.length) {
            next = 0;
            clock.skip(DAY_NANOS);
        }
        return webhooks.handle(webhook.body(), webhook.authorization());
    }

    /** Checks that every webhook was applied, then closes the engine. */
    @TearDown(Level.Trial)
    public void tearDown() {
        EngineFixture.requireAllApplied(manager, ROOMS, "WebhookHandleBenchmark");
        manager.close();
    }
}
