// GraphiQL's first query on AgentWatch, in place of Strawberry's stock welcome text. A classic
// script loaded before GraphiQL's own start-up script, which takes the editor's text from the
// page's `?q=` parameter: when there is none, this puts the example there. A served file, not
// inline HTML, so the page works under a Content-Security-Policy without 'unsafe-inline'.
(function () {
  const EXAMPLE = `# AgentWatch: live observability for LangChain agents.
# Ctrl-Enter (or the play button) runs the query; Ctrl-Space completes fields.

query Overview {
  agents { name model enabled source }
  runs(first: 10) {
    edges { node { id agent status startedAt latencyMs totalTokens costUsd costSource
                   error { type message } } }
  }
  metricsSummary {
    count successRate errorRate latencyP50Ms latencyP95Ms latencyP99Ms
    totalTokens totalCostUsd unpricedCount
  }
}

# Every finished run, live: uncomment (select the lines, Ctrl-/), pick LiveRuns at the
# play button, then start a run from the dashboard or with runAgent.
# subscription LiveRuns {
#   runRecorded { id agent status latencyMs totalTokens costUsd }
# }
`;
  if (!/(^|&)q=/.test(location.search.slice(1))) {
    // encodeURIComponent, not URLSearchParams: GraphiQL decodes with decodeURIComponent,
    // which leaves URLSearchParams' "+" for a space as a literal "+".
    const search = `${location.search ? `${location.search}&` : "?"}q=${encodeURIComponent(EXAMPLE)}`;
    history.replaceState(null, "", `${location.pathname}${search}${location.hash}`);
  }
})();
