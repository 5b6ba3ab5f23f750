"""GraphQL documents shared by the end-to-end tests."""

RUN_FIELDS = """id agent status startedAt endedAt latencyMs model inputTokens outputTokens
totalTokens costUsd traceId traceUrl input output error { message type stackTrace }
calls { seq model provider inputTokens cachedTokens outputTokens }"""
SUBSCRIBE = "subscription($agent: String) { runRecorded(agent: $agent) { " + RUN_FIELDS + " } }"
RUN_AGENT = (
    "mutation($agent: String!, $input: JSON!, $wait: Boolean) "
    "{ runAgent(agent: $agent, input: $input, wait: $wait) { " + RUN_FIELDS + " } }"
)
RECORD_RUN = "mutation($input: RecordRunInput!) { recordRun(input: $input) { " + RUN_FIELDS + " } }"
GET_RUN = "query($id: ID!) { run(id: $id) { " + RUN_FIELDS + " } }"
SUMMARY = """query($agent: String) { metricsSummary(agent: $agent) { count successCount errorCount
successRate errorRate latencyP50Ms latencyP95Ms latencyP99Ms totalTokens totalCostUsd } }"""
