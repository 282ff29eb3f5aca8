-- POST /token at about 100 requests per second per connection (10 ms between requests). With the script argument
-- "spawn" every request names a new room, so each one launches an agent; with "one" every request names the same
-- room. Counts answers other than 200 and answers whose agent status is "launched".
--   wrk -t1 -c1 -d30s --latency -s benchmarks/wrk/token-load.lua http://127.0.0.1:3001 -- spawn

local spawn = true
local prefix = ""
local counter = 0
failures = 0
launched = 0
answers = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  spawn = args[1] ~= "one"
  prefix = string.format("token-%d-%d-", os.time(), id)
end

function request()
  counter = counter + 1
  local room = spawn and (prefix .. counter) or (prefix .. "one")
  local body = string.format(
    '{"roomName":"%s","participantName":"User","participantIdentity":"user-%d","role":"client"}', room, counter)
  return wrk.format("POST", "/api/livekit/token", { ["Content-Type"] = "application/json" }, body)
end

function delay()
  return 10
end

function response(status, headers, body)
  answers = answers + 1
  if status ~= 200 then
    failures = failures + 1
  elseif string.find(body, '"status":"launched"', 1, true) then
    launched = launched + 1
  end
end

function done(summary, latency, requests)
  local total, failed, started = 0, 0, 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("answers") or 0)
    failed = failed + (thread:get("failures") or 0)
    started = started + (thread:get("launched") or 0)
  end
  io.write(string.format("answers: %d, non-200: %d, launched an agent: %d\n", total, failed, started))
end
