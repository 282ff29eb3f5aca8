package io.github.agentlifecycle.http;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlines of one HTTP exchange on the JDK server, and how they are enforced. The exchange runs on one thread
 * (its worker), which reports each phase; a {@link Watchdog} calls {@link #expireIfDue} now and then.
 *
 * <p>A deadline that passes while the worker reads the request or writes the answer interrupts the worker: the
 * JDK server's connections are blocking {@code SocketChannel}s, so the blocked read or write fails with {@code
 * ClosedByInterruptException} and the connection is closed. When the handler was already reading the body and has
 * registered a {@link TimeoutAnswer}, that answer (a 408) is first written on a responder thread, never on the
 * watchdog's, because a write can block on a client that does not read; then the worker is interrupted. While the
 * answer is being computed the worker is never interrupted: the API and the engine (which may run on the worker)
 * never see an interrupt.
 *
 * <p>Thread-safe: every change happens under the guard's lock, and the worker is interrupted only under that lock
 * and only in a phase in which it still works on this exchange. A phase method that leaves an interruptible phase
 * clears the interrupt this guard may have delivered, so none reaches the worker's next task or the code after.
 */
final class ExchangeGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ExchangeGuard.class);
    private static final ThreadLocal<ExchangeGuard> CURRENT = new ThreadLocal<>();

    /** Writes the answer for a request not received in time, without closing the exchange. */
    @FunctionalInterface
    interface TimeoutAnswer {
        void send() throws IOException;
    }

    /** Thrown to the worker when its exchange's deadline has passed. */
    static final class DeadlineException extends IOException {
        private static final long serialVersionUID = 1L;

        DeadlineException(String message) {
            super(message);
        }
    }

    private enum Phase {
        /** The server reads the request line and headers; interruptible. */
        REQUEST,
        /** The handler reads the body; interruptible, or answered by a responder. */
        BODY,
        /** The answer is being computed; never interrupted. */
        HANDLE,
        /** The answer is being written; interruptible. */
        WRITE,
        /** A responder writes the timeout answer while the worker still waits on the body. */
        ANSWERING,
        /** The deadline passed; the worker gives the connection up. */
        TIMED_OUT,
        /** The worker is past every deadline of this exchange. */
        DONE
    }

    private final Thread worker;
    private Phase phase;
    private long deadline;
    private @Nullable TimeoutAnswer answer;
    private long answerNanos;
    private @Nullable Thread responder;
    private boolean workerInterrupted;

    private ExchangeGuard(Phase phase, long timeoutNanos) {
        this.worker = Thread.currentThread();
        this.phase = phase;
        this.deadline = System.nanoTime() + timeoutNanos;
    }

    /** A guard for an exchange whose request line is about to be read on this thread. */
    static ExchangeGuard forRequest(long readTimeoutNanos) {
        return new ExchangeGuard(Phase.REQUEST, readTimeoutNanos);
    }

    /** A guard for an exchange whose body is about to be read on this thread (its headers are in). */
    static ExchangeGuard forBody(long readTimeoutNanos) {
        return new ExchangeGuard(Phase.BODY, readTimeoutNanos);
    }

    /** The guard bound to this thread by {@link #bind()}, or null. */
    static @Nullable ExchangeGuard current() {
        return CURRENT.get();
    }

    /** Makes this guard {@link #current()} on the worker until {@link #unbind()}. */
    void bind() {
        CURRENT.set(this);
    }

    void unbind() {
        CURRENT.remove();
    }

    // ---- the worker's side ----------------------------------------------------------------------------------

    /**
     * The handler starts reading the body; until the read deadline it may be answered with {@code answer}, whose
     * writing gets {@code answerNanos}.
     *
     * @throws DeadlineException if the read deadline has already passed
     */
    synchronized void readingBody(TimeoutAnswer answer, long answerNanos) throws DeadlineException {
        if (phase != Phase.REQUEST && phase != Phase.BODY) {
            leave(Phase.TIMED_OUT);
            throw new DeadlineException("request not received in time");
        }
        phase = Phase.BODY;
        this.answer = answer;
        this.answerNanos = answerNanos;
    }

    /**
     * The body is in; the answer now has {@code responseNanos} to be computed and written.
     *
     * @throws DeadlineException if the read deadline passed first (the timeout answer, if any, has then been
     *     written, and the connection is to be closed)
     */
    synchronized void bodyRead(long responseNanos) throws DeadlineException {
        if (phase == Phase.BODY) {
            phase = Phase.HANDLE;
            answer = null;
            deadline = System.nanoTime() + responseNanos;
            return;
        }
        awaitAnswered();
        leave(Phase.TIMED_OUT);
        throw new DeadlineException("request body not received in time");
    }

    /** Reading the body failed; returns whether because its deadline passed (see {@link #bodyRead}). */
    synchronized boolean bodyFailed() {
        awaitAnswered();
        boolean timedOut = phase != Phase.BODY;
        answer = null;
        leave(Phase.TIMED_OUT);
        return timedOut;
    }

    /**
     * The answer is about to be written.
     *
     * @throws DeadlineException if the response deadline has passed already
     */
    synchronized void writing() throws DeadlineException {
        if (phase != Phase.HANDLE || System.nanoTime() - deadline >= 0) {
            leave(Phase.TIMED_OUT);
            throw new DeadlineException("answer not ready in time");
        }
        phase = Phase.WRITE;
    }

    /** The answer has been written, or writing it failed. */
    synchronized void written() {
        leave(Phase.DONE);
    }

    /** The exchange is over; waits for a responder still writing the timeout answer. */
    synchronized void finish() {
        awaitAnswered();
        leave(Phase.DONE);
    }

    private void awaitAnswered() {
        while (phase == Phase.ANSWERING) {
            try {
                wait();
            } catch (InterruptedException delivered) {
                workerInterrupted = true;
            }
        }
    }

    /** Moves to a phase in which the worker is not interrupted, and clears what this guard delivered. */
    private void leave(Phase next) {
        phase = next;
        if (workerInterrupted && Thread.currentThread() == worker) {
            Thread.interrupted();
            workerInterrupted = false;
        }
    }

    // ---- the watchdog's side --------------------------------------------------------------------------------

    /** Enforces the deadline if it has passed at {@code now}; timeout answers are written on {@code responders}. */
    synchronized void expireIfDue(long now, Executor responders) {
        if (now - deadline < 0) {
            return;
        }
        switch (phase) {
            case REQUEST, WRITE -> giveUp();
            case BODY -> {
                if (answer == null) {
                    giveUp();
                    return;
                }
                phase = Phase.ANSWERING;
                deadline = now + answerNanos;
                try {
                    responders.execute(this::answer);
                } catch (RejectedExecutionException busy) {
                    giveUp();
                }
            }
            case ANSWERING -> {
                if (responder != null) {
                    responder.interrupt();
                }
                giveUp();
                notifyAll();
            }
            default -> {
                // HANDLE is checked by the worker itself; TIMED_OUT and DONE have nothing left to enforce
            }
        }
    }

    private void giveUp() {
        phase = Phase.TIMED_OUT;
        workerInterrupted = true;
        worker.interrupt();
    }

    /** Runs on a responder thread: writes the timeout answer, then unblocks the worker. */
    private void answer() {
        TimeoutAnswer send;
        synchronized (this) {
            if (phase != Phase.ANSWERING || answer == null) {
                return;
            }
            responder = Thread.currentThread();
            send = answer;
        }
        try {
            send.send();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Could not send the request timeout answer: {}", e.toString());
        } finally {
            synchronized (this) {
                responder = null;
                if (phase == Phase.ANSWERING) {
                    giveUp();
                    notifyAll();
                }
            }
            Thread.interrupted();
        }
    }
}
