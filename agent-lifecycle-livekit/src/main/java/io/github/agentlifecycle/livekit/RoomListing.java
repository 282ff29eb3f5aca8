package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.livekit.server.RoomServiceClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What LiveKit listed in one reconciliation round: its rooms, each with the participants present in it (those not
 * disconnected), and how the engine's view differs from it. A room whose participants could not be listed is kept
 * without them: the engine's view of it is neither repaired nor used. Immutable once fetched.
 */
final class RoomListing {
    private static final Logger LOG = LoggerFactory.getLogger(RoomListing.class);

    private final Map<String, Room> rooms;
    private final Map<String, List<ParticipantInfo>> present;
    private final @Nullable String error;

    private RoomListing(Map<String, Room> rooms, Map<String, List<ParticipantInfo>> present, @Nullable String error) {
        this.rooms = rooms;
        this.present = present;
        this.error = error;
    }

    /**
     * Lists LiveKit's rooms, then the participants of each.
     *
     * @throws IOException if the rooms cannot be listed (a room whose participants cannot be listed is only logged
     *     and named by {@link #error()})
     */
    static RoomListing fetch(RoomServiceClient client) throws IOException {
        List<Room> listed = LiveKitCalls.execute(client.listRooms(), "listRooms");
        Map<String, Room> rooms = new LinkedHashMap<>();
        for (Room room : listed == null ? List.<Room>of() : listed) {
            rooms.put(room.getName(), room);
        }
        Map<String, List<ParticipantInfo>> present = new HashMap<>();
        String error = null;
        for (String name : rooms.keySet()) {
            try {
                List<ParticipantInfo> participants = LiveKitCalls.execute(client.listParticipants(name),
                        "listParticipants(" + name + ")");
                present.put(name, (participants == null ? List.<ParticipantInfo>of() : participants).stream()
                        .filter(RoomListing::isPresent).toList());
            } catch (IOException | RuntimeException e) {
                error = e.getMessage();
                LOG.warn("Reconciliation of room {} skipped: {}", name, e.getMessage());
            }
        }
        return new RoomListing(rooms, present, error);
    }

    private static boolean isPresent(ParticipantInfo info) {
        return !info.getSid().isBlank() && !info.getIdentity().isBlank()
                && info.getState() != ParticipantInfo.State.DISCONNECTED;
    }

    /** How many rooms LiveKit listed. */
    int roomCount() {
        return rooms.size();
    }

    /** Why the participants of some room could not be listed (the last such failure), or null. */
    @Nullable String error() {
        return error;
    }

    /**
     * The events that bring the engine's view {@code tracked} in line with this listing: a room LiveKit no longer has
     * (one LiveKit once reported, not closing) finishes; a room listed under another sid starts as a new instance; a
     * participant the engine missed joins with its classified role; a session LiveKit no longer lists leaves.
     */
    List<RoomEvent> repairs(List<RoomSnapshot> tracked, ParticipantClassifier classifier) {
        List<RoomEvent> repairs = new ArrayList<>();
        Set<String> trackedNames = new HashSet<>();
        for (RoomSnapshot engine : tracked) {
            trackedNames.add(engine.roomName());
            if (!rooms.containsKey(engine.roomName())) {
                if (engine.roomInstanceId() != null && engine.state() != RoomState.CLOSING) {
                    repairs.add(new RoomEvent.RoomFinished(engine.roomName(), engine.roomInstanceId(), null, null));
                }
            } else {
                membership(engine.roomName(), engine, classifier, repairs);
            }
        }
        for (String name : rooms.keySet()) {
            if (!trackedNames.contains(name)) {
                membership(name, null, classifier, repairs);
            }
        }
        return repairs;
    }

    private void membership(String name, @Nullable RoomSnapshot engine, ParticipantClassifier classifier,
            List<RoomEvent> repairs) {
        List<ParticipantInfo> participants = present.get(name);
        if (participants == null) {
            return;
        }
        String sid = rooms.get(name).getSid();
        String roomSid = sid.isBlank() ? null : sid;
        if (engine != null && roomSid != null && !roomSid.equals(engine.roomInstanceId())) {
            repairs.add(new RoomEvent.RoomStarted(name, roomSid, null, null));
        }
        Set<String> listedSessions = new HashSet<>();
        for (ParticipantInfo info : participants) {
            listedSessions.add(info.getSid());
            boolean known = engine != null && engine.participants().stream()
                    .anyMatch(p -> p.sessionId().equals(info.getSid()));
            if (!known) {
                repairs.add(new RoomEvent.ParticipantJoined(name, new RoomEvent.Participant(info.getSid(),
                        info.getIdentity(), classifier.classify(info).role()), roomSid, null, null));
            }
        }
        if (engine != null) {
            for (RoomEvent.Participant participant : engine.participants()) {
                if (!listedSessions.contains(participant.sessionId())) {
                    repairs.add(new RoomEvent.ParticipantLeft(name, participant, false, roomSid, null, null));
                }
            }
        }
    }

    /**
     * The rooms, in LiveKit's order, where a human or an agent is present, as {@code classifier} tells them apart;
     * rooms whose participants could not be listed are not among them.
     */
    List<String> occupiedRooms(ParticipantClassifier classifier) {
        List<String> occupied = new ArrayList<>();
        for (String name : rooms.keySet()) {
            List<ParticipantInfo> participants = present.getOrDefault(name, List.of());
            if (participants.stream().map(info -> classifier.classify(info).role())
                    .anyMatch(role -> role == ParticipantRole.HUMAN || role == ParticipantRole.AGENT)) {
                occupied.add(name);
            }
        }
        return occupied;
    }
}
