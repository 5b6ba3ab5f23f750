-- wrk script: distinct recordRun mutations (8 agents, varying latency). See bench/ingest.py.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
counter = 0
request = function()
  counter = counter + 1
  local body = '{"query":"mutation($i: RecordRunInput!) { recordRun(input: $i) { id } }","variables":{"i":{"agent":"bench-' .. (counter % 8) .. '","status":"SUCCESS","latencyMs":' .. (100 + counter % 900) .. ',"model":"gpt-4o-mini","inputTokens":500,"outputTokens":80}}}'
  return wrk.format(nil, nil, nil, body)
end
