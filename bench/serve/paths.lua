-- wrk script for bench/serve/run.sh: cycles through the request paths of a file (one per
-- line; each thread starts at a different line) and prints one machine-readable line at the
-- end: "RESULT <requests/s> <p99 ms> <non-2xx/3xx responses> <socket errors>".
-- Usage: wrk -s paths.lua http://host:port -- PATHS_FILE
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local paths = {}
local position = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  -- Threads start a prime stride apart so that they do not ask for the same key in step.
  position = ((id or 0) * 1009) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT %.1f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
