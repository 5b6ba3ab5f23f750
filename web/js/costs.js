// Cost panel: totals over the window, spend by agent and by model (bars), budgets used, and the
// savings suggestions computed by the server from stored runs. Every part honours the agent
// filter; with "All agents" the overall budget is shown and every agent budget listed.
// An unpriced total shows as "unpriced (n)", never as $0; a partial one says "+ n unpriced".
import { byTestId, el } from "./dom.js";
import * as fmt from "./format.js";

const BUDGET_FIELDS = `agent dailyUsd dailyUsedUsd dailyUsedFraction dailyUnpricedCount
  monthlyUsd monthlyUsedUsd monthlyUsedFraction monthlyUnpricedCount`;
const COSTS = `query($agent: String, $since: DateTime) {
  costSummary(agent: $agent, since: $since) {
    totalUsd unpricedRuns costPerSuccessfulRunUsd failedRunsCostUsd failedUnpricedCount
    byAgent { agent runs costUsd unpricedCount }
    byModel { model runs inputTokens cachedTokens outputTokens costUsd unpricedCalls }
    budget { ${BUDGET_FIELDS} } }
  budgets { ${BUDGET_FIELDS} }
  costSuggestions { kind agent title detail estimatedMonthlySavingsUsd } }`;

function bars(rows, label, detail, unpriced) {
  if (!rows.length) return [el("p", { class: "muted" }, "No runs in this window.")];
  const top = Math.max(...rows.map((r) => r.costUsd ?? 0), 1e-12);
  return [...rows].sort((a, b) => (b.costUsd ?? -1) - (a.costUsd ?? -1)).slice(0, 8).map((r) => {
    const fill = el("span", { class: "bar-fill" });
    fill.style.width = `${(100 * (r.costUsd ?? 0)) / top}%`;
    return el("div", { class: "bar-row", testid: "cost-bar" }, el("span", { class: "bar-label" }, label(r)),
      el("span", { class: "bar" }, fill), el("span", { class: "num" }, fmt.cost(r.costUsd, unpriced(r))),
      el("span", { class: "muted bar-detail" }, detail(r)));
  });
}

function meter(name, limit, used, fraction, unpriced) {
  if (limit == null) return el("p", { class: "muted" }, `${name}: no budget set (setBudget).`);
  const bar = el("meter", { min: 0, max: 1, low: 0.8, high: 0.95, optimum: 0, value: Math.min(fraction ?? 0, 1) });
  return el("div", { class: "budget", testid: "budget" },
    el("span", {}, `${name}: ${fmt.cost(used, unpriced)} of ${fmt.usd(limit)} (${fmt.pct(fraction)})`), bar);
}

function budgetRows(b, who) {
  return [meter(`${who} today`, b.dailyUsd, b.dailyUsedUsd, b.dailyUsedFraction, b.dailyUnpricedCount),
    meter(`${who} this month`, b.monthlyUsd, b.monthlyUsedUsd, b.monthlyUsedFraction, b.monthlyUnpricedCount)];
}

function budgetPanel(c, budgets, agent) {
  if (agent) return budgetRows(c.budget, agent);
  const perAgent = budgets.filter((b) => b.agent != null);
  return [...budgetRows(c.budget, "All agents"),
    ...(perAgent.length ? perAgent.flatMap((b) => budgetRows(b, b.agent).filter((row) => row.tagName !== "P"))
      : [el("p", { class: "muted" }, "No agent has a budget of its own.")])];
}

export async function refreshCosts(gql, filters) {
  const { costSummary: c, budgets, costSuggestions } = await gql(COSTS, { agent: filters.agent, since: filters.since() });
  const tips = costSuggestions.filter((t) => !filters.agent || t.agent === filters.agent);
  byTestId("cost-totals").replaceChildren(
    el("span", {}, `Window total ${fmt.cost(c.totalUsd, c.unpricedRuns)}`),
    el("span", {}, `per successful run ${fmt.usd(c.costPerSuccessfulRunUsd)}`),
    el("span", {}, `failed runs ${fmt.cost(c.failedRunsCostUsd, c.failedUnpricedCount)}`),
    el("span", {}, `unpriced runs ${fmt.int(c.unpricedRuns)}`));
  byTestId("cost-by-agent").replaceChildren(...bars(c.byAgent, (r) => r.agent,
    (r) => `${fmt.int(r.runs)} runs`, (r) => r.unpricedCount));
  byTestId("cost-by-model").replaceChildren(...bars(c.byModel, (r) => r.model,
    (r) => `${fmt.int(r.inputTokens)} in (${fmt.int(r.cachedTokens)} cached) / ${fmt.int(r.outputTokens)} out`,
    (r) => r.unpricedCalls));
  byTestId("cost-budgets").replaceChildren(...budgetPanel(c, budgets, filters.agent));
  byTestId("cost-suggestions").replaceChildren(...(tips.length ? tips.map((t) => el("li", { testid: "suggestion" },
    el("strong", {}, t.title), el("span", { class: "saving" }, ` ≈ ${fmt.usd(t.estimatedMonthlySavingsUsd)} / month`),
    el("p", { class: "muted" }, `${t.agent}: ${t.detail}`))) : [el("li", { class: "muted" }, "No suggestions: nothing to save yet.")]));
}
