package io.github.agentlifecycle.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives an {@link AgentManager} the way a backend would, at random, from several threads: token requests, humans
 * joining and leaving (also leaves that arrive before their joins, aborted connections and redelivered events),
 * agents becoming ready by joining or by heartbeat and keeping their heartbeats up (or falling silent), agents
 * leaving, rooms finished or closed by an admin, and maintenance runs. Rooms come from a fixed pool of names. Each
 * thread draws from its own {@link Random} seeded from the run's seed; what the threads and the agents do still
 * interleave as the machine schedules them.
 *
 * <p>Checks what the API promises on every call: no exception, no rejection while running, a redelivered event
 * is a duplicate. Anything else goes to {@link SoakFailures}.
 */
final class SoakDriver {
    /** Rooms in the pool. */
    static final int ROOMS = 50;
    private static final int MAX_HUMANS_PER_ROOM = 3;
    private static final int MAX_AGENT_SESSIONS_PER_ROOM = 3;
    /** How long after its delivery an event may be delivered again (a webhook's signature lifetime, shortened). */
    static final Duration REPEATABLE = Duration.ofSeconds(2);
    private static final long KEEP_ALIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final AgentManager manager;
    private final SoakTally tally;
    private final SoakFailures failures;
    private final long seed;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong actions = new AtomicLong();
    private final Object lock = new Object();
    private final Map<String, List<RoomEvent.Participant>> humans = new HashMap<>();
    private final Map<String, List<RoomEvent.Participant>> agentSessions = new HashMap<>();
    /** Events applied within the last {@link #REPEATABLE}, oldest first, with when they were applied. */
    private final Deque<Delivered> recent = new ArrayDeque<>();
    /** Agents made ready by heartbeat, by room: identity and the time after which they fall silent (0 = never). */
    private final Map<String, HeartbeatingAgent> heartbeating = new HashMap<>();
    private volatile boolean stopped;

    private record HeartbeatingAgent(String identity, long silentAfterNanos) {}

    SoakDriver(AgentManager manager, SoakTally tally, SoakFailures failures, long seed) {
        this.manager = manager;
        this.tally = tally;
        this.failures = failures;
        this.seed = seed;
    }

    static String roomName(int index) {
        return String.format(java.util.Locale.ROOT, "soak-room-%02d", index);
    }

