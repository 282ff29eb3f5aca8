package io.github.agentlifecycle.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces the deadlines of the {@link ExchangeGuard}s it watches: one daemon thread looks at them every {@value
 * #TICK_MILLIS} ms while there are any and sleeps while there are none; it never does I/O itself. Timeout answers
 * are written by up to {@value #RESPONDERS} responder threads (daemon, started on demand, gone after ten idle
 * seconds); when all are busy, a timed-out exchange is closed without an answer. One watchdog serves the whole
 * JVM ({@link #shared()}), started on first use. Thread-safe.
 */
final class Watchdog {
    static final long TICK_MILLIS = 50;
    static final int RESPONDERS = 16;

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    private final Set<ExchangeGuard> guards = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor responders;
    private final Thread thread;
    private volatile boolean idle;

    private Watchdog() {
        AtomicInteger ids = new AtomicInteger();
        responders = new ThreadPoolExecutor(0, RESPONDERS, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                runnable -> daemon(runnable, "agent-lifecycle-http-timeout-" + ids.incrementAndGet()),
                new ThreadPoolExecutor.AbortPolicy());
        thread = daemon(this::run, "agent-lifecycle-http-watchdog");
        thread.start();
    }

    private static final class Holder {
        static final Watchdog SHARED = new Watchdog();
    }

    /** The JVM's watchdog. */
    static Watchdog shared() {
        return Holder.SHARED;
    }

    /** Watches {@code guard} until {@link #release}. */
    ExchangeGuard watch(ExchangeGuard guard) {
        guards.add(guard);
        if (idle) {
            LockSupport.unpark(thread);
        }
        return guard;
    }

    /** Ends {@code guard}'s exchange ({@link ExchangeGuard#finish()}) and stops watching it. */
    void release(ExchangeGuard guard) {
        try {
            guard.finish();
        } finally {
            guards.remove(guard);
        }
    }

    private void run() {
        while (true) {
            if (guards.isEmpty()) {
                idle = true;
                if (guards.isEmpty()) {
                    LockSupport.park(this);
                }
                idle = false;
            } else {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            }
            long now = System.nanoTime();
            for (ExchangeGuard guard : guards) {
                try {
                    guard.expireIfDue(now, responders);
                } catch (RuntimeException bug) {
                    LOG.error("HTTP deadline check failed", bug);
                }
            }
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
