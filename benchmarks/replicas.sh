#!/usr/bin/env bash
# Replicas of the example server on one PostgreSQL database (BENCHMARKS.md section 11). Each measurement starts its
# own private PostgreSQL (from Debian's postgresql binaries, run as the postgres user when run as root; or the server
# named by AGENT_LIFECYCLE_TEST_JDBC_URL) and its own example-server processes, and stops them again, also when it
# fails; the servers' logs go to target/*-replica-*.log. Builds nothing: needs
# `mvn -B -q package -DskipTests` first (examples/target/agent-lifecycle-example.jar, benchmarks/target/benchmarks.jar).
#   benchmarks/replicas.sh [webhooks] [token] [grace] [failover] [failover-light] [rolling] [rolling-dispatch]   (default: all seven)
#     webhooks  webhook events/s: one replica in memory, one and three replicas on the database
#     token     POST /token p50/p99 while spawning and for one room, in the same three set-ups
#     grace     grace precision when the leave lands on another replica than the agent's host
#     failover  time from SIGKILL of a replica to a new agent in each of its occupied rooms (the sample agent)
#     failover-light  the same with a shell agent that reports one heartbeat with curl (needs curl)
#     rolling   rolling restart of two replicas (SIGTERM, drain, hand-over, new replica) under rooms in conversation,
#               with the shell agent (needs curl): agents stopped wrongly, agents per room, time without an agent
#     rolling-dispatch  the same with dispatch agents: two AgentManagers in one JVM against a LiveKit stand-in
# Environment: CONNECTIONS (16), WARMUP (s, 10), MEASURED (s, 30), TOKENS (requests, 3000), GRACE_ROOMS (60),
# FAILOVER_ROOMS (12), FAILOVER_RUNS (1); for rolling: ROOMS (50), DRAIN_MS (5000), ENDING (rooms whose person leaves
# during the first drain, 4), SAMPLE_MS (100), ROLLING_RUNS (1) (also for rolling-dispatch).
set -euo pipefail
cd "$(dirname "$0")/.."

jar=examples/target/agent-lifecycle-example.jar
benchmarks=benchmarks/target/benchmarks.jar
for file in "$jar" "$benchmarks"; do
    [ -f "$file" ] || { echo "$file not found; build first: mvn -B -q package -DskipTests" >&2; exit 2; }
done
load=io.github.agentlifecycle.benchmarks.load
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(webhooks token grace failover failover-light rolling rolling-dispatch)

status=0
# Runs one measurement; a failed one is reported and the others still run (the exit status says so at the end).
run() {
    echo "=== $* ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))"
    java -cp "$benchmarks" "$load.$1" "${@:2}" || { status=$?; echo "=== $1 failed with status $status"; }
}

for step in "${what[@]}"; do
    case "$step" in
        webhooks)
            for setup in "memory 1" "shared 1" "shared 3"; do
                # shellcheck disable=SC2086
                run ReplicaWebhookThroughput "$jar" $setup "${CONNECTIONS:-16}" "${WARMUP:-10}" "${MEASURED:-30}"
            done ;;
        token)
            for setup in "memory 1" "shared 1" "shared 3"; do
                for mode in spawn one; do
                    # shellcheck disable=SC2086
                    run ReplicaTokenLatency "$jar" $setup "$mode" "${TOKENS:-3000}" 100
                done
            done ;;
        grace)
            run CrossReplicaGrace "$jar" "${GRACE_ROOMS:-60}" 3000 3000 ;;
        failover)
            run ReplicaFailover "$jar" "${FAILOVER_ROOMS:-12}" "${FAILOVER_RUNS:-1}" sample ;;
        failover-light)
            run ReplicaFailover "$jar" "${FAILOVER_ROOMS:-12}" "${FAILOVER_RUNS:-1}" light ;;
        rolling)
            run RollingRestart "$jar" "${ROOMS:-50}" "${DRAIN_MS:-5000}" "${ENDING:-4}" "${SAMPLE_MS:-100}" \
                "${ROLLING_RUNS:-1}" ;;
        rolling-dispatch)
            echo "=== DispatchRollingRestart ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))"
            java -cp "$benchmarks" "$load.DispatchRollingRestart" "${ROOMS:-50}" "${SAMPLE_MS:-100}" \
                "${ROLLING_RUNS:-1}" || { status=$?; echo "=== DispatchRollingRestart failed with status $status"; } ;;
        *)
            echo "unknown measurement: $step (webhooks, token, grace, failover, failover-light, rolling, rolling-dispatch)" >&2
            exit 2 ;;
    esac
done
exit "$status"
