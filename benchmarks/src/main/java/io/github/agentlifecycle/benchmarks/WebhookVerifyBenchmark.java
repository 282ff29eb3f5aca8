package io.github.agentlifecycle.benchmarks;

import io.github.agentlifecycle.livekit.WebhookException;
import io.github.agentlifecycle.livekit.WebhookVerifier;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import livekit.LivekitWebhook.WebhookEvent;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link WebhookVerifier} on signed {@code participant_joined} webhooks (about 900 bytes of body each): the JWT
 * check (HS256 signature, issuer, expiry and not-before) plus the SHA-256 of the body against the token's claim
 * ({@link #verify}), the protobuf-JSON read of the body ({@link #parse}), and both, as a webhook endpoint does
 * them ({@link #receive}). One operation is one webhook; 1000 distinct webhooks are cycled.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WebhookVerifyBenchmark {
    private WebhookVerifier verifier;
    private SignedWebhook[] webhooks;
    private int next;

    /** Signs the webhooks and checks that each one verifies. */
    @Setup(Level.Trial)
    public void setUp() throws WebhookException {
        verifier = WebhookVerifier.builder(SignedWebhook.CREDENTIALS).build();
        Ids ids = new Ids(3);
        List<BenchRoom> rooms = BenchRoom.create(1000, ids);
        Instant now = Instant.now();
        webhooks = new SignedWebhook[rooms.size()];
        for (int i = 0; i < webhooks.length; i++) {
            webhooks[i] = SignedWebhook.joined(rooms.get(i), ids.session(), ids.event(), now);
            verifier.receive(webhooks[i].body(), webhooks[i].authorization());
        }
    }

    private SignedWebhook nextWebhook() {
        SignedWebhook webhook = webhooks[next];
        if (++next == webhooks.length) {
            next = 0;
        }
        return webhook;
    }

    /** Authenticates one webhook without reading its body. */
    @Benchmark
    public SignedWebhook verify() throws WebhookException {
        SignedWebhook webhook = nextWebhook();
        verifier.verify(webhook.body(), webhook.authorization());
        return webhook;
    }

    /** Reads one (already authenticated) body. */
    @Benchmark
    public WebhookEvent parse() throws WebhookException {
        return verifier.parse(nextWebhook().body());
    }

    /** Authenticates one webhook and reads its body. */
    @Benchmark
    public WebhookEvent receive() throws WebhookException {
        SignedWebhook webhook = nextWebhook();
        return verifier.receive(webhook.body(), webhook.authorization());
    }
}
