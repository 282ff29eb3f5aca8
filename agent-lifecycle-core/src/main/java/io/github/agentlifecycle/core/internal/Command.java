package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Work for the engine's loop that is also the future of its result. A command that throws completes
 * exceptionally, so whoever waits for it is answered whatever went wrong; a failure other than an error is logged
 * here (but a shared store that could not answer, which the replica's maintenance reports), an error is passed on
 * to the loop, which logs it.
 *
 * @param <T> the result
 */
final class Command<T> extends CompletableFuture<T> implements Runnable {
    private final Supplier<T> work;

    Command(Supplier<T> work) {
        this.work = work;
    }

    @Override
    public void run() {
        try {
            complete(work.get());
        } catch (SharedStoreUnavailableException e) {
            completeExceptionally(e);
        } catch (RuntimeException e) {
            LoggingListener.LOG.log(Level.ERROR, "agent manager command failed", e);
            completeExceptionally(e);
        } catch (Error e) {
            completeExceptionally(e);
            throw e;
        }
    }
}
