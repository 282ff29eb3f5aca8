package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent.Participant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable map of the participant sessions present in a room, by session id, in the order they joined. A room
 * has few sessions, so they are kept in two small arrays (which keeps an idle room small) and a changed map copies
 * them directly. Knows how many of its participants are humans. Shared between room records instead of copied.
 * Not API. Thread-safe (immutable).
 */
public final class SessionMap extends AbstractMap<String, Participant> {
    private static final SessionMap EMPTY = new SessionMap(new String[0], new Participant[0], 0);

    private final String[] ids;
    private final Participant[] participants;
    private final int humans;

    private SessionMap(String[] ids, Participant[] participants, int humans) {
        this.ids = ids;
        this.participants = participants;
        this.humans = humans;
    }

    /** The empty map. */
    public static SessionMap empty() {
        return EMPTY;
    }

    /** This map with {@code participant} added last under its session id, which must not be present. */
    public SessionMap plus(Participant participant) {
        int size = ids.length;
        String[] nextIds = Arrays.copyOf(ids, size + 1);
        Participant[] nextParticipants = Arrays.copyOf(participants, size + 1);
        nextIds[size] = participant.sessionId();
        nextParticipants[size] = participant;
        return new SessionMap(nextIds, nextParticipants, humans + (isHuman(participant) ? 1 : 0));
    }

    /** This map without the session at {@code index} (as returned by {@link #indexOf}). */
    public SessionMap minus(int index) {
        int size = ids.length;
        if (size == 1) {
            return EMPTY;
        }
        String[] nextIds = new String[size - 1];
        Participant[] nextParticipants = new Participant[size - 1];
        System.arraycopy(ids, 0, nextIds, 0, index);
        System.arraycopy(ids, index + 1, nextIds, index, size - index - 1);
        System.arraycopy(participants, 0, nextParticipants, 0, index);
        System.arraycopy(participants, index + 1, nextParticipants, index, size - index - 1);
        return new SessionMap(nextIds, nextParticipants, humans - (isHuman(participants[index]) ? 1 : 0));
    }

    /** The position of session {@code id}, or -1 if it is not present. */
    public int indexOf(@Nullable Object id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** The participant at {@code index}. */
    public Participant participantAt(int index) {
        return participants[index];
    }

    /** How many of the sessions are humans. */
    public int humans() {
        return humans;
    }

    private static boolean isHuman(Participant participant) {
        return participant.role() == ParticipantRole.HUMAN;
    }

    @Override
    public @Nullable Participant get(@Nullable Object id) {
        int i = indexOf(id);
        return i < 0 ? null : participants[i];
    }

    @Override
    public boolean containsKey(@Nullable Object id) {
        return indexOf(id) >= 0;
    }

    @Override
    public int size() {
        return ids.length;
    }

    @Override
    public boolean isEmpty() {
        return ids.length == 0;
    }

    @Override
    public Collection<Participant> values() {
        return Collections.unmodifiableList(Arrays.asList(participants));
    }

    @Override
    public Set<Map.Entry<String, Participant>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, Participant>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < ids.length;
                    }

                    @Override
                    public Map.Entry<String, Participant> next() {
                        if (next >= ids.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new AbstractMap.SimpleImmutableEntry<>(ids[i], participants[i]);
                    }
                };
            }

            @Override
            public int size() {
                return ids.length;
            }
        };
    }
}
