package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.CloseReason;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import io.github.agentlifecycle.core.StopReason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@link RoomRecord} into bytes a shared store keeps, and back. Times in a record are readings of one
 * JVM's {@code nanoTime}; in the bytes they are nanoseconds since the epoch, so that another replica (another JVM)
 * reads them on its own scale: each side converts with an offset it takes from its clock when it encodes or
 * decodes. Enums are written by name. The first byte is the format's version; a record of an unknown version is
 * refused rather than misread. Stateless and thread-safe.
 */
final class RoomRecordCodec {
    private static final int VERSION = 1;

    private RoomRecordCodec() {}

    /**
     * @param toEpoch the offset to add to a {@code nanoTime} reading to get nanoseconds since the epoch
     */
    static byte[] encode(RoomRecord record, long toEpoch) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            new Writer(out, toEpoch).room(record);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    /**
     * @param toEpoch the offset that was added to this JVM's {@code nanoTime} readings to get epoch nanoseconds
     * @throws IllegalArgumentException if the bytes are not a record of a known version
     */
    static RoomRecord decode(byte[] state, long toEpoch) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            return new Reader(in, toEpoch).room();
        } catch (IOException | RuntimeException bad) {
            throw new IllegalArgumentException("unreadable room record: " + bad.getMessage(), bad);
        }
    }

    private record Writer(DataOutputStream out, long toEpoch) {
        void room(RoomRecord r) throws IOException {
            out.writeByte(VERSION);
            out.writeUTF(r.name());
            text(r.instanceId());
            String[] sids = r.endedInstances().sids();
            long[] endedAt = r.endedInstances().endedAt();
            out.writeInt(sids.length);
            for (int i = 0; i < sids.length; i++) {
                out.writeUTF(sids[i]);
                out.writeLong(endedAt[i] + toEpoch);
            }
            time(r.closedUntil());
            out.writeLong(r.createdAt() + toEpoch);
            out.writeLong(r.lastActivity() + toEpoch);
            out.writeInt(r.sessions().size());
            for (Participant p : r.sessions().values()) {
                out.writeUTF(p.sessionId());
                out.writeUTF(p.identity());
                out.writeUTF(p.role().name());
            }
            out.writeInt(r.tombstones().size());
            for (String session : r.tombstones()) {
                out.writeUTF(session);
            }
            out.writeBoolean(r.hadHumans());
            out.writeBoolean(r.agentWanted());
            out.writeBoolean(r.closing());
            text(r.closeReason() == null ? null : r.closeReason().name());
            out.writeBoolean(r.reopenRequested());
            time(r.graceDeadline());
            time(r.joinDeadline());
            agent(r.agent());
        }

        void agent(AgentRecord a) throws IOException {
            out.writeUTF(a.state().name());
            out.writeInt(a.generation());
            text(a.identity());
            number(a.pid());
            out.writeBoolean(a.holdsSlot());
            time(a.startupDeadline());
            time(a.backoffUntil());
            time(a.stopDeadline());
            time(a.heartbeatDeadline());
            text(a.stopReason() == null ? null : a.stopReason().name());
            time(a.readySince());
            out.writeLong(a.lastBackoffNanos());
            long[] restarts = a.restartTimes();
            out.writeInt(restarts.length);
            for (long time : restarts) {
                out.writeLong(time + toEpoch);
            }
            out.writeInt(a.totalRestarts());
        }

        void text(@Nullable String value) throws IOException {
            out.writeBoolean(value != null);
            if (value != null) {
                out.writeUTF(value);
            }
        }

        void number(@Nullable Long value) throws IOException {
            out.writeBoolean(value != null);
            if (value != null) {
                out.writeLong(value);
            }
        }

        void time(@Nullable Long value) throws IOException {
            number(value == null ? null : value + toEpoch);
        }
    }

    private record Reader(DataInputStream in, long toEpoch) {
        RoomRecord room() throws IOException {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IOException("format version " + version + ", expected " + VERSION);
            }
            String name = in.readUTF();
            RoomRecord.Builder r = RoomRecord.builder(name, 0);
            r.instanceId = text();
            int ended = count(EndedInstances.MAX);
            String[] sids = new String[ended];
            long[] endedAt = new long[ended];
            for (int i = 0; i < ended; i++) {
                sids[i] = in.readUTF();
                endedAt[i] = in.readLong() - toEpoch;
            }
            r.endedInstances = EndedInstances.of(sids, endedAt);
            r.closedUntil = time();
            r.createdAt = in.readLong() - toEpoch;
            r.lastActivity = in.readLong() - toEpoch;
            int sessions = count(Integer.MAX_VALUE);
            for (int i = 0; i < sessions; i++) {
                r.sessions = r.sessions.plus(new Participant(in.readUTF(), in.readUTF(),
                        ParticipantRole.valueOf(in.readUTF())));
            }
            int tombstones = count(Integer.MAX_VALUE);
            for (int i = 0; i < tombstones; i++) {
                r.tombstones = r.tombstones.plus(in.readUTF(), Integer.MAX_VALUE);
            }
            r.hadHumans = in.readBoolean();
            r.agentWanted = in.readBoolean();
            r.closing = in.readBoolean();
            r.closeReason = named(CloseReason::valueOf);
            r.reopenRequested = in.readBoolean();
            r.graceDeadline = time();
            r.joinDeadline = time();
            agent(r.agent);
            if (in.read() != -1) {
                throw new IOException("bytes after the record");
            }
            return r.build();
        }

        void agent(AgentRecord.Builder a) throws IOException {
            a.state = AgentState.valueOf(in.readUTF());
            a.generation = in.readInt();
            a.identity = text();
            a.pid = in.readBoolean() ? in.readLong() : null;
            a.holdsSlot = in.readBoolean();
            a.startupDeadline = time();
            a.backoffUntil = time();
            a.stopDeadline = time();
            a.heartbeatDeadline = time();
            a.stopReason = named(StopReason::valueOf);
            a.readySince = time();
            a.lastBackoffNanos = in.readLong();
            long[] restarts = new long[count(Integer.MAX_VALUE)];
            for (int i = 0; i < restarts.length; i++) {
                restarts[i] = in.readLong() - toEpoch;
            }
            a.restartTimes = restarts;
            a.totalRestarts = in.readInt();
        }

        int count(int max) throws IOException {
            int count = in.readInt();
            if (count < 0 || count > max) {
                throw new IOException("bad count " + count);
            }
            return count;
        }

        @Nullable String text() throws IOException {
            return in.readBoolean() ? in.readUTF() : null;
        }

        <E> @Nullable E named(Function<String, E> valueOf) throws IOException {
            String name = text();
            return name == null ? null : valueOf.apply(name);
        }

        @Nullable Long time() throws IOException {
            return in.readBoolean() ? in.readLong() - toEpoch : null;
        }
    }
}
