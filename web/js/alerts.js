// Alerts: active ones (FIRING / ACKNOWLEDGED) with Acknowledge and Resolve (optional note), and
// the latest resolved ones. Loaded with `alerts`, kept current by `alertChanged`. Each alert's
// <li> is updated in place, so a note being typed survives value updates of other alerts.
// With an agent selected, only its alerts and those of all-agent rules are shown and counted.
import { el, setText } from "./dom.js";
import * as fmt from "./format.js";

export const ALERT_FIELDS = `id ruleName agent status severity message value threshold
  firedAt acknowledgedAt resolvedAt`;
const HISTORY = 20;
const ALERTS = `{
  firing: alerts(status: FIRING, first: 100) { edges { node { ${ALERT_FIELDS} } } }
  acknowledged: alerts(status: ACKNOWLEDGED, first: 100) { edges { node { ${ALERT_FIELDS} } } }
  resolved: alerts(status: RESOLVED, first: ${HISTORY}) { edges { node { ${ALERT_FIELDS} } } } }`;
const ACTION = (name) => `mutation($id: ID!, $note: String) {
  ${name}(id: $id, note: $note) { ${ALERT_FIELDS} } }`;

export function createAlerts({ active, history, empty, gql, onCount }) {
  const items = new Map();  // alert id -> { alert, li, parts }
  let agent = null;  // the dashboard's agent filter
  const shown = (a) => !agent || a.agent == null || a.agent === agent;

  function count() {
    const visible = [...active.children].filter((li) => !li.hidden).length;
    empty.hidden = visible > 0;
    onCount(visible);
  }

  function build(alert) {
    const note = el("input", { type: "text", placeholder: "Note (optional)", maxlength: 500,
      "aria-label": "Note", testid: "alert-note" });
    const act = (mutation, button) => async () => {
      button.disabled = true;
      try {
        const data = await gql(ACTION(mutation), { id: alert.id, note: note.value.trim() || null });
        note.value = "";
        upsert(data[mutation]);
      } catch (error) {
        setText(parts.problem, error.message);
      } finally {
        button.disabled = false;
      }
    };
    const ack = el("button", { type: "button", testid: "alert-acknowledge" }, "Acknowledge");
    const resolve = el("button", { type: "button", testid: "alert-resolve" }, "Resolve");
    ack.addEventListener("click", act("acknowledgeAlert", ack));
    resolve.addEventListener("click", act("resolveAlert", resolve));
    const parts = {
      severity: el("span", { class: "badge" }), title: el("strong"), status: el("span", { class: "badge" }),
      message: el("p", { testid: "alert-message" }), meta: el("p", { class: "muted" }),
      problem: el("p", { class: "error" }), note, ack, resolve,
      actions: el("div", { class: "actions" }, note, ack, resolve),
    };
    const li = el("li", { testid: "alert", "data-alert-id": alert.id },
      el("div", { class: "alert-head" }, parts.severity, parts.title, parts.status),
      parts.message, parts.meta, parts.actions, parts.problem);
    return { li, parts };
  }

  function paint({ alert, li, parts }) {
    li.dataset.status = alert.status;
    li.hidden = !shown(alert);
    li.className = `alert sev-${alert.severity.toLowerCase()} st-${alert.status.toLowerCase()}`;
    setText(parts.severity, alert.severity);
    setText(parts.title, alert.agent ? `${alert.ruleName} · ${alert.agent}` : alert.ruleName);
    setText(parts.status, alert.status);
    setText(parts.message, alert.message);
    const when = alert.resolvedAt ? `resolved ${fmt.time(alert.resolvedAt, true)}`
      : alert.acknowledgedAt ? `acknowledged ${fmt.time(alert.acknowledgedAt, true)}`
        : `fired ${fmt.time(alert.firedAt, true)}`;
    setText(parts.meta, `value ${alert.value ?? "—"} · threshold ${alert.threshold} · ${when}`);
    parts.actions.hidden = alert.status === "RESOLVED";
    parts.ack.hidden = alert.status !== "FIRING";
  }

  function place(entry) {
    const list = entry.alert.status === "RESOLVED" ? history : active;
    const key = (a) => (a.status === "RESOLVED" ? a.resolvedAt : a.firedAt) ?? "";
    if (entry.li.parentElement === list) return;  // moving a node would drop a typed note's focus
    const before = [...list.children].find((li) => key(items.get(li.dataset.alertId).alert) < key(entry.alert));
    list.insertBefore(entry.li, before ?? null);
    while (history.children.length > HISTORY) {
      items.delete(history.lastElementChild.dataset.alertId);
      history.lastElementChild.remove();
    }
  }

  function upsert(alert) {
    let entry = items.get(alert.id);
    if (entry && entry.alert.status === "RESOLVED" && alert.status !== "RESOLVED") return;  // stale
    if (!entry) {
      entry = { alert, ...build(alert) };
      items.set(alert.id, entry);
    }
    entry.alert = alert;
    paint(entry);
    place(entry);
    count();
  }

  function setAgent(name) {
    agent = name;
    for (const entry of items.values()) entry.li.hidden = !shown(entry.alert);
    count();
  }

  async function load() {
    const data = await gql(ALERTS);
    for (const key of ["resolved", "acknowledged", "firing"]) {
      for (const edge of [...data[key].edges].reverse()) upsert(edge.node);
    }
    count();
  }

  return { load, upsert, setAgent };
}
