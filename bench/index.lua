-- wrk script for floe's index and transaction benchmark (DynamoDB JSON API).
-- usage: wrk ... -s bench/index.lua URL -- put|query|tx [table] [keys] [partitions]
--   put:   PutItem of ~1 KB items with the attributes g1 (S) and g2 (N) that the indexed table's
--          GSIs are keyed on; keys picked uniformly from [0, keys)
--   query: Query on GSI "by_g1" for g1 = "c<r>", r uniform in [0, partitions); every item of the
--          partition is returned (ALL projection)
--   tx:    TransactWriteItems of 10 Puts of ~100-byte items on 10 distinct random keys
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

local op, tbl, keys, partitions, pad, small
local headers = {}

function init(args)
  op = args[1] or "put"
  tbl = args[2] or "bench"
  keys = tonumber(args[3] or "100000")
  partitions = tonumber(args[4] or "100")
  pad = string.rep("x", 1000)
  small = string.rep("y", 80)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
  headers["Content-Type"] = "application/x-amz-json-1.0"
  headers["X-Amz-Date"] = "20240101T000000Z"
  headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20240101/us-east-1/dynamodb/aws4_request, " ..
      "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
  local targets = {put = "PutItem", query = "Query", tx = "TransactWriteItems"}
  headers["X-Amz-Target"] = "DynamoDB_20120810." .. targets[op]
end

function request()
  local body
  if op == "put" then
    local k = math.random(0, keys - 1)
    body = '{"TableName":"' .. tbl .. '","Item":{"pk":{"S":"key' .. k .. '"},"g1":{"S":"c' .. math.random(0, partitions - 1) ..
        '"},"g2":{"N":"' .. math.random(1, 1000000000) .. '"},"pad":{"S":"' .. pad .. '"}}}'
  elseif op == "query" then
    body = '{"TableName":"' .. tbl .. '","IndexName":"by_g1","KeyConditionExpression":"g1 = :g",' ..
        '"ExpressionAttributeValues":{":g":{"S":"c' .. math.random(0, partitions - 1) .. '"}}}'
  else
    local chosen, items = {}, {}
    while #items < 10 do
      local k = math.random(0, keys - 1)
      if not chosen[k] then
        chosen[k] = true
        items[#items + 1] = '{"Put":{"TableName":"' .. tbl .. '","Item":{"pk":{"S":"key' .. k .. '"},"v":{"N":"' ..
            math.random(1, 1000000000) .. '"},"pad":{"S":"' .. small .. '"}}}}'
      end
    end
    body = '{"TransactItems":[' .. table.concat(items, ",") .. ']}'
  end
  return wrk.format("POST", "/", headers, body)
end
