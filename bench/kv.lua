-- wrk script for floe's key-value benchmark (DynamoDB JSON API).
-- usage: wrk -t2 -c64 -d10s --latency -s bench/kv.lua http://127.0.0.1:PORT -- put|get|update|mix [keys] [table]
-- Each request picks a key uniformly from keys (default 100000); PutItem writes ~1 KB items;
-- UpdateItem adds to a counter and sets an attribute, conditioned on the item existing; mix is
-- half GetItem, half PutItem (reads among writes in flight, which wait for their durability).
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
  local targets = {put = "PutItem", get = "GetItem", update = "UpdateItem", mix = "GetItem"}
  headers["X-Amz-Target"] = "DynamoDB_20120810." .. targets[op]
end

function request()
  local k = math.random(0, keys - 1)
  local body
  local this = op
  if op == "mix" then
    this = math.random(0, 1) == 0 and "get" or "put"
    headers["X-Amz-Target"] = this == "get" and "DynamoDB_20120810.GetItem" or "DynamoDB_20120810.PutItem"
  end
  if this == "put" then
    -- A fresh value in every put: a put that changes nothing is not a write (floe skips it).
    body = '{"TableName":"' .. tbl .. '","Item":{"pk":{"S":"key' .. k .. '"},"v":{"N":"' .. math.random(1, 1000000000) ..
        '"},"pad":{"S":"' .. pad .. '"}}}'
  elseif this == "update" then
    body = '{"TableName":"' .. tbl .. '","Key":{"pk":{"S":"key' .. k .. '"}},' ..
        '"UpdateExpression":"ADD hits :one SET #st = :s","ConditionExpression":"attribute_exists(pk)",' ..
        '"ExpressionAttributeNames":{"#st":"state"},"ExpressionAttributeValues":{":one":{"N":"1"},":s":{"S":"seen"}}}'
  else
    body = '{"TableName":"' .. tbl .. '","Key":{"pk":{"S":"key' .. k .. '"}}}'
  end
  return wrk.format("POST", "/", headers, body)
end

local errors = 0
function response(status, hdrs, body)
  if status ~= 200 then errors = errors + 1 end
end
