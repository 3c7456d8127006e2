-- wrk script for floe's key-value benchmark (DynamoDB JSON API).
-- usage: wrk -t2 -c64 -d10s --latency -s bench/kv.lua http://127.0.0.1:PORT -- put|get [keys] [table]
-- Each request picks a key uniformly from keys (default 100000); PutItem writes ~1 KB items.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

local op, keys, tbl, pad
local headers = {}

function init(args)
  op = args[1] or "put"
  keys = tonumber(args[2] or "100000")
  tbl = args[3] or "bench"
  pad = string.rep("x", 1000)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
  headers["Content-Type"] = "application/x-amz-json-1.0"
  headers["X-Amz-Date"] = "20240101T000000Z"
  headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20240101/us-east-1/dynamodb/aws4_request, " ..
      "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
  headers["X-Amz-Target"] = (op == "put") and "DynamoDB_20120810.PutItem" or "DynamoDB_20120810.GetItem"
end

function request()
  local k = math.random(0, keys - 1)
  local body
  if op == "put" then
    body = '{"TableName":"' .. tbl .. '","Item":{"pk":{"S":"key' .. k .. '"},"pad":{"S":"' .. pad .. '"}}}'
  else
    body = '{"TableName":"' .. tbl .. '","Key":{"pk":{"S":"key' .. k .. '"}}}'
  end
  return wrk.format("POST", "/", headers, body)
end

local errors = 0
function response(status, hdrs, body)
  if status ~= 200 then errors = errors + 1 end
end
