package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.livekit.Await;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ExchangeGuard} with real interruptible channels (pipes standing in for the JDK server's socket channels),
 * its deadline driven by hand: what is interrupted in which phase, that a timeout answer is written on a responder
 * thread before the worker is unblocked, and that no interrupt is left on a worker or responder afterwards.
 */
class ExchangeGuardTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private static final long LATER = System.nanoTime() + 2 * HOUR;
    private static final long MUCH_LATER = LATER + 2 * HOUR;

    private final ExecutorService responders = Executors.newSingleThreadExecutor();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Pipe requestPipe;
    private final Pipe answerPipe;

    ExchangeGuardTest() throws IOException {
        requestPipe = Pipe.open();
        answerPipe = Pipe.open();
    }

    @AfterEach
    void close() throws IOException {
        responders.shutdownNow();
        requestPipe.source().close();
        requestPipe.sink().close();
        answerPipe.source().close();
        answerPipe.sink().close();
    }

    /** A worker thread's part of a test: what it did, and whether it ended with its interrupt flag set. */
    @FunctionalInterface
    interface WorkerPart {
        void run(ExchangeGuard guard) throws Exception;
    }

    /** Runs {@code part} on a new worker thread with a guard made there; completes with its interrupt flag. */
    private CompletableFuture<Boolean> worker(CompletableFuture<ExchangeGuard> guard, boolean request,
            WorkerPart part) {
        CompletableFuture<Boolean> interruptedAtEnd = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            ExchangeGuard own = request ? ExchangeGuard.forRequest(HOUR) : ExchangeGuard.forBody(HOUR);
            guard.complete(own);
            try {
                part.run(own);
                own.finish();
                interruptedAtEnd.complete(Thread.currentThread().isInterrupted());
            } catch (Throwable failure) {
                interruptedAtEnd.completeExceptionally(failure);
            }
        }, "test-worker");
        thread.start();
        return interruptedAtEnd;
    }

    private static void blockOnRead(Pipe pipe) throws IOException {
        pipe.source().read(ByteBuffer.allocate(16));
    }

    private static void blockOnWrite(Pipe pipe) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        while (true) {
            pipe.sink().write(chunk.clear());
        }
    }

    @Test
    void aDeadlinePassingWhileTheRequestIsReadInterruptsTheReadAndLeavesNoInterruptBehind() throws Exception {
        CompletableFuture<ExchangeGuard> guard = new CompletableFuture<>();
        CompletableFuture<Boolean> interrupted = worker(guard, true, own -> {
            assertThatThrownBy(() -> blockOnRead(requestPipe)).isInstanceOf(ClosedByInterruptException.class);
        });

        guard.get().expireIfDue(LATER, responders);

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void nothingIsInterruptedWhileTheAnswerIsComputedButALateAnswerIsNotWritten() throws Exception {
        CompletableFuture<ExchangeGuard> guard = new CompletableFuture<>();
        CompletableFuture<Void> handling = new CompletableFuture<>();
        AtomicBoolean checked = new AtomicBoolean();
        CompletableFuture<Boolean> interrupted = worker(guard, false, own -> {
            own.readingBody(() -> events.add("answered"), HOUR);
            own.bodyRead(0);
            handling.complete(null);
            while (!checked.get()) {
                Thread.onSpinWait();
            }
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            assertThatThrownBy(own::writing).isInstanceOf(ExchangeGuard.DeadlineException.class);
        });

        handling.get(10, TimeUnit.SECONDS);
        guard.get().expireIfDue(LATER, responders);
        checked.set(true);

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(events).isEmpty();
    }

    @Test
    void aDeadlinePassingWhileTheAnswerIsWrittenInterruptsTheWrite() throws Exception {
        CompletableFuture<ExchangeGuard> guard = new CompletableFuture<>();
        CompletableFuture<Void> writing = new CompletableFuture<>();
        CompletableFuture<Boolean> interrupted = worker(guard, false, own -> {
            own.readingBody(() -> events.add("answered"), HOUR);
            own.bodyRead(HOUR);
            own.writing();
            writing.complete(null);
            try {
                assertThatThrownBy(() -> blockOnWrite(answerPipe)).isInstanceOf(ClosedByInterruptException.class);
            } finally {
                own.written();
            }
        });

        writing.get(10, TimeUnit.SECONDS);
        guard.get().expireIfDue(LATER, responders);

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(events).isEmpty();
    }

    @Test
    void aBodyNotInTimeIsAnsweredOnAResponderThreadBeforeTheWorkerIsUnblocked() throws Exception {
        CompletableFuture<ExchangeGuard> guard = new CompletableFuture<>();
        CompletableFuture<Void> reading = new CompletableFuture<>();
        CompletableFuture<Boolean> interrupted = worker(guard, true, own -> {
            own.readingBody(() -> events.add("answered on " + Thread.currentThread().getName()), HOUR);
            reading.complete(null);
            assertThatThrownBy(() -> blockOnRead(requestPipe)).isInstanceOf(ClosedByInterruptException.class);
            events.add("read failed");
            assertThat(own.bodyFailed()).as("failed because of the deadline").isTrue();
        });

        reading.get(10, TimeUnit.SECONDS);
        guard.get().expireIfDue(LATER, responders);

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).startsWith("answered on pool-");
        assertThat(events.get(1)).isEqualTo("read failed");
        assertThat(responders.submit(() -> Thread.currentThread().isInterrupted()).get()).isFalse();
    }

    @Test
    void aBodyCompletingAfterItsDeadlineIsGivenUpAndTheInterruptMeanwhileCleared() throws Exception {
        CompletableFuture<ExchangeGuard> guard = new CompletableFuture<>();
        CompletableFuture<Void> reading = new CompletableFuture<>();
        CompletableFuture<Boolean> interrupted = worker(guard, false, own -> {
            own.readingBody(() -> events.add("answered"), HOUR);
            reading.complete(null);
            while (events.isEmpty()) {
                Thread.onSpinWait();
            }
            assertThatThrownBy(() -> own.bodyRead(HOUR)).isInstanceOf(ExchangeGuard.DeadlineException.class);
        });

        reading.get(10, TimeUnit.SECONDS);
        guard.get().expireIfDue(LATER, responders);

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(events).containsExactly("answered");
    }

    @Test
    void anAnswerStuckBeyondItsBudgetIsCutOffAndTheWorkerUnblocked() throws Exception {
        CompletableFuture<ExchangeGuard> guard = new CompletableFuture<>();
        CompletableFuture<Void> reading = new CompletableFuture<>();
        CompletableFuture<Boolean> interrupted = worker(guard, false, own -> {
            own.readingBody(() -> {
                events.add("answering");
                try {
                    blockOnWrite(answerPipe);
                } catch (ClosedByInterruptException expected) {
                    events.add("answer cut off");
                    throw expected;
                }
            }, HOUR);
            reading.complete(null);
            assertThatThrownBy(() -> blockOnRead(requestPipe)).isInstanceOf(IOException.class);
            assertThat(own.bodyFailed()).isTrue();
        });

        reading.get(10, TimeUnit.SECONDS);
        guard.get().expireIfDue(LATER, responders);
        Await.until("the responder writes the answer", () -> events.contains("answering"));
        guard.get().expireIfDue(MUCH_LATER, responders);

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        Await.until("the answer is cut off", () -> events.contains("answer cut off"));
        assertThat(responders.submit(() -> Thread.currentThread().isInterrupted()).get()).isFalse();
    }

    @Test
    void whenNoResponderIsFreeTheWorkerIsInterruptedWithoutAnAnswer() throws Exception {
        CompletableFuture<ExchangeGuard> guard = new CompletableFuture<>();
        CompletableFuture<Void> reading = new CompletableFuture<>();
        CompletableFuture<Boolean> interrupted = worker(guard, false, own -> {
            own.readingBody(() -> events.add("answered"), HOUR);
            reading.complete(null);
            assertThatThrownBy(() -> blockOnRead(requestPipe)).isInstanceOf(ClosedByInterruptException.class);
            assertThat(own.bodyFailed()).isTrue();
        });

        reading.get(10, TimeUnit.SECONDS);
        guard.get().expireIfDue(LATER, task -> {
            throw new RejectedExecutionException("all responders busy");
        });

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(events).isEmpty();
    }

    @Test
    void aDeadlineNotYetDueChangesNothing() throws Exception {
        CompletableFuture<ExchangeGuard> guard = new CompletableFuture<>();
        CompletableFuture<Void> reading = new CompletableFuture<>();
        AtomicBoolean checked = new AtomicBoolean();
        CompletableFuture<Boolean> interrupted = worker(guard, true, own -> {
            reading.complete(null);
            while (!checked.get()) {
                Thread.onSpinWait();
            }
            own.readingBody(() -> events.add("answered"), HOUR);
            own.bodyRead(HOUR);
            own.writing();
            own.written();
        });

        reading.get(10, TimeUnit.SECONDS);
        guard.get().expireIfDue(System.nanoTime(), responders);
        checked.set(true);

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(events).isEmpty();
    }
}