    /** Runs random actions on the calling thread until {@link #stop()}; thread 0 also keeps heartbeats up. */
    void run(int index) {
        Random random = new Random(seed * 31 + index);
        long lastKeepAlive = System.nanoTime();
        while (!stopped) {
            try {
                if (index == 0 && System.nanoTime() - lastKeepAlive >= KEEP_ALIVE_NANOS) {
                    keepHeartbeatsUp();
                    lastKeepAlive = System.nanoTime();
                }
                act(random, roomName(random.nextInt(ROOMS)));
                actions.incrementAndGet();
            } catch (RuntimeException e) {
                failures.add("driver action failed", e);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2 + random.nextInt(25)));
        }
    }

    void stop() {
        stopped = true;
    }

    long actions() {
        return actions.get();
    }

    private void act(Random random, String room) {
        int draw = random.nextInt(100);
        if (draw < 16) {
            ensure(room);
        } else if (draw < 34) {
            if (random.nextInt(5) > 0) {
                ensure(room);
            }
            humanJoins(room);
        } else if (draw < 52) {
            humanLeaves(random, room);
        } else if (draw < 68) {
            makeAgentReady(random);
        } else if (draw < 74) {
            replayRecentEvent(random);
        } else if (draw < 78) {
            agentLeaves(room);
        } else if (draw < 82) {
            leaveBeforeJoin(room);
        } else if (draw < 86) {
            abortAndRejoin(room);
        } else if (draw < 89) {
            manager.closeRoom(room);
            forget(room);
        } else if (draw < 91) {
            apply(new RoomEvent.RoomFinished(room, null, eventId(), null));
            forget(room);
        } else if (draw < 93) {
            apply(new RoomEvent.RoomStarted(room, null, eventId(), null));
        } else if (draw < 95) {
            manager.runMaintenance();
        } else {
            manager.room(room).ifPresent(SoakDriver::checkSnapshot);
        }
    }

    private void ensure(String room) {
        EnsureResult result = manager.ensureAgent(room);
        if (result.status() == EnsureResult.Status.REJECTED) {
            failures.add("token request for " + room + " rejected: " + result.message());
        } else if (result.room() != null) {
            checkSnapshot(result.room());
        }
    }

    private void humanJoins(String room) {
        RoomEvent.Participant human = new RoomEvent.Participant("PA_h" + ids.incrementAndGet(),
                "user-" + ids.get() % 500, ParticipantRole.HUMAN);
        synchronized (lock) {
            if (humans.computeIfAbsent(room, r -> new ArrayList<>()).size() >= MAX_HUMANS_PER_ROOM) {
                return;
            }
        }
        if (apply(new RoomEvent.ParticipantJoined(room, human, null, eventId(), null)) == EventOutcome.APPLIED) {
            synchronized (lock) {
                humans.computeIfAbsent(room, r -> new ArrayList<>()).add(human);
            }
        }
    }

    private void humanLeaves(Random random, String room) {
        RoomEvent.Participant human;
        synchronized (lock) {
            List<RoomEvent.Participant> present = humans.get(room);
            if (present == null || present.isEmpty()) {
                return;
            }
            human = present.remove(random.nextInt(present.size()));
        }
        apply(new RoomEvent.ParticipantLeft(room, human, false, null, eventId(), null));
    }

    /** A human's connection aborts and the same person comes back with a new session. */
    private void abortAndRejoin(String room) {
        RoomEvent.Participant old;
        synchronized (lock) {
            List<RoomEvent.Participant> present = humans.get(room);
            if (present == null || present.isEmpty()) {
                return;
            }
            old = present.remove(0);
        }
        apply(new RoomEvent.ParticipantLeft(room, old, true, null, eventId(), null));
        RoomEvent.Participant again = new RoomEvent.Participant("PA_h" + ids.incrementAndGet(), old.identity(),
                ParticipantRole.HUMAN);
        if (apply(new RoomEvent.ParticipantJoined(room, again, null, eventId(), null)) == EventOutcome.APPLIED) {
            synchronized (lock) {
                humans.computeIfAbsent(room, r -> new ArrayList<>()).add(again);
            }
        }
    }

    /**
     * The webhooks of one short visit arrive in the wrong order: the leave first, then the join. The leave leaves a
     * tombstone only in a room that exists; in one that does not, the join creates the room and counts, so the
     * visitor is remembered to leave again later.
     */
    private void leaveBeforeJoin(String room) {
        RoomEvent.Participant visitor = new RoomEvent.Participant("PA_h" + ids.incrementAndGet(),
                "visitor-" + ids.get() % 100, ParticipantRole.HUMAN);
        apply(new RoomEvent.ParticipantLeft(room, visitor, false, null, eventId(), null));
        if (apply(new RoomEvent.ParticipantJoined(room, visitor, null, eventId(), null)) == EventOutcome.APPLIED) {
            synchronized (lock) {
                humans.computeIfAbsent(room, r -> new ArrayList<>()).add(visitor);
            }
        }
    }

    private void makeAgentReady(Random random) {
        SoakTally.Started agent = tally.nextStarted();
        if (agent == null) {
            return;
        }
        if (Math.floorMod(agent.identity().hashCode() ^ Long.hashCode(seed), 8) == 0) {
            return; // this one never becomes ready: the startup timeout must replace it
        }
        if (random.nextBoolean()) {
            if (manager.heartbeat(agent.room(), agent.identity())) {
                long silentAfter = random.nextInt(10) < 3
                        ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(4000)) : 0;
                synchronized (lock) {
                    heartbeating.put(agent.room(), new HeartbeatingAgent(agent.identity(), silentAfter));
                }
            }
            return;
        }
        RoomEvent.Participant session = new RoomEvent.Participant("PA_a" + ids.incrementAndGet(), agent.identity(),
                ParticipantRole.AGENT);
        if (apply(new RoomEvent.ParticipantJoined(agent.room(), session, null, eventId(), null))
                == EventOutcome.APPLIED) {
            synchronized (lock) {
                List<RoomEvent.Participant> sessions = agentSessions.computeIfAbsent(agent.room(),
                        r -> new ArrayList<>());
                sessions.add(session);
                if (sessions.size() > MAX_AGENT_SESSIONS_PER_ROOM) {
                    sessions.remove(0);
                }
            }
        }
    }

    private void agentLeaves(String room) {
        RoomEvent.Participant session;
        synchronized (lock) {
            List<RoomEvent.Participant> sessions = agentSessions.get(room);
            if (sessions == null || sessions.isEmpty()) {
                return;
            }
            session = sessions.remove(0);
        }
        apply(new RoomEvent.ParticipantLeft(room, session, false, null, eventId(), null));
    }

    /** Heartbeats every agent made ready by heartbeat, except those whose time to fall silent has come. */
    private void keepHeartbeatsUp() {
        List<Map.Entry<String, HeartbeatingAgent>> due;
        synchronized (lock) {
            due = new ArrayList<>(heartbeating.entrySet());
        }
        long now = System.nanoTime();
        for (Map.Entry<String, HeartbeatingAgent> entry : due) {
            HeartbeatingAgent agent = entry.getValue();
            boolean silent = agent.silentAfterNanos() != 0 && now - agent.silentAfterNanos() >= 0;
            if (silent || !manager.heartbeat(entry.getKey(), agent.identity())) {
                synchronized (lock) {
                    heartbeating.remove(entry.getKey(), agent);
                }
            }
        }
    }

    private void replayRecentEvent(Random random) {
        RoomEvent event;
        synchronized (lock) {
            forgetUnrepeatable();
            if (recent.isEmpty()) {
                return;
            }
            Iterator<Delivered> newestFirst = recent.descendingIterator();
            event = newestFirst.next().event();
            for (int skip = random.nextInt(recent.size()); skip > 0 && newestFirst.hasNext(); skip--) {
                event = newestFirst.next().event();
            }
        }
        EventOutcome outcome = manager.apply(event, REPEATABLE);
        if (outcome != EventOutcome.DUPLICATE) {
            failures.add("redelivered event " + event.eventId() + " was " + outcome + ", not DUPLICATE: " + event);
        }
    }

    private EventOutcome apply(RoomEvent event) {
        long at = System.nanoTime();
        EventOutcome outcome = manager.apply(event, REPEATABLE);
        if (outcome == EventOutcome.REJECTED || outcome == EventOutcome.DUPLICATE
                || outcome == EventOutcome.REFUSED) {
            failures.add("fresh event " + event.eventId() + " was " + outcome + ": " + event);
        }
        synchronized (lock) {
            recent.addLast(new Delivered(event, at));
            forgetUnrepeatable();
        }
        return outcome;
    }

    /** Drops the events that may no longer be delivered again (with a margin for the time the engine took). */
    private void forgetUnrepeatable() {
        long now = System.nanoTime();
        long margin = Duration.ofMillis(200).toNanos();
        while (!recent.isEmpty() && now - recent.peekFirst().at() >= REPEATABLE.toNanos() - margin) {
            recent.removeFirst();
        }
    }

    /** An event and when it was applied. */
    private record Delivered(RoomEvent event, long at) {}

    private void forget(String room) {
        synchronized (lock) {
            humans.remove(room);
            agentSessions.remove(room);
            heartbeating.remove(room);
        }
    }

    private String eventId() {
        return "EV_" + ids.incrementAndGet();
    }

    private static void checkSnapshot(RoomSnapshot room) {
        if (room.humanCount() < 0 || room.humanCount() > room.participantCount()) {
            throw new IllegalStateException("inconsistent counts in " + room);
        }
        if (room.hasAgent() != room.agentState().holdsProcess()) {
            throw new IllegalStateException("hasAgent disagrees with the agent state in " + room);
        }
    }
}
