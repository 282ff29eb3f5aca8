package io.github.agentlifecycle.core.internal;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import io.github.agentlifecycle.core.spi.LifecycleListener;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Writes one log line per lifecycle step through {@link System.Logger}, each naming the room (and the agent's
 * identity and pid where known). Routes to SLF4J or any other backend through the JDK's logger finder.
 */
final class LoggingListener implements LifecycleListener {
    static final Logger LOG = System.getLogger("io.github.agentlifecycle.core.AgentManager");

    @Override
    public void onEvent(LifecycleEvent event) {
        Level level = levelOf(event);
        if (!LOG.isLoggable(level)) {
            return;
        }
        LOG.log(level, describe(event));
    }

    static Level levelOf(LifecycleEvent event) {
        if (event instanceof LifecycleEvent.AgentFailed || event instanceof LifecycleEvent.AgentStopOverdue
                || event instanceof LifecycleEvent.AgentLaunchFailed) {
            return Level.WARNING;
        }
        if (event instanceof LifecycleEvent.AgentExited exited && !exited.expected()) {
            return Level.WARNING;
        }
        if (event instanceof LifecycleEvent.EventIgnored) {
            return Level.DEBUG;
        }
        return Level.INFO;
    }

    static String describe(LifecycleEvent event) {
        String room = "Room " + event.roomName() + ": ";
        if (event instanceof LifecycleEvent.RoomCreated) {
            return room + "created";
        } else if (event instanceof LifecycleEvent.RoomClosing e) {
            return room + "closing (" + e.reason() + ")";
        } else if (event instanceof LifecycleEvent.RoomClosed e) {
            return room + "closed (" + e.reason() + ")";
        } else if (event instanceof LifecycleEvent.ParticipantJoined e) {
            return room + "participant joined: " + e.participant().identity() + " (" + e.participant().role()
                    + ", session " + e.participant().sessionId() + "); " + e.humanCount() + " humans, "
                    + e.participantCount() + " total";
        } else if (event instanceof LifecycleEvent.ParticipantLeft e) {
            return room + "participant " + (e.connectionAborted() ? "connection aborted: " : "left: ")
                    + e.participant().identity() + " (session " + e.participant().sessionId() + "); "
                    + e.humanCount() + " humans, " + e.participantCount() + " total";
        } else if (event instanceof LifecycleEvent.EventIgnored e) {
            return room + "event " + e.eventId() + " ignored (" + e.reason() + ")";
        } else if (event instanceof LifecycleEvent.CapacityQueued e) {
            return room + "agent queued for a free agent slot (position " + e.position() + ")";
        } else if (event instanceof LifecycleEvent.AgentLaunching e) {
            return room + "spawning agent " + e.agentIdentity() + " (attempt " + e.attempt() + ")";
        } else if (event instanceof LifecycleEvent.AgentLaunched e) {
            return room + "agent " + e.agentIdentity() + " spawned" + (e.pid() == null ? "" : " (PID: " + e.pid() + ")");
        } else if (event instanceof LifecycleEvent.AgentLaunchFailed e) {
            return room + "agent " + e.agentIdentity() + " failed to launch: " + e.error();
        } else if (event instanceof LifecycleEvent.AgentReady e) {
            return room + "agent " + e.agentIdentity() + " ready ("
                    + (e.signal() == LifecycleEvent.ReadySignal.JOINED ? "joined the room" : "heartbeat") + ")";
        } else if (event instanceof LifecycleEvent.AgentStopping e) {
            return room + "stopping agent " + e.agentIdentity() + " (" + e.reason() + ")";
        } else if (event instanceof LifecycleEvent.AgentStopOverdue e) {
            return room + "agent " + e.agentIdentity() + " has not exited in time; stopping it again";
        } else if (event instanceof LifecycleEvent.AgentExited e) {
            return room + "agent " + e.agentIdentity() + " exited (" + e.exit().describe() + ")"
                    + (e.expected() ? "" : " without being asked to");
        } else if (event instanceof LifecycleEvent.AgentRestarting e) {
            return room + "restarting agent in " + e.delay().toMillis() + " ms (restart " + e.restart()
                    + " in the restart window)";
        } else if (event instanceof LifecycleEvent.AgentFailed e) {
            return room + "agent failed: " + e.restarts() + " restarts within " + e.window()
                    + "; no new agent until the next token request";
        } else if (event instanceof LifecycleEvent.GraceStarted e) {
            return room + "all humans left, starting " + e.gracePeriod().toMillis() / 1000.0 + "s grace period";
        } else if (event instanceof LifecycleEvent.GraceCancelled e) {
            return room + "grace period cancelled, a participant rejoined (" + e.remaining().toMillis()
                    + " ms were left)";
        } else if (event instanceof LifecycleEvent.GraceExpired) {
            return room + "grace period expired";
        } else if (event instanceof LifecycleEvent.JoinTimedOut) {
            return room + "nobody joined within the join timeout";
        } else if (event instanceof LifecycleEvent.OrphanReaped e) {
            String pid = e.pid() == null ? "" : " (PID: " + e.pid() + ")";
            return e.roomName().isEmpty() ? "Reaped orphaned idle agent" + pid
                    : room + "reaped orphaned agent " + e.agentIdentity() + pid;
        }
        return room + event;
    }
}
