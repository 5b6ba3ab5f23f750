// Run detail dialog: input, output, error (type, message, stack trace), per-call costs and the
// LangSmith link. Every value is set as text; the link only if it is http(s).
import { el, safeUrl } from "./dom.js";
import * as fmt from "./format.js";

const RUN = `query($id: ID!) { run(id: $id) {
  id agent status startedAt endedAt latencyMs model inputTokens outputTokens totalTokens
  costUsd costSource traceUrl input output requestId error { type message stackTrace }
  calls { seq model provider latencyMs inputTokens cachedTokens outputTokens reasoningTokens
          costUsd costSource } } }`;

function json(value) {
  return value == null ? "—" : JSON.stringify(value, null, 2);
}

function field(label, value) {
  return [el("dt", {}, label), el("dd", {}, value ?? "—")];
}

function callsTable(calls) {
  if (!calls.length) return el("p", { class: "muted" }, "No model calls recorded.");
  return el("div", { class: "table-wrap" }, el("table", {},
    el("thead", {}, el("tr", {}, ["#", "Model", "Provider", "Latency", "Input (cached)",
      "Output (reasoning)", "Cost"].map((h) => el("th", {}, h)))),
    el("tbody", {}, calls.map((c) => el("tr", {},
      el("td", {}, c.seq), el("td", {}, c.model ?? "—"), el("td", {}, c.provider ?? "—"),
      el("td", { class: "num" }, fmt.ms(c.latencyMs)),
      el("td", { class: "num" }, `${fmt.int(c.inputTokens)} (${fmt.int(c.cachedTokens)})`),
      el("td", { class: "num" }, `${fmt.int(c.outputTokens)} (${fmt.int(c.reasoningTokens)})`),
      el("td", { class: "num" }, `${fmt.usd(c.costUsd)} ${c.costSource}`))))));
}

function render(run) {
  const link = safeUrl(run.traceUrl);
  const parts = [
    el("h2", {}, `${run.agent} · ${run.status}`),
    el("dl", { class: "facts" },
      field("Run id", run.id), field("Started", fmt.time(run.startedAt, true)),
      field("Latency", fmt.ms(run.latencyMs)), field("Model", run.model),
      field("Tokens", `${fmt.int(run.inputTokens)} in / ${fmt.int(run.outputTokens)} out`),
      field("Cost", `${fmt.usd(run.costUsd)} (${run.costSource})`),
      field("Request id", run.requestId)),
  ];
  if (link) parts.push(el("p", {}, el("a", { href: link, target: "_blank", rel: "noopener noreferrer",
    testid: "trace-link" }, "Open the LangSmith trace")));
  if (run.error) {
    parts.push(el("section", { class: "error-box", testid: "run-error" },
      el("h3", {}, run.error.type),
      el("p", { testid: "run-error-message" }, run.error.message),
      run.error.stackTrace && el("pre", { testid: "run-error-stack" }, run.error.stackTrace)));
  }
  parts.push(el("h3", {}, "Input"), el("pre", { testid: "run-input" }, json(run.input)),
    el("h3", {}, "Output"), el("pre", {}, json(run.output)),
    el("h3", {}, "Model calls"), callsTable(run.calls));
  return parts;
}

export function createRunDetail(dialog, gql) {
  const body = dialog.querySelector(".dialog-body");
  return async function open(id) {
    body.replaceChildren(el("p", { class: "muted" }, "Loading…"));
    if (!dialog.open) dialog.showModal();
    try {
      const { run } = await gql(RUN, { id });
      body.replaceChildren(...(run ? render(run) : [el("p", {}, "This run no longer exists.")]));
    } catch (error) {
      body.replaceChildren(el("p", { class: "error" }, `Could not load the run: ${error.message}`));
    }
  };
}
