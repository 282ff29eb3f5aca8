package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.examples.WebhookEvents;
import io.github.agentlifecycle.examples.WebhookSigner;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.WebhookException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Webhook traffic into rooms that never close: each busy room gets one person who stays for the whole run, and a
 * second person who joins and leaves again and again, each time as a new session, every webhook with its own
 * event id, signed like LiveKit signs it and verified by {@link LiveKitWebhooks#handle}. Since someone always
 * stays, no busy room starts a grace period; since no token is requested for them, they have no agent.
 *
 * <p>Each sender thread owns a share of the rooms and sends at a fixed rate, one webhook at a time, waiting for
 * each to be applied (like a blocking HTTP handler). When it falls behind it sends without pausing, but it never
 * makes up more than 20 ms of lost time, so a stall is not followed by a long burst.
 * Signing happens on the sender thread, so it costs CPU on this machine although LiveKit would sign
 * elsewhere.
 */
final class BusyRoomTraffic implements AutoCloseable {
    private static final long MAX_CATCH_UP_NANOS = 20_000_000;
    private final LiveKitWebhooks webhooks;
    private final WebhookSigner signer;
    private final List<Sender> senders = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong notApplied = new AtomicLong();
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /**
     * Traffic over {@code rooms} rooms named {@code prefix + i}, at {@code perSecond} webhooks per second in all,
     * from {@code threads} threads.
     */
    BusyRoomTraffic(LiveKitWebhooks webhooks, WebhookSigner signer, String prefix, int rooms, int perSecond,
            int threads) {
        this.webhooks = webhooks;
        this.signer = signer;
        for (int t = 0; t < threads; t++) {
            List<Integer> own = new ArrayList<>();
            for (int room = t; room < rooms; room += threads) {
                own.add(room);
            }
            senders.add(new Sender(t, prefix, own, perSecond / (double) threads));
        }
    }

    /** Lets the person who stays join each room, on the calling thread. */
    void openRooms() throws WebhookException {
        for (Sender sender : senders) {
            sender.openRooms();
        }
    }

    /** Starts the sender threads. */
    void start() {
        for (Sender sender : senders) {
            sender.thread.start();
        }
    }

    /** Webhooks handled so far by the sender threads. */
    long sent() {
        return sent.get();
    }

    /** Webhooks the engine did not apply (duplicate, ignored or rejected); 0 in a good run. */
    long notApplied() {
        return notApplied.get();
    }

    /** Latencies of {@code handle} as the senders saw them; read after {@link #close()}. */
    LatencyStats handleLatency() {
        long[] all = new long[0];
        int count = 0;
        for (Sender sender : senders) {
            all = Arrays.copyOf(all, count + sender.recorded);
            System.arraycopy(sender.latencies, 0, all, count, sender.recorded);
            count += sender.recorded;
        }
        return new LatencyStats(all, count);
    }

    /** Stops the senders, waits for them, and rethrows a failure of any of them. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Sender sender : senders) {
            sender.thread.join();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private final class Sender implements Runnable {
        private final Thread thread;
        private final String[] names;
        private final WebhookEvents[] events;
        private final String[] visitor;
        private final String[] visitorIdentity;
        private final long intervalNanos;
        private long[] latencies = new long[1 << 16];
        private int recorded;
        private int visits;

        Sender(int index, String prefix, List<Integer> rooms, double perSecond) {
            this.thread = new Thread(this, "busy-webhooks-" + index);
            this.thread.setDaemon(true);
            this.names = new String[rooms.size()];
            this.events = new WebhookEvents[rooms.size()];
            this.visitor = new String[rooms.size()];
            this.visitorIdentity = new String[rooms.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = prefix + rooms.get(i);
                events[i] = new WebhookEvents(names[i], Clock.systemUTC());
            }
            this.intervalNanos = (long) (1e9 / perSecond);
        }

        void openRooms() throws WebhookException {
            for (int i = 0; i < names.length; i++) {
                send(events[i].participantJoined(events[i].newSessionId(), "resident-" + names[i], "STANDARD"));
            }
        }

        @Override
        public void run() {
            try {
                long due = System.nanoTime();
                for (long i = 0; running; i++) {
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0 && running) {
                        LockSupport.parkNanos(wait);
                    }
                    due = Math.max(due, System.nanoTime() - MAX_CATCH_UP_NANOS) + intervalNanos;
                    int room = (int) (i % names.length);
                    byte[] body;
                    if (visitor[room] == null) {
                        visitor[room] = events[room].newSessionId();
                        visitorIdentity[room] = "visitor-" + visits++;
                        body = events[room].participantJoined(visitor[room], visitorIdentity[room], "STANDARD");
                    } else {
                        body = events[room].participantLeft(visitor[room], visitorIdentity[room], "STANDARD");
                        visitor[room] = null;
                    }
                    long began = System.nanoTime();
                    send(body);
                    if (recorded == latencies.length) {
                        latencies = Arrays.copyOf(latencies, recorded * 2);
                    }
                    latencies[recorded++] = System.nanoTime() - began;
                    sent.incrementAndGet();
                }
            } catch (RuntimeException | WebhookException e) {
                failure = new IllegalStateException("busy-room traffic failed", e);
            }
        }

        private void send(byte[] body) throws WebhookException {
            LiveKitWebhooks.Result result = webhooks.handle(body, signer.authorization(body));
            if (result.outcome() != EventOutcome.APPLIED) {
                notApplied.incrementAndGet();
            }
        }
    }
}
