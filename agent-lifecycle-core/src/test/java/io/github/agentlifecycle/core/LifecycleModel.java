package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.RoomEvent.Participant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference model of who is in each room, kept independently of the engine: sessions keyed by session id,
 * a leave that arrives before its join leaves a tombstone so that the late join is ignored, and a closing room
 * ignores joins and leaves. Rooms have instances: a join or a room start naming an instance that has ended (finished,
 * or replaced by a newer one) is ignored. A closed room leaves its remains (tombstones, ended instances) for the
 * replay window, at most {@code maxRooms} of them, oldest dropped first: an event the room would ignore leaves it
 * closed, anything else starts it afresh. The room lifecycle itself is taken from the engine: the model turns a room
 * into remains when the engine closes it, and empties it (keeping tombstones) when the engine reopens it.
 */
final class LifecycleModel {
    private final long window;
    private final int maxRemains;
    private final Map<String, RoomModel> rooms = new HashMap<>();
    /** Rooms of which only remains are left, oldest first. */
    private final Map<String, Long> remains = new LinkedHashMap<>();

    LifecycleModel(long window, int maxRemains) {
        this.window = window;
        this.maxRemains = maxRemains;
    }

    /** An instance that ended, and when. */
    private record Ended(String sid, long at) {}

    /** The sessions of one room. */
    static final class RoomModel {
        final Map<String, Participant> present = new LinkedHashMap<>();
        final Set<String> tombstones = new HashSet<>();
        final List<Ended> ended = new ArrayList<>();
        String instance;
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

        boolean hasEnded(String sid) {
            return sid != null && ended.stream().anyMatch(e -> e.sid().equals(sid));
        }
    }

    /** The room's model, after forgetting remains whose window has passed; created when missing. */
    private RoomModel room(String name, long now) {
        Long closedAt = remains.get(name);
        if (closedAt != null && now - closedAt >= window) {
            remains.remove(name);
            rooms.remove(name);
        }
        return rooms.computeIfAbsent(name, n -> new RoomModel());
    }

    private boolean isRemains(String name, long now) {
        room(name, now);
        return remains.containsKey(name);
    }

    private void end(RoomModel room, String sid, long now) {
        if (room.hasEnded(sid)) {
            return;
        }
        room.ended.removeIf(e -> now - e.at() >= window);
        while (room.ended.size() >= 64) {
            room.ended.remove(0);
        }
        room.ended.add(new Ended(sid, now));
    }

    /** The room starts afresh from its remains. */
    private void revive(String name, RoomModel room) {
        remains.remove(name);
        room.present.clear();
        room.instance = null;
        room.hadHuman = false;
    }

    /**
     * A join naming room instance {@code sid} delivered to {@code roomName} at {@code now}.
     *
     * @param closing whether the engine's room is closing
     * @return whether the session is now present because of this join
     */
    boolean join(String roomName, Participant participant, String sid, long now, boolean closing) {
        if (closing) {
            return false;
        }
        RoomModel room = room(roomName, now);
        String session = participant.sessionId();
        if (room.hasEnded(sid) || room.tombstones.contains(session) || room.present.containsKey(session)) {
            return false;
        }
        if (remains.containsKey(roomName)) {
            revive(roomName, room);
        }
        if (room.instance == null) {
            room.instance = sid;
        }
        room.present.put(session, participant);
        if (participant.role() == ParticipantRole.HUMAN) {
            room.hadHuman = true;
        }
        return true;
    }

    /**
     * A leave delivered to {@code roomName} at {@code now}.
     *
     * @param closing whether the engine's room is closing
     * @return whether a present session was removed
     */
    boolean leave(String roomName, Participant participant, long now, boolean closing) {
        if (closing) {
            return false;
        }
        RoomModel room = room(roomName, now);
        room.tombstones.add(participant.sessionId());
        return room.present.remove(participant.sessionId()) != null;
    }

    /** A room start naming instance {@code sid} (may be null); returns whether it was not ignored. */
    boolean roomStarted(String roomName, String sid, long now, boolean closing) {
        if (closing) {
            return false;
        }
        RoomModel room = room(roomName, now);
        if (room.hasEnded(sid)) {
            return false;
        }
        if (remains.containsKey(roomName)) {
            revive(roomName, room);
        }
        if (sid != null) {
            if (room.instance != null && !room.instance.equals(sid)) {
                end(room, room.instance, now);
            }
            room.instance = sid;
        }
        return true;
    }

    /** A room finish naming instance {@code sid} (may be null), for a room the engine tracks or remembers. */
    void roomFinished(String roomName, String sid, long now, boolean tracked) {
        if (isRemains(roomName, now)) {
            if (sid != null) {
                end(rooms.get(roomName), sid, now);
            }
            return;
        }
        if (!tracked) {
            rooms.remove(roomName);
            return;
        }
        RoomModel room = room(roomName, now);
        if (sid != null && (room.hasEnded(sid) || room.instance != null && !sid.equals(room.instance))) {
            return;
        }
        String ended = sid != null ? sid : room.instance;
        if (ended != null) {
            end(room, ended, now);
        }
    }

    /** The engine closed the room at {@code closedAt}: only its remains are kept. */
    void close(String roomName, long closedAt) {
        RoomModel room = rooms.get(roomName);
        if (room == null) {
            return;
        }
        room.present.clear();
        room.instance = null;
        room.hadHuman = false;
        remains.entrySet().removeIf(entry -> {
            boolean expired = closedAt - entry.getValue() >= window;
            if (expired) {
                rooms.remove(entry.getKey());
            }
            return expired;
        });
        remains.remove(roomName);
        remains.put(roomName, closedAt);
        if (remains.size() > maxRemains) {
            Iterator<String> oldest = remains.keySet().iterator();
            rooms.remove(oldest.next());
            oldest.remove();
        }
    }

    /** The engine shows the room again (a token request, say, started it afresh from its remains). */
    void open(String roomName, long now) {
        if (isRemains(roomName, now)) {
            revive(roomName, rooms.get(roomName));
        }
    }

    /** The engine started the room afresh after closing it: nobody is present, tombstones stay. */
    void reopen(String roomName) {
        RoomModel room = rooms.get(roomName);
        if (room != null) {
            room.present.clear();
            room.instance = null;
            room.hadHuman = false;
        }
    }

    /** The rooms that are open in the model (not only remains). */
    Set<String> openRooms() {
        Set<String> open = new HashSet<>(rooms.keySet());
        open.removeAll(remains.keySet());
        return open;
    }

    /** The rooms of which only remains are kept at {@code now}. */
    Set<String> remainsAt(long now) {
        Set<String> kept = new HashSet<>();
        for (Map.Entry<String, Long> entry : remains.entrySet()) {
            if (now - entry.getValue() < window) {
                kept.add(entry.getKey());
            }
        }
        return kept;
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

    /** An instance of the room that has ended, or null. */
    String anEndedInstance(String roomName, int pick) {
        RoomModel room = rooms.get(roomName);
        if (room == null || room.ended.isEmpty()) {
            return null;
        }
        return room.ended.get(Math.floorMod(pick, room.ended.size())).sid();
    }
}
