package io.github.agentlifecycle.core;

import static io.github.agentlifecycle.core.TestManagers.joined;
import static io.github.agentlifecycle.core.TestManagers.left;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleEvent.IgnoreReason;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhook semantics: duplicates, sessions, reordering, room instances, roles. */
class RoomEventsTest {
    private final TestManagers t = new TestManagers();

    @AfterEach
    void noViolations() {
        assertThat(t.launcher.violations()).isEmpty();
    }

    private static RoomEvent.ParticipantJoined join(String sid, String identity, String eventId) {
        return new RoomEvent.ParticipantJoined("room-a", new Participant(sid, identity, ParticipantRole.HUMAN), null,
                eventId, null);
    }

    private static RoomEvent.ParticipantLeft leave(String sid, String identity, String eventId) {
        return new RoomEvent.ParticipantLeft("room-a", new Participant(sid, identity, ParticipantRole.HUMAN), false,
                null, eventId, null);
    }

    @Test
    void duplicateEventIdsChangeNothing() {
        t.readyAgent("room-a");
        assertThat(t.manager.apply(join("PA_1", "client-1", "EV_1"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(t.manager.apply(leave("PA_1", "client-1", "EV_2"))).isEqualTo(EventOutcome.APPLIED);
        RoomSnapshot before = t.room("room-a");

        assertThat(t.manager.apply(join("PA_1", "client-1", "EV_1"))).isEqualTo(EventOutcome.DUPLICATE);
        assertThat(t.manager.apply(leave("PA_1", "client-1", "EV_2"))).isEqualTo(EventOutcome.DUPLICATE);
        assertThat(t.room("room-a")).isEqualTo(before);
        assertThat(t.manager.stats().eventsDuplicate()).isEqualTo(2);
    }

    @Test
    void leaveBeforeItsJoinLeavesATombstoneSoTheLateJoinIsIgnored() {
        t.readyAgent("room-a");
        assertThat(t.manager.apply(leave("PA_1", "client-1", "EV_2"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(t.manager.apply(join("PA_1", "client-1", "EV_1"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(t.room("room-a").humanCount()).isZero();
        assertThat(t.events(LifecycleEvent.EventIgnored.class)).extracting(LifecycleEvent.EventIgnored::reason)
                .containsExactly(IgnoreReason.UNKNOWN_SESSION, IgnoreReason.SESSION_ALREADY_LEFT);
    }

    @Test
    void lateLeaveOfAnOldSessionNeverRemovesTheNewSession() {
        t.readyAgent("room-a");
        t.manager.apply(join("PA_old", "client-1", "EV_1"));
        t.manager.apply(join("PA_new", "client-1", "EV_3"));
        t.manager.apply(leave("PA_old", "client-1", "EV_2"));
        RoomSnapshot room = t.room("room-a");
        assertThat(room.humanCount()).isEqualTo(1);
        assertThat(room.participants()).extracting(Participant::sessionId).containsExactly("PA_new");
        assertThat(room.state()).isEqualTo(RoomState.ACTIVE);
    }

    @Test
    void connectionAbortedCountsAsALeave() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.manager.apply(RoomEvent.participantConnectionAborted("room-a", "PA_1", "client-1", ParticipantRole.HUMAN));
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(t.events(LifecycleEvent.ParticipantLeft.class).get(0).connectionAborted()).isTrue();
    }

    @Test
    void onlyHumansKeepTheRoomAlive() {
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.manager.apply(RoomEvent.participantJoined("room-a", "EG_1", "recorder", ParticipantRole.OTHER));
        t.manager.apply(left("room-a", "PA_1", "client-1"));
        RoomSnapshot room = t.room("room-a");
        assertThat(room.state()).isEqualTo(RoomState.GRACE_PERIOD);
        assertThat(room.participantCount()).isEqualTo(1);
        assertThat(room.humanCount()).isZero();
    }

    @Test
    void roomFinishedStopsTheAgentAtOnce() {
        t.readyAgent("room-a");
        t.manager.apply(RoomEvent.roomStarted("room-a", "RM_1"));
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        assertThat(t.manager.apply(RoomEvent.roomFinished("room-a", "RM_1"))).isEqualTo(EventOutcome.APPLIED);
        assertThat(t.manager.room("room-a")).isEmpty();
        assertThat(t.launcher.live()).isEmpty();
        assertThat(t.events(LifecycleEvent.RoomClosed.class))
                .containsExactly(new LifecycleEvent.RoomClosed("room-a", CloseReason.ROOM_FINISHED));
    }

    @Test
    void roomFinishedOfAnEarlierInstanceIsIgnored() {
        t.readyAgent("room-a");
        t.manager.apply(RoomEvent.roomStarted("room-a", "RM_new"));
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        assertThat(t.manager.apply(RoomEvent.roomFinished("room-a", "RM_old"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.ACTIVE);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
    }

    @Test
    void roomInstanceIsLearnedFromParticipantEvents() {
        t.readyAgent("room-a");
        t.manager.apply(new RoomEvent.ParticipantJoined("room-a", new Participant("PA_1", "c", ParticipantRole.HUMAN),
                "RM_2", "EV_9", null));
        assertThat(t.room("room-a").roomInstanceId()).isEqualTo("RM_2");
        assertThat(t.manager.apply(RoomEvent.roomFinished("room-a", "RM_1"))).isEqualTo(EventOutcome.IGNORED);
    }

    @Test
    void roomFinishedForAnUntrackedRoomIsIgnored() {
        assertThat(t.manager.apply(RoomEvent.roomFinished("nowhere", "RM_1"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(t.manager.rooms()).isEmpty();
    }

    @Test
    void eventsForAClosingRoomAreIgnored() {
        t.launcher.hangNext();
        t.readyAgent("room-a");
        t.manager.closeRoom("room-a");
        assertThat(t.manager.apply(joined("room-a", "PA_1", "client-1"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(t.room("room-a").humanCount()).isZero();
    }

    @Test
    void tokenRequestForAClosingRoomReopensItOnceTheOldAgentHasExited() {
        t.launcher.hangNext();
        t.readyAgent("room-a");
        t.manager.closeRoom("room-a");
        EnsureResult pending = t.manager.ensureAgent("room-a");
        assertThat(pending.status()).isEqualTo(EnsureResult.Status.QUEUED);
        assertThat(t.launcher.launchesIn("room-a")).hasSize(1);

        t.clock.advance(Duration.ofSeconds(10));
        RoomSnapshot reopened = t.room("room-a");
        assertThat(reopened.state()).isEqualTo(RoomState.STARTING);
        assertThat(t.launcher.launchesIn("room-a")).hasSize(2);
        assertThat(t.launcher.liveIn("room-a")).hasSize(1);
    }

    @Test
    void adminCloseCancelsAReopenThatATokenRequested() {
        t.launcher.hangNext();
        t.readyAgent("room-a");
        t.manager.apply(joined("room-a", "PA_1", "client-1"));
        t.manager.apply(left("room-a", "PA_1", "client-1"));
        t.clock.advance(Duration.ofSeconds(60));
        assertThat(t.room("room-a").state()).isEqualTo(RoomState.CLOSING);
        t.manager.ensureAgent("room-a");
        assertThat(t.manager.closeRoom("room-a")).isTrue();

        t.clock.advance(Duration.ofSeconds(10));
        assertThat(t.manager.room("room-a")).isEmpty();
        assertThat(t.launcher.launchesIn("room-a")).hasSize(1);
    }

    @Test
    void onlyTheLaunchedAgentsIdentityMarksAPendingLaunchReady() {
        t.launcher.autoStart(false);
        t.manager.ensureAgent("room-a");
        t.manager.apply(TestManagers.agentJoined("room-a", "PA_x", "some-other-agent"));
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.LAUNCHING);

        String identity = t.launcher.last("room-a").spec.agentIdentity();
        t.manager.apply(TestManagers.agentJoined("room-a", "PA_y", identity));
        assertThat(t.room("room-a").agentState()).isEqualTo(AgentState.READY);
        t.launcher.last("room-a").start();
        assertThat(t.room("room-a").agentPid()).isEqualTo(t.launcher.last("room-a").pid);
    }

    @Test
    void leaveForAnUntrackedRoomIsRememberedAndForgottenAfterTheJoinTimeout() {
        assertThat(t.manager.apply(left("room-z", "PA_1", "client-1"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(t.manager.apply(joined("room-z", "PA_1", "client-1"))).isEqualTo(EventOutcome.IGNORED);
        assertThat(t.room("room-z").humanCount()).isZero();
        t.clock.advance(Duration.ofMinutes(5));
        assertThat(t.manager.room("room-z")).isEmpty();
    }

    @Test
    void badEventArgumentsAreRejectedWithTheirName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RoomEvent.roomStarted(" ", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("roomName must not be blank");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Participant("PA_1", "a\nb", ParticipantRole.HUMAN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("identity must not contain control characters");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Participant("PA_1", "x", null))
                .isInstanceOf(NullPointerException.class).hasMessage("role must not be null");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.manager.ensureAgent("r".repeat(257)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("roomName must be at most 256 characters");
    }
}
