package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.spi.AgentExit;
import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.testing.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The pool of prewarmed agents over long random sequences of launches, processes that load, confirm, ignore their
 * room, die or fail to start, rooms that end, timer firings and a drain, with processes simulated and a manual
 * clock: the host never runs more processes than the cap (apart from ones being stopped), never keeps
 * more waiting than the target, hands every process out at most once, counts a start warm only for a process that
 * was idle and confirmed, gives every launch an answer, keeps none waiting after a drain, and refills to what the cap
 * leaves once things settle.
 */
class WarmPoolProperties {
    /** The pool's warnings about the dying and failing processes these sequences are made of. */
    private static final Logger QUIET =
            Logger.getLogger("io.github.agentlifecycle.core.ProcessAgentLauncher");

    static {
        QUIET.setLevel(Level.OFF);
    }

    private static final Duration MAX_IDLE_AGE = Duration.ofSeconds(10);
    private static final Duration ASSIGNMENT_TIMEOUT = Duration.ofSeconds(1);

    /**
     * Operations encoded as numbers: {@code op % 10} picks the operation (launch, say idle, confirm, die, finish a
     * stop, end a room's agent, advance the clock, toggle start failures, drain); {@code op / 10} picks the process
     * or the amount.
     */
    @Property(tries = 1000)
    void poolKeepsItsPromisesWhateverProcessesAndRoomsDo(
            @ForAll @Size(min = 50, max = 300) List<@IntRange(min = 0, max = 9999) Integer> ops,
            @ForAll @IntRange(min = 1, max = 4) int target,
            @ForAll @IntRange(min = 1, max = 6) int cap) {
        World world = new World(target, cap);
        for (int op : ops) {
            int pick = op / 10;
            switch (op % 10) {
                case 0, 1 -> world.launch();
                case 2 -> world.pick(pick, p -> p.alive() && !p.saidIdle).ifPresent(Fake::sayIdle);
                case 3 -> world.pick(pick, p -> p.alive() && p.assigned != null && !p.confirmed && !p.deaf)
                        .ifPresent(Fake::confirm);
                case 4 -> world.pick(pick, Fake::alive).ifPresent(Fake::exit);
                case 5 -> world.pick(pick, p -> p.alive() && p.retired).ifPresent(Fake::exit);
                case 6 -> world.pick(pick, p -> p.alive() && p.handle != null).ifPresent(Fake::exit);
                case 7 -> world.clock.advance(pick % 8 == 7 ? Duration.ofSeconds(70)
                        : Duration.ofMillis(250L * (pick % 8)));
                case 8 -> world.startsFail = !world.startsFail;
                default -> {
                    if (pick % 20 == 0) {
                        world.drain();
                    } else {
                        world.clock.advance(Duration.ofMillis(1));
                    }
                }
            }
            world.check();
        }
        world.settle();
    }

    /** The pool, its simulated processes, and the engine's side: launches within the cap. */
    private static final class World {
        final ManualClock clock = new ManualClock();
        final int target;
        final int cap;
        final List<Fake> processes = new ArrayList<>();
        final List<Launch> launches = new ArrayList<>();
        final WarmPool pool;
        boolean startsFail;
        boolean drained;
        /** Processes exit as soon as they are asked to stop. */
        boolean settling;
        int rooms;

        World(int target, int cap) {
            this.target = target;
            this.cap = cap;
            pool = new WarmPool(target, MAX_IDLE_AGE, ASSIGNMENT_TIMEOUT, answers -> {
                if (startsFail) {
                    throw new IOException("cannot start");
                }
                Fake fake = new Fake(processes.size(), answers, processes.size() % 5 == 4, () -> settling);
                processes.add(fake);
                return fake;
            }, Runnable::run);
            pool.start(clock, cap);
        }

        /** Launches for a new room if the engine's cap allows it: launches under way and agents not yet exited. */
        void launch() {
            long agents = launches.stream().filter(Launch::counts).count();
            if (agents >= cap) {
                return;
            }
            AgentSpec spec = new AgentSpec("room-" + rooms, "agent-" + rooms, "secret-" + rooms, 1);
            rooms++;
            launches.add(new Launch(spec, pool.launch(spec).toCompletableFuture()));
        }

        void drain() {
            drained = true;
            pool.drain();
        }

        Optional<Fake> pick(int pick, Predicate<Fake> eligible) {
            List<Fake> candidates = processes.stream().filter(eligible).toList();
            return candidates.isEmpty() ? Optional.empty()
                    : Optional.of(candidates.get(pick % candidates.size()));
        }

