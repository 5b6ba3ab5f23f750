// Recent runs table: newest first by start time, at most MAX_ROWS rows, fed by `runs` (initial
// load and catch-up after a reconnect) and `runRecorded` (live). Rows open the run's detail.
import { el } from "./dom.js";
import * as fmt from "./format.js";

export const RUN_FIELDS = "id agent status startedAt model latencyMs totalTokens costUsd costSource";
const MAX_ROWS = 50;
const RUNS = `query($agent: String, $since: DateTime) {
  runs(agent: $agent, since: $since, first: ${MAX_ROWS}) { edges { node { ${RUN_FIELDS} } } } }`;

export function createRunsTable(tbody, openDetail) {
  const rows = new Map();  // run id -> { run, tr }

  function row(run) {
    const tr = el("tr", {
      tabindex: 0, testid: "run-row", "data-run-id": run.id, "data-status": run.status,
      class: `status-${run.status.toLowerCase()}`, title: "Open run details",
      onclick: () => openDetail(run.id),
      onkeydown: (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();  // else the Enter also "clicks" the dialog's focused close button
        openDetail(run.id);
      },
    },
    el("td", { class: "when" }, fmt.time(run.startedAt)),
    el("td", {}, el("span", { class: "badge" }, run.status)),
    el("td", {}, run.agent),
    el("td", { class: "optional" }, run.model ?? "—"),
    el("td", { class: "num" }, fmt.ms(run.latencyMs)),
    el("td", { class: "num optional" }, fmt.int(run.totalTokens)),
    el("td", { class: "num" }, run.costSource === "UNPRICED" ? "unpriced" : fmt.usd(run.costUsd)));
    return tr;
  }

  function newer(a, b) {  // the API's order: startedAt desc, then id desc
    return a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.id > b.id);
  }

  function add(run) {
    if (rows.has(run.id)) return;
    const tr = row(run);
    const before = [...rows.values()].find((entry) => newer(run, entry.run));
    tbody.insertBefore(tr, before ? before.tr : null);
    rows.set(run.id, { run, tr });
    while (rows.size > MAX_ROWS) {
      const last = tbody.lastElementChild;
      rows.delete(last.dataset.runId);
      last.remove();
    }
  }

  async function load(gql, filters, { clear = false } = {}) {
    const data = await gql(RUNS, { agent: filters.agent, since: filters.since() });
    if (clear) {
      rows.clear();
      tbody.replaceChildren();
    }
    for (const edge of data.runs.edges) add(edge.node);
  }

  return { add, load };
}
