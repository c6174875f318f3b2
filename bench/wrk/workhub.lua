-- wrk script for the WorkHub benchmark (bench/run.py starts it).
-- Usage: wrk ... -s workhub.lua URL -- MODE TARGETS_FILE
--   MODE: list | create | bare | const | const_auth | bare_guard
--   TARGETS_FILE: lines "ACCESS_TOKEN PROJECT_ID"; requests cycle through them,
--   each wrk thread from its own offset.
-- done() prints one line "WRK_JSON {...}" with counts and latency percentiles (microseconds).

local mode = "const"
local targets = {}
local counter = 0
local threads_seen = 0

function setup(thread)
  threads_seen = threads_seen + 1
  thread:set("offset", threads_seen * 7919)
end

function init(args)
  mode = args[1] or "const"
  if args[2] then
    for line in io.lines(args[2]) do
      local token, project = line:match("^(%S+)%s+(%S+)$")
      if token then
        targets[#targets + 1] = { token, project }
      end
    end
  end
  counter = offset or 0
end

local ceiling = "/api/v1/integrations/bench/ceiling"
-- mode -> path builder and whether the request carries the access token
local routes = {
  const = { function(p) return ceiling .. "/const" end, false },
  const_auth = { function(p) return ceiling .. "/auth/const" end, true },
  bare = { function(p) return ceiling .. "/projects/" .. p .. "/tasks?limit=50" end, false },
  bare_guard = { function(p) return ceiling .. "/guarded/projects/" .. p .. "/tasks?limit=50" end, true },
  list = { function(p) return "/api/v1/projects/" .. p .. "/tasks?limit=50" end, true },
}

function request()
  counter = counter + 1
  local target = targets[(counter % #targets) + 1] or { "", "" }
  local route = routes[mode]
  if route then
    local headers = {}
    if route[2] then
      headers["Authorization"] = "Bearer " .. target[1]
    end
    return wrk.format("GET", route[1](target[2]), headers)
  end
  -- create
  local body = string.format(
    '{"title":"Bench task %d","description":"Created by the load benchmark.","priority":"high","labels":["bench"]}',
    counter
  )
  local headers = { ["Authorization"] = "Bearer " .. target[1], ["Content-Type"] = "application/json" }
  return wrk.format("POST", "/api/v1/projects/" .. target[2] .. "/tasks", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)
  ))
end
