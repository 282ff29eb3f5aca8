package io.github.agentlifecycle.http;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK server's executor in {@link AgentLifecycleHttpServer}: a fixed number of worker threads (started on
 * demand, stopped after a minute idle) and a bounded queue. The server hands it each exchange before reading the
 * request line, so every exchange runs under an {@link ExchangeGuard} whose read deadline covers the request line,
 * headers and body. When every worker is busy and the queue is full, {@link #execute} throws {@link
 * java.util.concurrent.RejectedExecutionException}, on which the server closes that connection: the server's single
 * dispatcher thread never runs an exchange itself. Thread-safe.
 */
final class GuardedExecutor implements Executor {
    private final ThreadPoolExecutor workers;
    private final long readTimeoutNanos;
    private final Watchdog watchdog;

    GuardedExecutor(int threads, int queueCapacity, long readTimeoutNanos, Watchdog watchdog) {
        AtomicInteger ids = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), runnable -> {
                    Thread thread = new Thread(runnable, "agent-lifecycle-http-" + ids.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.workers.allowCoreThreadTimeOut(true);
        this.readTimeoutNanos = readTimeoutNanos;
        this.watchdog = watchdog;
    }

    @Override
    public void execute(Runnable exchange) {
        workers.execute(() -> {
            ExchangeGuard guard = watchdog.watch(ExchangeGuard.forRequest(readTimeoutNanos));
            guard.bind();
            try {
                exchange.run();
            } finally {
                guard.unbind();
                watchdog.release(guard);
            }
        });
    }

    /** Interrupts the running exchanges and stops the workers. */
    void shutdownNow() {
        workers.shutdownNow();
    }
}
