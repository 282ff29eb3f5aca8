package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.RoomEvent.Participant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference model of who is in each room, kept independently of the engine: sessions keyed by session id,
 * a leave that arrives before its join leaves a tombstone so that the late join is ignored, and a closing room
 * ignores joins and leaves. The room lifecycle itself is taken from the engine: the model forgets a room when
 * the engine removes it, and empties it (keeping tombstones) when the engine reopens it after closing.
 */
final class LifecycleModel {
    private final Map<String, RoomModel> rooms = new HashMap<>();

    /** The sessions of one room. */
    static final class RoomModel {
        final Map<String, Participant> present = new LinkedHashMap<>();
        final Set<String> tombstones = new HashSet<>();
        boolean hadHuman;

        int humans() {
            int humans = 0;
            for (Participant participant : present.values()) {
                if (participant.role() == ParticipantRole.HUMAN) {
                    humans++;
                }
            }
            return humans;
        }
    }

    private RoomModel room(String name) {
        return rooms.computeIfAbsent(name, n -> new RoomModel());
    }

    /**
     * A join delivered to {@code roomName}.
     *
     * @param closing whether the engine's room is closing
     * @return whether the session is now present because of this join
     */
    boolean join(String roomName, Participant participant, boolean closing) {
        if (closing) {
            return false;
        }
        RoomModel room = room(roomName);
        String session = participant.sessionId();
        if (room.tombstones.contains(session) || room.present.containsKey(session)) {
            return false;
        }
        room.present.put(session, participant);
        if (participant.role() == ParticipantRole.HUMAN) {
            room.hadHuman = true;
        }
        return true;
    }

    /**
     * A leave delivered to {@code roomName}.
     *
     * @param closing whether the engine's room is closing
     * @return whether a present session was removed
     */
    boolean leave(String roomName, Participant participant, boolean closing) {
        if (closing) {
            return false;
        }
        RoomModel room = room(roomName);
        room.tombstones.add(participant.sessionId());
        return room.present.remove(participant.sessionId()) != null;
    }

    /** The engine removed the room. */
    void forget(String roomName) {
        rooms.remove(roomName);
    }

    /** The engine started the room afresh after closing it: nobody is present, tombstones stay. */
    void reopen(String roomName) {
        RoomModel room = rooms.get(roomName);
        if (room != null) {
            room.present.clear();
            room.hadHuman = false;
        }
    }

    Set<String> roomNames() {
        return new HashSet<>(rooms.keySet());
    }

    int humans(String roomName) {
        RoomModel room = rooms.get(roomName);
        return room == null ? 0 : room.humans();
    }

    boolean hadHuman(String roomName) {
        RoomModel room = rooms.get(roomName);
        return room != null && room.hadHuman;
    }

    /** The sessions present, in join order. */
    List<Participant> present(String roomName) {
        RoomModel room = rooms.get(roomName);
        return room == null ? List.of() : new ArrayList<>(room.present.values());
    }

    boolean isTombstoned(String roomName, String sessionId) {
        RoomModel room = rooms.get(roomName);
        return room != null && room.tombstones.contains(sessionId);
    }
}
