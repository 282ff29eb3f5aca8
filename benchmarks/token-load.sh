#!/usr/bin/env bash
# POST /token latency on the example server with wrk, one request at a time at about 100 per second: first while
# every request opens a new room and so launches an agent process (RoomCloser closes all but the 20 newest rooms,
# so agents keep starting and stopping), then against a fresh server with every request for the same room.
# Needs `mvn -B -q package -DskipTests` first and wrk (Debian: apt-get install wrk).
#   benchmarks/token-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-3501}
admin=token-bench-admin-0123456789
api=http://127.0.0.1:$port/api/livekit
state=$(mktemp -d)
server=
closer=

stop() {
    [ -n "$closer" ] && { kill "$closer" 2>/dev/null; wait "$closer" 2>/dev/null || true; }
    [ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
    closer= server=
}
trap 'stop; rm -rf "$state"' EXIT

start_server() {
    PORT=$port ADMIN_TOKEN=$admin AGENT_COMMAND="sh -c 'while read -r l; do :; done'" MAX_TOTAL_AGENTS=100 \
        AGENT_STATE_DIR=$state/agents "${JAVA:-java}" ${SERVER_JAVA_OPTS:-} -jar examples/target/agent-lifecycle-example.jar \
        > "target/token-load-server-$1.log" 2>&1 &
    server=$!
    until curl -sf -o /dev/null "$api/health"; do sleep 0.05; done
}

mkdir -p target
echo "--- while spawning: a new room per request"
start_server spawn
java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.RoomCloser "$api" "$admin" 20 20 &
closer=$!
wrk -t1 -c1 -d10s -s benchmarks/wrk/token-load.lua "http://127.0.0.1:$port" -- spawn > /dev/null
uptime
wrk -t1 -c1 -d30s --latency -s benchmarks/wrk/token-load.lua "http://127.0.0.1:$port" -- spawn
stop

echo "--- baseline: every request for the same room, fresh server"
start_server one
wrk -t1 -c1 -d10s -s benchmarks/wrk/token-load.lua "http://127.0.0.1:$port" -- one > /dev/null
uptime
wrk -t1 -c1 -d30s --latency -s benchmarks/wrk/token-load.lua "http://127.0.0.1:$port" -- one
