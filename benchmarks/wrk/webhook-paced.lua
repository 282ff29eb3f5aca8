-- The same requests as webhook-load.lua, each connection waiting 10 ms between requests: with 56 connections
-- that offers about 5000 requests per second (the exact rate is printed by wrk).
--   wrk -t1 -c56 -d30s --latency -s benchmarks/wrk/webhook-paced.lua http://127.0.0.1:3001 -- target/webhooks.tsv

dofile("benchmarks/wrk/webhook-load.lua")

function delay()
  return 10
end
