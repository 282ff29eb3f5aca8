package io.github.agentlifecycle.core;

/**
 * What one maintenance run (garbage collection plus health check) found. Immutable.
 *
 * @param roomsChecked rooms whose deadlines were re-examined
 * @param timersRepaired rooms whose pending deadline had no timer or an overdue one (lost), now re-armed
 * @param orphansStopped agents that belonged to no tracked room and were stopped
 * @param deadAgents agents found dead whose exit had not been reported
 * @param roomsClosing rooms this run began to close because a deadline had passed (their agents are stopping)
 */
public record MaintenanceReport(int roomsChecked, int timersRepaired, int orphansStopped, int deadAgents,
        int roomsClosing) {}
