package io.github.agentlifecycle.core;

/**
 * What one maintenance run (garbage collection plus health check) found. Immutable.
 *
 * @param roomsChecked rooms whose deadlines were re-examined
 * @param timersRepaired rooms that had a pending deadline but no timer, now re-armed
 * @param orphansStopped agents that belonged to no tracked room and were stopped
 * @param deadAgents agents found dead whose exit had not been reported
 * @param roomsClosed rooms closed by this run (stale or past a deadline)
 */
public record MaintenanceReport(int roomsChecked, int timersRepaired, int orphansStopped, int deadAgents,
        int roomsClosed) {}
