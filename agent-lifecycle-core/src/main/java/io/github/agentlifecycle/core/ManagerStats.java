package io.github.agentlifecycle.core;

/**
 * Totals over all rooms at one moment, plus counters since the manager was built. Immutable.
 *
 * @param totalRooms rooms tracked
 * @param activeRooms rooms with a human present
 * @param roomsInGrace rooms in their grace period
 * @param startingRooms rooms waiting for their first human
 * @param emptyRooms rooms with no human and no agent requested
 * @param closingRooms rooms being closed
 * @param totalAgents agents launching, running, ready or stopping (what counts against the cap)
 * @param readyAgents agents that joined or sent a heartbeat
 * @param queuedRooms rooms waiting for a free agent slot
 * @param failedAgents rooms whose restart budget is spent
 * @param totalParticipants sessions present in all rooms
 * @param totalHumans human sessions present in all rooms
 * @param maxTotalAgents the configured cap
 * @param eventsApplied events that changed a room
 * @param eventsDuplicate events dropped as duplicates
 * @param eventsIgnored events accepted that changed nothing
 * @param eventsRefused events refused because the memory of recent event ids was full
 * @param agentLaunches launches requested
 * @param agentLaunchFailures launches that failed
 * @param agentCrashes agents that ended without being asked to
 * @param agentRestarts restarts scheduled
 * @param roomsClosed rooms removed
 * @param orphansReaped orphaned agents killed
 * @param state where the manager is in its life ({@link ManagerState#DRAINING} while a drain is under way)
 * @param hostedAgents agents this manager runs itself (with a shared store, on this replica; the other counts are
 *     the cluster's)
 * @param idleAgents agents this manager's launcher started ahead of need that wait for a room (on this replica)
 * @param warmLaunches launches served by an agent started ahead of need that was ready for its room
 * @param coldLaunches launches served by an agent started for the room (or one still starting when it was needed)
 */
public record ManagerStats(
        int totalRooms,
        int activeRooms,
        int roomsInGrace,
        int startingRooms,
        int emptyRooms,
        int closingRooms,
        int totalAgents,
        int readyAgents,
        int queuedRooms,
        int failedAgents,
        int totalParticipants,
        int totalHumans,
        int maxTotalAgents,
        long eventsApplied,
        long eventsDuplicate,
        long eventsIgnored,
        long eventsRefused,
        long agentLaunches,
        long agentLaunchFailures,
        long agentCrashes,
        long agentRestarts,
        long roomsClosed,
        long orphansReaped,
        ManagerState state,
        int hostedAgents,
        int idleAgents,
        long warmLaunches,
        long coldLaunches) {}
