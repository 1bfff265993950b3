-- wrk script shared by the bench/ scripts. Configured through environment variables:
--   KA_METHOD    GET (default) or POST (then the body is KA_BODY, default "hello keepalive")
--   KA_DELAY_MS  pause of each connection between its requests (default 0: closed loop)
--   KA_CLOSE     1: every request says "Connection: close" (a new connection per request)
--   KA_RANDOM_MS "MIN-MAX": GET /work?ms=<random in MIN..MAX> instead of the URL's path
-- done() prints one line "WRKJSON {...}" with requests, errors by kind and latency
-- percentiles (microseconds), and one line "WRKSEC <epoch second> <2xx> <other>" per second
-- in which responses arrived. Responses that are not 2xx are also logged to stderr with
-- their second, the first 200 of each thread.

local method = os.getenv("KA_METHOD") or "GET"
local delay_ms = tonumber(os.getenv("KA_DELAY_MS") or "0")
wrk.method = method
if method == "POST" then
  wrk.body = os.getenv("KA_BODY") or "hello keepalive"
  wrk.headers["Content-Type"] = "text/plain"
end
if os.getenv("KA_CLOSE") == "1" then
  wrk.headers["Connection"] = "close"
end

local random_ms = os.getenv("KA_RANDOM_MS")
if random_ms then
  local min_ms, max_ms = random_ms:match("^(%d+)-(%d+)$")
  min_ms, max_ms = tonumber(min_ms), tonumber(max_ms)
  function init(args)
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  end
  function request()
    return wrk.format(nil, "/work?ms=" .. math.random(min_ms, max_ms))
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

ok_per_second = {}
bad_per_second = {}
logged = 0

function response(status, headers, body)
  local s = os.time()
  if status >= 200 and status < 300 then
    ok_per_second[s] = (ok_per_second[s] or 0) + 1
  else
    bad_per_second[s] = (bad_per_second[s] or 0) + 1
    if logged < 200 then
      logged = logged + 1
      io.stderr:write(string.format("%d status %d\n", s, status))
    end
  end
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
      '"status":%d,"timeout":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
  local ok, bad = {}, {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("ok_per_second")) do ok[s] = (ok[s] or 0) + n end
    for s, n in pairs(t:get("bad_per_second")) do bad[s] = (bad[s] or 0) + n end
  end
  local seconds = {}
  for s, _ in pairs(ok) do seconds[s] = true end
  for s, _ in pairs(bad) do seconds[s] = true end
  local sorted = {}
  for s, _ in pairs(seconds) do table.insert(sorted, s) end
  table.sort(sorted)
  for _, s in ipairs(sorted) do
    io.write(string.format("WRKSEC %d %d %d\n", s, ok[s] or 0, bad[s] or 0))
  end
end