        void check() {
            long running = processes.stream().filter(p -> p.alive() && !p.retired).count();
            assertThat(running).as("processes alive and not being stopped").isLessThanOrEqualTo(cap);
            long waiting = processes.stream().filter(Fake::waiting).count();
            assertThat(waiting).as("processes waiting").isLessThanOrEqualTo(target);
            assertThat(pool.idle()).as("idle count").isEqualTo((int) waiting);
            if (drained) {
                assertThat(waiting).as("waiting after a drain").isZero();
            }
            for (Launch launch : launches) {
                if (launch.result.isDone() && !launch.result.isCompletedExceptionally()) {
                    AgentHandle handle = launch.result.join();
                    Fake process = processes.stream().filter(p -> p.handle == handle).findFirst().orElseThrow();
                    assertThat(process.assigned).isSameAs(launch.spec);
                    assertThat(handle.agentIdentity()).isEqualTo(launch.spec.agentIdentity());
                    if (handle.prewarmed()) {
                        assertThat(process.idleWhenAssigned).as("warm only if idle when assigned").isTrue();
                        assertThat(process.confirmed).as("warm only once confirmed").isTrue();
                    }
                }
            }
        }

        /** Processes behave from now on; every launch gets its answer, and the pool refills. */
        void settle() {
            startsFail = false;
            settling = true;
            for (int round = 0; round < 20 && launches.stream().anyMatch(l -> !l.result.isDone()); round++) {
                processes.stream().filter(p -> p.alive() && !p.saidIdle).toList().forEach(Fake::sayIdle);
                processes.stream().filter(p -> p.alive() && p.assigned != null && !p.confirmed && !p.deaf).toList()
                        .forEach(Fake::confirm);
                clock.advance(ASSIGNMENT_TIMEOUT);
                check();
            }
            assertThat(launches).as("every launch answered").allMatch(l -> l.result.isDone());
            processes.stream().filter(p -> p.alive() && p.retired).toList().forEach(Fake::exit);
            clock.advance(Duration.ofSeconds(70));
            processes.stream().filter(p -> p.alive() && !p.saidIdle).toList().forEach(Fake::sayIdle);
            check();
            long serving = processes.stream().filter(p -> p.alive() && p.assigned != null).count();
            long waiting = processes.stream().filter(Fake::waiting).count();
            assertThat(waiting).as("processes waiting once settled")
                    .isEqualTo(drained ? 0 : Math.max(0, Math.min(target, cap - serving)));
        }
    }

    private record Launch(AgentSpec spec, CompletableFuture<AgentHandle> result) {
        /** Whether the engine counts it against its cap: launching, or launched and not exited. */
        boolean counts() {
            if (!result.isDone()) {
                return true;
            }
            return !result.isCompletedExceptionally() && !result.join().onExit().toCompletableFuture().isDone();
        }
    }

    /** A simulated agent process. */
    private static final class Fake implements PoolMember {
        final int pid;
        final PoolMember.Answers answers;
        final BooleanSupplier exitOnStop;
        /** Never confirms a room. */
        final boolean deaf;
        final CompletableFuture<AgentExit> exit = new CompletableFuture<>();
        boolean saidIdle;
        boolean idleWhenAssigned;
        boolean confirmed;
        boolean retired;
        AgentSpec assigned;
        AgentHandle handle;

        Fake(int pid, PoolMember.Answers answers, boolean deaf, BooleanSupplier exitOnStop) {
            this.pid = pid;
            this.answers = answers;
            this.deaf = deaf;
            this.exitOnStop = exitOnStop;
        }

        boolean alive() {
            return !exit.isDone();
        }

        boolean waiting() {
            return alive() && assigned == null && !retired;
        }

        void sayIdle() {
            saidIdle = true;
            answers.idle();
        }

        void confirm() {
            confirmed = true;
            answers.assigned();
        }

        void exit() {
            exit.complete(AgentExit.exited(0, retired));
        }

        @Override
        public void assign(AgentSpec spec) throws IOException {
            assertThat(assigned).as("a process is given one room at most").isNull();
            if (!alive()) {
                throw new IOException("Broken pipe");
            }
            assigned = spec;
            idleWhenAssigned = saidIdle;
        }

        @Override
        public AgentHandle handle(AgentSpec spec, boolean warm) {
            assertThat(handle).as("one handle per process").isNull();
            Fake process = this;
            handle = new AgentHandle() {
                @Override
                public String agentIdentity() {
                    return spec.agentIdentity();
                }

                @Override
                public boolean prewarmed() {
                    return warm;
                }

                @Override
                public CompletionStage<AgentExit> onExit() {
                    return process.exit;
                }

                @Override
                public void stop(Duration timeout) {
                    process.retired = true;
                }
            };
            return handle;
        }

        @Override
        public CompletionStage<?> exited() {
            return exit;
        }

        @Override
        public void retire() {
            retired = true;
            if (exitOnStop.getAsBoolean()) {
                exit();
            }
        }

        @Override
        public long pid() {
            return pid;
        }
    }
}
