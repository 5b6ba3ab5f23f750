// Stat cards: metricsSummary and costSummary over the window (cost today / month are vs now).
// rateLimitedCount is asked for in its own query, so a server without it only blanks its card.
import { byTestId, el, setText } from "./dom.js";
import * as fmt from "./format.js";

const SUMMARY = `query($agent: String, $since: DateTime) {
  metricsSummary(agent: $agent, since: $since) {
    count errorCount successRate latencyP50Ms latencyP95Ms latencyP99Ms totalTokens totalCostUsd
    unpricedCount }
  costSummary(agent: $agent, since: $since) { todayUsd monthToDateUsd projectedMonthUsd
    budget { dailyUnpricedCount monthlyUnpricedCount } } }`;
const RATE_LIMITED = `query($agent: String, $since: DateTime) {
  metricsSummary(agent: $agent, since: $since) { rateLimitedCount } }`;

function show(testid, value, sub) {
  setText(byTestId(`${testid}-value`), value);
  if (sub !== undefined) setText(byTestId(`${testid}-sub`), sub);
}

export async function refreshStats(gql, filters) {
  const variables = { agent: filters.agent, since: filters.since() };
  const rateLimited = gql(RATE_LIMITED, variables).then(
    (data) => fmt.int(data.metricsSummary.rateLimitedCount), () => "—");
  const { metricsSummary: m, costSummary: c } = await gql(SUMMARY, variables);
  show("stat-runs", fmt.int(m.count), `${fmt.int(m.errorCount)} failed`);
  show("stat-success", fmt.pct(m.successRate));
  show("stat-latency", fmt.ms(m.latencyP50Ms));
  // Two unbreakable halves: the line may break between them, never inside "p99 1.23 s".
  byTestId("stat-latency-sub").replaceChildren(
    el("span", { class: "nowrap" }, `p95 ${fmt.ms(m.latencyP95Ms)}`), " · ",
    el("span", { class: "nowrap" }, `p99 ${fmt.ms(m.latencyP99Ms)}`));
  show("stat-tokens", fmt.int(m.totalTokens), `${fmt.cost(m.totalCostUsd, m.unpricedCount)} in window`);
  show("stat-cost-today", fmt.cost(c.todayUsd, c.budget.dailyUnpricedCount));
  show("stat-cost-month", fmt.cost(c.monthToDateUsd, c.budget.monthlyUnpricedCount),
    `projected ${fmt.usd(c.projectedMonthUsd)}`);
  show("stat-rate-limited", await rateLimited);
}

export function showActiveAlerts(count) {
  show("stat-alerts", fmt.int(count));
  byTestId("stat-alerts").classList.toggle("hot", count > 0);
}
