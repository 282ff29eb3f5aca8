package io.github.agentlifecycle.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.agentlifecycle.core.AgentManagerConfig;
import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.spi.AgentExit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RoomRecordCodecProperties {
    private static final RoomStateMachine MACHINE = RoomStateMachine.standard(AgentManagerConfig.builder()
            .heartbeatTimeout(Duration.ofSeconds(20)).build());
    private static final ParticipantRole[] ROLES = ParticipantRole.values();

    /**
     * Every record the state machine reaches survives a trip through the bytes a shared store keeps, read back by a
     * JVM whose {@code nanoTime} has another origin: each time lands at the same instant on the reader's scale.
     */
    @Property(tries = 500)
    void recordsSurviveTheTripToAnotherJvm(@ForAll @Size(max = 80) List<@IntRange(min = 0, max = 9999) Integer> ops,
            @ForAll long writerOrigin, @ForAll long readerOrigin) {
        long epochNow = 1_780_000_000_000_000_000L;
        long writerToEpoch = epochNow - writerOrigin;
        long readerToEpoch = epochNow - readerOrigin;
        long now = writerOrigin;
        RoomRecord record = null;
        int generation = 0;
        for (int op : ops) {
            now += (op % 7) * 1_000_000_000L;
            RoomInput input = input(op, generation);
            Transition transition = MACHINE.apply("room-a", record, input, now);
            record = transition.next();
            if (record == null) {
                continue;
            }
            generation = record.agent().generation();
            RoomRecord read = RoomRecordCodec.decode(RoomRecordCodec.encode(record, writerToEpoch), readerToEpoch);
            assertThat(describe(read, readerToEpoch)).isEqualTo(describe(record, writerToEpoch));
            assertThat(read.state()).isEqualTo(record.state());
            assertThat(read.humanCount()).isEqualTo(record.humanCount());
        }
    }

    @Test
    void refusesBytesOfAnotherVersionOrWithTrailingContent() {
        RoomRecord record = MACHINE.apply("room-a", null, new RoomInput.AgentRequested(), 0).next();
        byte[] bytes = RoomRecordCodec.encode(record, 0);
        byte[] future = bytes.clone();
        future[0] = 2;
        assertThatThrownBy(() -> RoomRecordCodec.decode(future, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 2");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> RoomRecordCodec.decode(longer, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RoomRecordCodec.decode(Arrays.copyOf(bytes, bytes.length - 3), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RoomInput input(int op, int generation) {
        String session = "PA_" + (op / 10 % 6);
        String instance = "RM_" + (op / 100 % 3);
        RoomEvent.Participant participant = new RoomEvent.Participant(session, "user-" + (op / 10 % 3),
                ROLES[op / 1000 % ROLES.length]);
        return switch (op % 10) {
            case 0 -> new RoomInput.AgentRequested();
            case 1 -> new RoomInput.External(new RoomEvent.ParticipantJoined("room-a", participant, instance, null,
                    null));
            case 2 -> new RoomInput.External(new RoomEvent.ParticipantLeft("room-a", participant, op % 3 == 0,
                    instance, null, null));
            case 3 -> new RoomInput.SlotGranted();
            case 4 -> new RoomInput.AgentStarted(generation, "ai-agent-" + generation, (long) op);
            case 5 -> new RoomInput.Heartbeat(generation);
            case 6 -> new RoomInput.AgentExited(generation, AgentExit.exited(op % 2, false));
            case 7 -> new RoomInput.Tick();
            case 8 -> op % 3 == 0 ? new RoomInput.CloseRequested(CloseReason.ADMIN)
                    : new RoomInput.External(new RoomEvent.RoomFinished("room-a", instance, null, null));
            default -> new RoomInput.AgentAssigned(generation, "ai-agent-" + generation);
        };
    }

    /** Every field, with times on the epoch scale. */
    private static String describe(RoomRecord r, long toEpoch) {
        AgentRecord a = r.agent();
        List<Object> fields = new ArrayList<>(List.of(r.name(), String.valueOf(r.instanceId()),
                Arrays.toString(r.endedInstances().sids()), epoch(r.endedInstances().endedAt(), toEpoch),
                String.valueOf(epoch(r.closedUntil(), toEpoch)), r.createdAt() + toEpoch, r.lastActivity() + toEpoch,
                r.sessions().toString(), new ArrayList<>(r.tombstones()).toString(), r.hadHumans(), r.agentWanted(),
                r.closing(), String.valueOf(r.closeReason()), r.reopenRequested(),
                String.valueOf(epoch(r.graceDeadline(), toEpoch)), String.valueOf(epoch(r.joinDeadline(), toEpoch))));
        fields.addAll(List.of(a.state(), a.generation(), String.valueOf(a.identity()), String.valueOf(a.pid()),
                a.holdsSlot(), String.valueOf(epoch(a.startupDeadline(), toEpoch)),
                String.valueOf(epoch(a.backoffUntil(), toEpoch)), String.valueOf(epoch(a.stopDeadline(), toEpoch)),
                String.valueOf(epoch(a.heartbeatDeadline(), toEpoch)), String.valueOf(a.stopReason()),
                String.valueOf(epoch(a.readySince(), toEpoch)), a.lastBackoffNanos(),
                epoch(a.restartTimes(), toEpoch), a.totalRestarts()));
        return fields.toString();
    }

    private static Long epoch(Long time, long toEpoch) {
        return time == null ? null : time + toEpoch;
    }

    private static String epoch(long[] times, long toEpoch) {
        return Arrays.toString(Arrays.stream(times).map(t -> t + toEpoch).toArray());
    }
}
