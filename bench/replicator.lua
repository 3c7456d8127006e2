-- wrk script for the replicator benchmark: PutItem of ~200-byte items with a nested map.
-- usage: wrk -t2 -cC -dD -s bench/replicator.lua URL -- DELAY_MS KEYS MAX_REQUESTS_PER_THREAD [PROGRESS]
-- DELAY_MS > 0 paces each connection (rate ~ connections * 1000 / DELAY_MS); MAX > 0 stops a
-- thread after that many responses, and PROGRESS-<thread> then holds "done" (wrk itself runs
-- until its duration or SIGINT: the caller interrupts it).
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

local delay_ms, keys, max_requests, done, progress = 0, 100000, 0, 0, nil
local headers = {}

function init(args)
  delay_ms = tonumber(args[1] or "0")
  keys = tonumber(args[2] or "100000")
  max_requests = tonumber(args[3] or "0")
  progress = args[4]
  math.randomseed(os.time() * 1000 + (thread_id or 0))
  headers["Content-Type"] = "application/x-amz-json-1.0"
  headers["X-Amz-Date"] = "20240101T000000Z"
  headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20240101/us-east-1/dynamodb/aws4_request, " ..
      "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
  headers["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
end

function delay()
  return delay_ms
end

local cities = {"Oslo", "Lagos", "Lima", "Osaka", "Quito"}
function request()
  local k = math.random(0, keys - 1)
  local body = '{"TableName":"bench","Item":{"pk":{"S":"key' .. k .. '"},"v":{"N":"' .. math.random(1, 1000000000) ..
      '"},"addr":{"M":{"city":{"S":"' .. cities[math.random(1, 5)] .. '"},"zip":{"S":"' .. math.random(1000, 9999) ..
      '"}}},"note":{"S":"' .. string.rep("n", 100) .. '"}}}'
  return wrk.format("POST", "/", headers, body)
end

function response(status, headers, body)
  done = done + 1
  if max_requests > 0 and done >= max_requests then
    if progress then
      local f = io.open(progress .. "-" .. tostring(thread_id), "w")
      f:write("done")
      f:close()
    end
    wrk.thread:stop()
  end
end
