#!/usr/bin/env bash
# Webhook throughput of the example server, without wrk: starts the server on a free port, runs
# load.WebhookThroughput against it (every request a new event, signed just before it is sent), prints the server's
# /stats and stops the server again, also when something fails. Builds nothing: needs
# `mvn -B -q package -DskipTests` first (benchmarks/target/benchmarks.jar). Only HTTP passes between the two, so the
# server jar may come from an older build.
#   benchmarks/webhook-throughput.sh [server jar, default examples/target/agent-lifecycle-example.jar]
# Environment: JAVA (the server's java, default java), CLIENT_JAVA (the load generator's, default java),
# SERVER_JAVA_OPTS, CONNECTIONS (16), WARMUP (seconds, 10), MEASURED (seconds, 30), STARTUP_TIMEOUT (seconds, 60).
set -euo pipefail
cd "$(dirname "$0")/.."

jar=${1:-examples/target/agent-lifecycle-example.jar}
benchmarks=benchmarks/target/benchmarks.jar
key=APIloadKey
secret=load-secret-0123456789
admin=load-admin-token-0123456789
for file in "$jar" "$benchmarks"; do
    [ -f "$file" ] || { echo "$file not found; build first: mvn -B -q package -DskipTests" >&2; exit 2; }
done
mkdir -p target

# A port nothing listens on now (the server failing to bind one taken in between is caught below).
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "no free port found" >&2
    exit 1
}
port=$(free_port)
api=http://127.0.0.1:$port/api/livekit
log=target/webhook-throughput-server.log

PORT=$port LIVEKIT_API_KEY=$key LIVEKIT_API_SECRET=$secret ADMIN_TOKEN=$admin \
    "${JAVA:-java}" ${SERVER_JAVA_OPTS:-} -jar "$jar" > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT

deadline=$((SECONDS + ${STARTUP_TIMEOUT:-60}))
until curl -sf -o /dev/null --max-time 2 "$api/health"; do
    if ! kill -0 "$server" 2>/dev/null; then
        echo "the server exited before answering /health; its log ($log):" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "the server did not answer $api/health within ${STARTUP_TIMEOUT:-60} s; log: $log" >&2
        exit 1
    fi
    sleep 0.05
done

echo "--- server: $jar, pid $server, port $port, $("${JAVA:-java}" -version 2>&1 | head -n 1)"
echo "--- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"${CLIENT_JAVA:-java}" -cp "$benchmarks" io.github.agentlifecycle.benchmarks.load.WebhookThroughput \
    "$api" "$key" "$secret" "${CONNECTIONS:-16}" "${WARMUP:-10}" "${MEASURED:-30}" "$server" \
    || status=$?
echo "--- server counters (/stats)"
curl -s --max-time 10 -H "Authorization: Bearer $admin" "$api/stats" || echo "(no answer)"
echo
exit "$status"
