package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.joined;
import static io.github.agentlifecycle.core.TestManagers.left;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.agentlifecycle.core.spi.AgentHandle;
import io.github.agentlifecycle.core.spi.AgentLauncher;
import io.github.agentlifecycle.core.spi.AgentSpec;
import io.github.agentlifecycle.core.spi.Clock;
import io.github.agentlifecycle.core.spi.LauncherContext;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.internal.RoomInput;
import io.github.agentlifecycle.core.internal.RoomStateMachine;
import io.github.agentlifecycle.core.internal.Transition;
import io.github.agentlifecycle.core.testing.ManualClock;
import io.github.agentlifecycle.core.testing.RecordingLauncher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Manager-level behaviour: start and close, listeners, maintenance, threading, validation. */
class AgentManagerTest {

    @Test
    void closeStopsEveryAgentAndWaitsForHungOnesUntilTheStopTimeout() {
        TestManagers t = new TestManagers();
        t.readyAgent("r1");
        t.launcher.hangNext();
        t.readyAgent("r2");
        CompletableFuture<Void> closed = t.manager.closeAsync().toCompletableFuture();
        assertThat(t.launcher.liveIn("r1")).isEmpty();
        assertThat(closed).isNotDone();

        t.clock.advance(Duration.ofSeconds(10));
        assertThat(closed).isCompleted();
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.events(LifecycleEvent.RoomClosed.class)).extracting(LifecycleEvent.RoomClosed::reason)
                .containsOnly(CloseReason.SHUTDOWN).hasSize(2);
        assertThat(t.clock.pendingTimers()).isZero();
    }

    @Test
    void closedManagerRejectsRequestsAndCloseIsIdempotent() {
        TestManagers t = new TestManagers();
        t.manager.close();
        t.manager.close();
        EnsureResult result = t.manager.ensureAgent("r1");
        assertThat(result.status()).isEqualTo(EnsureResult.Status.REJECTED);
        assertThat(result.message()).isEqualTo("the agent manager is not running");
        assertThat(t.manager.apply(joined("r1", "PA_1", "c"))).isEqualTo(EventOutcome.REJECTED);
        assertThat(t.launcher.launches()).isEmpty();
    }

    @Test
    void managerThatWasNotStartedRejectsRequests() {
        ManualClock clock = new ManualClock();
        AgentManager manager = AgentManager.builder(new RecordingLauncher(clock, 50)).clock(clock)
                .executor(Runnable::run).build();
        assertThat(manager.ensureAgent("r1").status()).isEqualTo(EnsureResult.Status.REJECTED);
        manager.start();
        assertThatThrownBy(manager::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("AgentManager was already started");
        assertThat(manager.ensureAgent("r1").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        manager.close();
    }

    @Test
    void managerOnItsOwnThreadStartsAndCloses() {
        ManualClock clock = new ManualClock();
        AgentManager manager = AgentManager.builder(new RecordingLauncher(clock, 50)).clock(clock).build();
        manager.start();
        assertThat(manager.state()).isEqualTo(ManagerState.RUNNING);
        assertThat(manager.ensureAgent("r1").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        manager.close();
        assertThat(manager.state()).isEqualTo(ManagerState.CLOSED);
    }

    @Test
    void throwingListenerDoesNotHarmTheEngineOrOtherListeners() {
        ManualClock clock = new ManualClock();
        RecordingLauncher launcher = new RecordingLauncher(clock, 50);
        List<LifecycleEvent> seen = new ArrayList<>();
        AgentManager manager = AgentManager.builder(launcher).clock(clock).executor(Runnable::run)
                .listener(event -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(seen::add)
                .build();
        manager.start();
        assertThat(manager.ensureAgent("r1").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
        manager.apply(joined("r1", "PA_1", "c"));
        assertThat(manager.room("r1").orElseThrow().humanCount()).isEqualTo(1);
        assertThat(seen).isNotEmpty();
        manager.close();
    }

    @Test
    void callerIsAnsweredEvenWhenAListenerThrowsAnError() {
        ManualClock clock = new ManualClock();
        AgentManager manager = AgentManager.builder(new RecordingLauncher(clock, 50)).clock(clock)
                .executor(Runnable::run)
                .listener(event -> {
                    if (event instanceof LifecycleEvent.RoomCreated) {
                        throw new AssertionError("listener error");
                    }
                })
                .build();
        manager.start();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThatThrownBy(() -> manager.ensureAgent("r1")).isInstanceOf(AssertionError.class));
        assertThat(manager.room("r1")).isPresent();
        manager.close();
    }

    @Test
    void blockingCallFromAListenerFailsInsteadOfDeadlocking() {
        TestManagers t = new TestManagers();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<ManagerStats> asyncStats = new AtomicReference<>();
        try (AgentManager.Registration registration = t.manager.addListener(event -> {
            if (event instanceof LifecycleEvent.RoomCreated) {
                try {
                    t.manager.stats();
                } catch (IllegalStateException e) {
                    failure.set(e);
                }
                t.manager.statsAsync().thenAccept(asyncStats::set);
            }
        })) {
            t.manager.ensureAgent("r1");
        }
        assertThat(failure.get()).hasMessageContaining("use the ...Async method instead");
        assertThat(asyncStats.get().totalRooms()).isEqualTo(1);
    }

    @Test
    void removedListenerHearsNothingMore() {
        TestManagers t = new TestManagers();
        List<LifecycleEvent> heard = new ArrayList<>();
        AgentManager.Registration registration = t.manager.addListener(heard::add);
        t.manager.ensureAgent("r1");
        int count = heard.size();
        registration.close();
        t.manager.ensureAgent("r2");
        assertThat(heard).hasSize(count);
    }

    @Test
    void listenersHearEventsInOrder() {
        TestManagers t = new TestManagers();
        t.readyAgent("r1");
        t.manager.apply(joined("r1", "PA_1", "c"));
        t.manager.apply(left("r1", "PA_1", "c"));
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(t.events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                "RoomCreated", "AgentLaunching", "AgentLaunched", "AgentReady", "ParticipantJoined",
                "ParticipantLeft", "GraceStarted", "GraceExpired", "RoomClosing", "AgentStopping", "AgentExited",
                "RoomClosed");
    }

    @Test
    void gcRepairsALostTimer() {
        ManualClock manual = new ManualClock();
        LossyClock clock = new LossyClock(manual);
        RecordingLauncher launcher = new RecordingLauncher(manual, 50);
        AgentManager manager = AgentManager.builder(launcher).clock(clock).executor(Runnable::run)
                .config(AgentManagerConfig.builder().gcInterval(Duration.ofMinutes(10)).build()).build();
        manager.start();
        manager.ensureAgent("r1");
        manager.heartbeat("r1", launcher.last("r1").spec.agentIdentity());
        manager.apply(joined("r1", "PA_1", "c"));
        clock.dropNext = true;
        manager.apply(left("r1", "PA_1", "c"));

        manual.advance(Duration.ofSeconds(61));
        assertThat(manager.room("r1")).isPresent();
        MaintenanceReport report = manager.runMaintenance();
        assertThat(report.timersRepaired()).isEqualTo(1);
        assertThat(report.roomsClosing()).isEqualTo(1);
        assertThat(manager.room("r1")).isEmpty();
        assertThat(launcher.live()).isEmpty();
        manager.close();
    }

    @Test
    void periodicGcIsTheSafetyNetForLostTimers() {
        ManualClock manual = new ManualClock();
        LossyClock clock = new LossyClock(manual);
        RecordingLauncher launcher = new RecordingLauncher(manual, 50);
        AgentManager manager = AgentManager.builder(launcher).clock(clock).executor(Runnable::run)
                .config(AgentManagerConfig.builder().gcInterval(Duration.ofSeconds(45)).build()).build();
        manager.start();
        clock.dropNext = true;
        manager.apply(RoomEvent.roomStarted("r1", "RM_1"));
        manual.advance(Duration.ofMinutes(5));
        assertThat(manager.room("r1")).isPresent();
        manual.advance(Duration.ofSeconds(15));
        assertThat(manager.room("r1")).isEmpty();
        manager.close();
    }

    @Test
    void gcStopsAgentsThatBelongToNoRoom() {
        ManualClock clock = new ManualClock();
        RecordingLauncher launcher = new RecordingLauncher(clock, 50);
        RoomStateMachine standard = RoomStateMachine.standard(AgentManagerConfig.defaults());
        // a faulty machine that forgets a room on admin close without stopping its agent
        RoomStateMachine forgetful = (room, current, input, now) -> input instanceof RoomInput.CloseRequested
                ? new Transition(null, List.of()) : standard.apply(room, current, input, now);
        List<LifecycleEvent> events = new ArrayList<>();
        AgentManager manager = AgentManager.builder(launcher).clock(clock).executor(Runnable::run)
                .stateMachine(forgetful).listener(events::add).build();
        manager.start();
        manager.ensureAgent("r1");
        manager.closeRoom("r1");
        assertThat(launcher.liveIn("r1")).hasSize(1);

        MaintenanceReport report = manager.runMaintenance();
        assertThat(report.orphansStopped()).isEqualTo(1);
        assertThat(launcher.liveIn("r1")).isEmpty();
        assertThat(events).filteredOn(e -> e instanceof LifecycleEvent.OrphanReaped).hasSize(1);
        assertThat(manager.stats().orphansReaped()).isEqualTo(1);
        assertThat(manager.stats().totalAgents()).isZero();
        manager.close();
    }

    @Test
    void stateMachineFailureLeavesTheRoomUnchanged() {
        ManualClock clock = new ManualClock();
        RecordingLauncher launcher = new RecordingLauncher(clock, 50);
        RoomStateMachine standard = RoomStateMachine.standard(AgentManagerConfig.defaults());
        RoomStateMachine brittle = (room, current, input, now) -> {
            if (input instanceof RoomInput.External e && e.event() instanceof RoomEvent.RoomStarted) {
                throw new IllegalStateException("bug");
            }
            return standard.apply(room, current, input, now);
        };
        AgentManager manager = AgentManager.builder(launcher).clock(clock).executor(Runnable::run)
                .stateMachine(brittle).build();
        manager.start();
        manager.ensureAgent("r1");
        RoomSnapshot before = manager.room("r1").orElseThrow();
        manager.apply(RoomEvent.roomStarted("r1", "RM_1"));
        assertThat(manager.room("r1")).contains(before);
        manager.close();
    }

    @Test
    void launcherMayReportOrphansItReapedAtStart() {
        ManualClock clock = new ManualClock();
        List<LifecycleEvent> events = new ArrayList<>();
        AgentLauncher reaping = new AgentLauncher() {
            @Override
            public CompletionStage<AgentHandle> launch(AgentSpec spec) {
                return CompletableFuture.failedFuture(new UnsupportedOperationException());
            }

            @Override
            public void start(LauncherContext context) {
                context.publish(new LifecycleEvent.OrphanReaped("old-room", "ai-agent-x", 4242L));
            }
        };
        AgentManager manager = AgentManager.builder(reaping).clock(clock).executor(Runnable::run)
                .listener(events::add).build();
        manager.start();
        assertThat(events).containsExactly(new LifecycleEvent.OrphanReaped("old-room", "ai-agent-x", 4242L));
        assertThat(manager.stats().orphansReaped()).isEqualTo(1);
        manager.close();
    }

    @Test
    void heartbeatAndCredentialAreCheckedAgainstTheCurrentAgent() {
        TestManagers t = new TestManagers();
        t.manager.ensureAgent("r1");
        AgentSpec spec = t.launcher.last("r1").spec;
        assertThat(t.manager.heartbeat("r1", "someone-else")).isFalse();
        assertThat(t.manager.heartbeat("r2", spec.agentIdentity())).isFalse();
        assertThat(t.manager.verifyAgentCredential("r1", spec.agentIdentity(), spec.credential())).isTrue();
        assertThat(t.manager.verifyAgentCredential("r1", spec.agentIdentity(), spec.credential() + "x")).isFalse();
        assertThat(t.manager.verifyAgentCredential("r1", "someone-else", spec.credential())).isFalse();
        assertThat(spec.toString()).doesNotContain(spec.credential());
        assertThat(t.manager.heartbeat("r1", spec.agentIdentity())).isTrue();
        assertThat(t.room("r1").agentState()).isEqualTo(AgentState.READY);
    }

    @Test
    void statsCountRoomsAgentsAndParticipants() {
        TestManagers t = new TestManagers();
        t.readyAgent("r1");
        t.manager.apply(joined("r1", "PA_1", "c1"));
        t.manager.apply(joined("r1", "PA_2", "c2"));
        t.readyAgent("r2");
        t.manager.apply(joined("r2", "PA_3", "c3"));
        t.manager.apply(left("r2", "PA_3", "c3"));
        t.manager.ensureAgent("r3");
        ManagerStats stats = t.manager.stats();
        assertThat(stats.totalRooms()).isEqualTo(3);
        assertThat(stats.activeRooms()).isEqualTo(1);
        assertThat(stats.roomsInGrace()).isEqualTo(1);
        assertThat(stats.startingRooms()).isEqualTo(1);
        assertThat(stats.totalAgents()).isEqualTo(3);
        assertThat(stats.readyAgents()).isEqualTo(2);
        assertThat(stats.totalParticipants()).isEqualTo(2);
        assertThat(stats.totalHumans()).isEqualTo(2);
        assertThat(stats.agentLaunches()).isEqualTo(3);
        assertThat(stats.eventsApplied()).isEqualTo(4);
        assertThat(t.manager.rooms()).extracting(RoomSnapshot::roomName).containsExactly("r1", "r2", "r3");
    }

    @Test
    void snapshotsReportWallClockTimes() {
        ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"), Long.MAX_VALUE - 1_000);
        RecordingLauncher launcher = new RecordingLauncher(clock, 50);
        AgentManager manager = AgentManager.builder(launcher).clock(clock).executor(Runnable::run).build();
        manager.start();
        manager.ensureAgent("r1");
        clock.advance(Duration.ofSeconds(5));
        manager.heartbeat("r1", launcher.last("r1").spec.agentIdentity());
        manager.apply(joined("r1", "PA_1", "c"));
        RoomSnapshot room = manager.room("r1").orElseThrow();
        assertThat(room.createdAt()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(room.lastActivity()).isEqualTo(Instant.parse("2026-03-01T10:00:05Z"));
        manager.close();
    }

    @Test
    void runsOnItsOwnThreadWithTheSystemClockByDefault() throws Exception {
        RecordingLauncher launcher = new RecordingLauncher(Clock.system(), 50);
        AgentManager manager = AgentManager.builder(launcher).build();
        manager.start();
        try {
            EnsureResult result = manager.ensureAgentAsync("r1").toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(result.status()).isEqualTo(EnsureResult.Status.LAUNCHED);
            assertThat(manager.applyAsync(joined("r1", "PA_1", "c")).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isEqualTo(EventOutcome.APPLIED);
        } finally {
            manager.closeAsync().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        assertThat(launcher.live()).isEmpty();
        assertThat(launcher.violations()).isEmpty();
        assertThat(manager.ensureAgentAsync("r2").toCompletableFuture().get(10, TimeUnit.SECONDS).status())
                .isEqualTo(EnsureResult.Status.REJECTED);
        manager.close();
    }

    @Test
    void stateIsDrainingAsSoonAsDrainAsyncReturnsEvenWhileTheEngineIsBusy() throws Exception {
        ManualClock clock = new ManualClock();
        RecordingLauncher launcher = new RecordingLauncher(clock, 50);
        ExecutorService engineThread = Executors.newSingleThreadExecutor();
        CountDownLatch busy = new CountDownLatch(1);
        try {
            AgentManager manager = AgentManager.builder(launcher).clock(clock).executor(engineThread).build();
            manager.start();
            assertThat(manager.ensureAgent("r1").status()).isEqualTo(EnsureResult.Status.LAUNCHED);
            engineThread.execute(() -> {
                try {
                    busy.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            CompletableFuture<Void> drained = manager.drainAsync(Duration.ofMinutes(5)).toCompletableFuture();
            assertThat(manager.state()).isEqualTo(ManagerState.DRAINING);
            busy.countDown();

            assertThat(manager.ensureAgent("r2").status()).isEqualTo(EnsureResult.Status.DRAINING);
            assertThat(manager.stats().state()).isEqualTo(ManagerState.DRAINING);
            assertThat(manager.state()).isEqualTo(ManagerState.DRAINING);
            assertThat(drained).isNotDone();
            assertThat(manager.closeRoom("r1")).isTrue();
            drained.get(10, TimeUnit.SECONDS);
            assertThat(manager.state()).isEqualTo(ManagerState.CLOSED);
            assertThat(launcher.launched()).extracting(AgentSpec::roomName).containsExactly("r1");
        } finally {
            busy.countDown();
            engineThread.shutdownNow();
        }
    }

    @Test
    void aDrainingManagerTreatsARoomKnownOnlyFromWebhooksAsANewRoom() {
        TestManagers t = new TestManagers();
        t.readyAgent("r1");
        t.manager.apply(joined("r1", "PA_1", "alice"));
        CompletableFuture<Void> drained = t.manager.drainAsync(Duration.ofMinutes(5)).toCompletableFuture();

        assertThat(t.manager.apply(joined("r2", "PA_2", "bob"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(t.manager.room("r2")).isPresent();
        EnsureResult refused = t.manager.ensureAgent("r2");
        assertThat(refused.status()).isEqualTo(EnsureResult.Status.DRAINING);
        assertThat(t.launcher.launchesIn("r2")).isEmpty();
        assertThat(t.manager.ensureAgent("r1").status()).isEqualTo(EnsureResult.Status.RUNNING);

        t.manager.apply(left("r1", "PA_1", "alice"));
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(drained).isCompleted();
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.manager.state()).isEqualTo(ManagerState.CLOSED);
    }

    @Test
    void concurrentProducersSeeOneConsistentState() throws Exception {
        RecordingLauncher launcher = new RecordingLauncher(Clock.system(), 50);
        AgentManager manager = AgentManager.builder(launcher).build();
        manager.start();
        int rooms = 20;
        int sessionsPerThread = 500;
        try {
            List<CompletableFuture<?>> all = new ArrayList<>();
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int producer = p;
                List<CompletableFuture<?>> mine = new ArrayList<>();
                Thread thread = new Thread(() -> {
                    for (int i = 0; i < sessionsPerThread; i++) {
                        String room = "room-" + (i % rooms);
                        String sid = "PA_" + producer + "_" + i;
                        mine.add(manager.ensureAgentAsync(room).toCompletableFuture());
                        mine.add(manager.applyAsync(joined(room, sid, "c" + i)).toCompletableFuture());
                        if (i % 2 == 0) {
                            mine.add(manager.applyAsync(left(room, sid, "c" + i)).toCompletableFuture());
                        }
                    }
                    synchronized (all) {
                        all.addAll(mine);
                    }
                });
                producers.add(thread);
                thread.start();
            }
            for (Thread thread : producers) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            ManagerStats stats = manager.statsAsync().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(stats.totalRooms()).isEqualTo(rooms);
            assertThat(stats.totalHumans()).isEqualTo(2 * sessionsPerThread / 2);
            assertThat(stats.eventsApplied()).isEqualTo(2L * (sessionsPerThread + sessionsPerThread / 2));
            assertThat(launcher.launches()).hasSize(rooms);
        } finally {
            manager.closeAsync().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        assertThat(launcher.violations()).isEmpty();
    }

    @Test
    void builderRejectsMissingCollaboratorsByName() {
        assertThatThrownBy(() -> AgentManager.builder(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("launcher must not be null");
        AgentManager.Builder builder = AgentManager.builder(new RecordingLauncher(Clock.system(), 1));
        assertThatThrownBy(() -> builder.clock(null)).hasMessage("clock must not be null");
        assertThatThrownBy(() -> builder.config(null)).hasMessage("config must not be null");
        assertThatThrownBy(() -> builder.listener(null)).hasMessage("listener must not be null");
        assertThatThrownBy(() -> builder.executor(null)).hasMessage("executor must not be null");
        assertThatThrownBy(() -> builder.stateMachine(null)).hasMessage("stateMachine must not be null");
    }

    /** A clock that loses the next timer it is asked to schedule, as a bug or a lost wake-up would. */
    static final class LossyClock implements Clock {
        private final ManualClock delegate;
        volatile boolean dropNext;

        LossyClock(ManualClock delegate) {
            this.delegate = delegate;
        }

        @Override
        public long nanoTime() {
            return delegate.nanoTime();
        }

        @Override
        public Instant instant() {
            return delegate.instant();
        }

        @Override
        public Timer schedule(long delayNanos, Runnable task) {
            if (dropNext) {
                dropNext = false;
                return () -> { };
            }
            return delegate.schedule(delayNanos, task);
        }
    }
}
