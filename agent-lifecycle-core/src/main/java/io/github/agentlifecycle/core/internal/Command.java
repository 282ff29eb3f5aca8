package io.github.agentlifecycle.core.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;

/**
 * Work for the engine's loop that is also the future of its result, so that a call costs one object. A command
 * that throws completes exceptionally, and the failure is logged.
 *
 * @param <T> the result
 */
abstract class Command<T> extends CompletableFuture<T> implements Runnable {

    /** Does the work on the engine's thread. */
    abstract T execute();

    @Override
    public final void run() {
        try {
            complete(execute());
        } catch (RuntimeException e) {
            LoggingListener.LOG.log(Level.ERROR, "agent manager command failed", e);
            completeExceptionally(e);
        }
    }
}
