// Cost panel: totals over the window, spend by agent and by model (bars), budgets used, and the
// savings suggestions computed by the server from stored runs.
import { byTestId, el } from "./dom.js";
import * as fmt from "./format.js";

const COSTS = `query($agent: String, $since: DateTime) {
  costSummary(agent: $agent, since: $since) {
    totalUsd unpricedRuns costPerSuccessfulRunUsd failedRunsCostUsd
    byAgent { agent runs costUsd }
    byModel { model runs inputTokens cachedTokens outputTokens costUsd }
    budget { dailyUsd dailyUsedUsd dailyUsedFraction monthlyUsd monthlyUsedUsd monthlyUsedFraction } }
  costSuggestions { kind agent title detail estimatedMonthlySavingsUsd } }`;

function bars(rows, label, detail) {
  if (!rows.length) return [el("p", { class: "muted" }, "No runs in this window.")];
  const top = Math.max(...rows.map((r) => r.costUsd), 1e-12);
  return [...rows].sort((a, b) => b.costUsd - a.costUsd).slice(0, 8).map((r) => {
    const fill = el("span", { class: "bar-fill" });
    fill.style.width = `${(100 * r.costUsd) / top}%`;
    return el("div", { class: "bar-row" }, el("span", { class: "bar-label" }, label(r)),
      el("span", { class: "bar" }, fill), el("span", { class: "num" }, fmt.usd(r.costUsd)),
      el("span", { class: "muted bar-detail" }, detail(r)));
  });
}

function budget(name, limit, used, fraction) {
  if (limit == null) return el("p", { class: "muted" }, `${name}: no budget set (setBudget).`);
  const meter = el("meter", { min: 0, max: 1, low: 0.8, high: 0.95, optimum: 0, value: Math.min(fraction ?? 0, 1) });
  return el("div", { class: "budget" }, el("span", {}, `${name}: ${fmt.usd(used)} of ${fmt.usd(limit)} (${fmt.pct(fraction)})`), meter);
}

export async function refreshCosts(gql, filters) {
  const { costSummary: c, costSuggestions: tips } = await gql(COSTS, { agent: filters.agent, since: filters.since() });
  byTestId("cost-totals").replaceChildren(
    el("span", {}, `Window total ${fmt.usd(c.totalUsd)}`),
    el("span", {}, `per successful run ${fmt.usd(c.costPerSuccessfulRunUsd)}`),
    el("span", {}, `failed runs ${fmt.usd(c.failedRunsCostUsd)}`),
    el("span", {}, `unpriced runs ${fmt.int(c.unpricedRuns)}`));
  byTestId("cost-by-agent").replaceChildren(...bars(c.byAgent, (r) => r.agent, (r) => `${fmt.int(r.runs)} runs`));
  byTestId("cost-by-model").replaceChildren(...bars(c.byModel, (r) => r.model,
    (r) => `${fmt.int(r.inputTokens)} in (${fmt.int(r.cachedTokens)} cached) / ${fmt.int(r.outputTokens)} out`));
  const b = c.budget;
  byTestId("cost-budgets").replaceChildren(
    budget("Today", b.dailyUsd, b.dailyUsedUsd, b.dailyUsedFraction),
    budget("This month", b.monthlyUsd, b.monthlyUsedUsd, b.monthlyUsedFraction));
  byTestId("cost-suggestions").replaceChildren(...(tips.length ? tips.map((t) => el("li", {},
    el("strong", {}, t.title), el("span", { class: "saving" }, ` ≈ ${fmt.usd(t.estimatedMonthlySavingsUsd)} / month`),
    el("p", { class: "muted" }, `${t.agent}: ${t.detail}`))) : [el("li", { class: "muted" }, "No suggestions: nothing to save yet.")]));
}
