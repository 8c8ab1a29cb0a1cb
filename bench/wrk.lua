-- wrk script for bench/run.mjs: BENCH_METHOD and BENCH_BODY_FILE pick the request, and
-- done() prints one JSON line with the totals and the latency percentiles (microseconds).
local method = os.getenv("BENCH_METHOD") or "GET"
local file = os.getenv("BENCH_BODY_FILE")
wrk.method = method
if file ~= nil and file ~= "" then
  local f = assert(io.open(file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/octet-stream"
end

done = function (summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
