// Dashboard bootstrap: filters, live subscriptions, and the refresh of aggregates.
// New runs and alerts are pushed (runRecorded, alertChanged) and shown at once; aggregates
// (cards, charts, costs) are re-queried right after such an event (at most once a second) and
// every 15 s so the window slides; everything is re-queried after a reconnect.
import { connect, gql, subscribe } from "./js/api.js";
import { ALERT_FIELDS, createAlerts } from "./js/alerts.js";
import { createCharts } from "./js/charts.js";
import { refreshCosts } from "./js/costs.js";
import { byTestId, el, setText } from "./js/dom.js";
import { createRunDetail } from "./js/run_detail.js";
import { createRunForm } from "./js/run_form.js";
import { RUN_FIELDS, createRunsTable } from "./js/runs.js";
import { refreshStats, showActiveAlerts } from "./js/stats.js";

// Window -> chart bucket size: 30 to 96 buckets whichever window is picked.
const BUCKETS = { 900: 30, 3600: 60, 86400: 900, 604800: 10800 };
const filters = {
  windowSeconds: 3600,
  agent: null,
  since() { return new Date(Date.now() - this.windowSeconds * 1000).toISOString(); },
  bucketSeconds() { return BUCKETS[this.windowSeconds]; },
};

const runs = createRunsTable(byTestId("runs-body"), createRunDetail(byTestId("run-detail"), gql));
const alerts = createAlerts({
  active: byTestId("alerts-active"), history: byTestId("alerts-history"),
  empty: byTestId("alerts-empty"), gql, onCount: showActiveAlerts,
});
const refreshCharts = createCharts();
const setFormAgents = createRunForm(byTestId("run-form"), gql);
const agentFilter = byTestId("agent-filter");

/** Run `task` now, or once when the running/previous call is over and `gap` ms have passed. */
function throttled(task, gap) {
  let last = 0, running = false, pending = false, timer = null;
  return async function run() {
    if (running || timer) { pending = true; return; }
    const wait = last + gap - Date.now();
    if (wait > 0) { timer = setTimeout(() => { timer = null; pending = false; run(); }, wait); return; }
    running = true;
    last = Date.now();
    try { await task(); } catch (error) { console.warn("refresh failed", error); }
    running = false;
    if (pending) { pending = false; run(); }
  };
}

const refreshAggregates = throttled(() => Promise.all([
  refreshStats(gql, filters), refreshCharts(gql, filters), refreshCosts(gql, filters),
]), 1000);

async function loadAgents() {
  const { agents } = await gql("{ agents { name enabled source } }");
  const current = agentFilter.value;
  agentFilter.replaceChildren(el("option", { value: "" }, "All agents"),
    ...agents.map((a) => el("option", { value: a.name }, a.name)));
  agentFilter.value = agents.some((a) => a.name === current) ? current : "";
  setFormAgents(agents);
}

function noteAgent(name) {
  if (![...agentFilter.options].some((o) => o.value === name)) agentFilter.append(el("option", { value: name }, name));
}

async function catchUp({ clear = false } = {}) {
  const results = await Promise.allSettled([
    loadAgents(), runs.load(gql, filters, { clear }), alerts.load(), refreshAggregates(),
  ]);
  for (const r of results) if (r.status === "rejected") console.warn("catch-up failed", r.reason);
}

function setConnection(state) {
  const badge = byTestId("connection-state");
  badge.dataset.state = state;
  setText(badge, state);
}

byTestId("window-select").addEventListener("change", (event) => {
  filters.windowSeconds = Number(event.target.value);
  catchUp({ clear: true });
});
agentFilter.addEventListener("change", () => {
  filters.agent = agentFilter.value || null;
  alerts.setAgent(filters.agent);
  catchUp({ clear: true });
});
for (const dialog of document.querySelectorAll("dialog.closable")) {
  dialog.querySelector(".close").addEventListener("click", () => dialog.close());
}

const client = connect({ onState: setConnection, onConnected: () => catchUp() });
subscribe(client, `subscription { runRecorded { ${RUN_FIELDS} } }`, ({ runRecorded: run }) => {
  noteAgent(run.agent);
  if (filters.agent && run.agent !== filters.agent) return;
  runs.add(run);
  refreshAggregates();
});
subscribe(client, `subscription { alertChanged { ${ALERT_FIELDS} } }`, ({ alertChanged }) => {
  alerts.upsert(alertChanged);
});
// Should the WebSocket be slow or blocked (a proxy), still show data over HTTP.
setTimeout(() => byTestId("connection-state").dataset.state !== "live" && catchUp(), 3000);
setInterval(() => byTestId("connection-state").dataset.state === "live" && refreshAggregates(), 15_000);
