#!/usr/bin/env bash
# Webhook load on the example server with wrk: every request carries its own LiveKit signature, which the server
# verifies (JAVA=... picks the server's JDK). Needs `mvn -B -q package -DskipTests` first and wrk (Debian: apt-get install wrk).
#   benchmarks/webhook-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-3401}
key=APIloadKey
secret=load-secret-0123456789
admin=load-admin-token-0123456789
api=http://127.0.0.1:$port/api/livekit
mkdir -p target

java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.WebhookRequestsFile \
    target/webhooks.tsv 500 20000 "$key" "$secret" 30

PORT=$port LIVEKIT_API_KEY=$key LIVEKIT_API_SECRET=$secret ADMIN_TOKEN=$admin \
    "${JAVA:-java}" ${SERVER_JAVA_OPTS:-} -jar examples/target/agent-lifecycle-example.jar > target/webhook-load-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "$api/health"; do sleep 0.05; done

echo "--- warm-up (10 s, not recorded)"
wrk -t1 -c16 -d10s -s benchmarks/wrk/webhook-load.lua "http://127.0.0.1:$port" -- target/webhooks.tsv > /dev/null
echo "--- as fast as possible: wrk -t1 -c16 -d30s"
wrk -t1 -c16 -d30s --latency -s benchmarks/wrk/webhook-load.lua "http://127.0.0.1:$port" -- target/webhooks.tsv
echo "--- paced at about 5000 requests/s: wrk -t1 -c56 -d30s, 10 ms between requests per connection"
wrk -t1 -c56 -d30s --latency -s benchmarks/wrk/webhook-paced.lua "http://127.0.0.1:$port" -- target/webhooks.tsv
echo "--- server counters"
curl -s -H "Authorization: Bearer $admin" "$api/stats"
echo
