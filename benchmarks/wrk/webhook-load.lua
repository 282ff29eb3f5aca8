-- Cycles through pre-signed webhook requests, one per line in the file named by the first script argument:
-- the Authorization header, a tab, the body (see WebhookRequestsFile). Counts answers other than 200.
--   wrk -t1 -c16 -d30s --latency -s benchmarks/wrk/webhook-load.lua http://127.0.0.1:3001 -- target/webhooks.tsv

local requests = {}
local count = 0
local next_index = 0
failures = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local tab = string.find(line, "\t", 1, true)
    count = count + 1
    requests[count] = wrk.format("POST", "/api/livekit/webhook", {
      ["Content-Type"] = "application/webhook+json",
      ["Authorization"] = string.sub(line, 1, tab - 1),
    }, string.sub(line, tab + 1))
  end
  next_index = 0
end

function request()
  next_index = next_index % count + 1
  return requests[next_index]
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("failures") or 0)
  end
  io.write(string.format("non-200 answers: %d\n", total))
end
