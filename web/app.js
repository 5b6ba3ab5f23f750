// Live runs feed: the last runs from `runs`, then every new one from `runRecorded`.
// Everything from the server is inserted with textContent, never as HTML.
const MAX_ROWS = 100;
const RUN_FIELDS = "id agent status startedAt model latencyMs totalTokens";
const tbody = document.getElementById("runs");
const state = document.getElementById("connection");
const apiKey = sessionStorage.getItem("agentwatch.apiKey");
const authHeaders = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  return td;
}

function addRun(run, atTop) {
  if (document.getElementById(`run-${run.id}`)) return;
  const tr = document.createElement("tr");
  tr.id = `run-${run.id}`;
  tr.className = run.status.toLowerCase();
  tr.append(cell(new Date(run.startedAt).toLocaleTimeString()), cell(run.agent),
    cell(run.status), cell(run.model), cell(run.latencyMs?.toFixed(0)), cell(run.totalTokens));
  if (atTop) tbody.prepend(tr); else tbody.append(tr);
  while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(-1);
}

async function loadRecent() {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders },
    body: JSON.stringify({ query: `{ runs(first: 50) { edges { node { ${RUN_FIELDS} } } } }` }),
  });
  const body = await response.json();
  tbody.replaceChildren();
  for (const edge of body.data?.runs.edges ?? []) addRun(edge.node, false);
}

function setState(text) {
  state.textContent = text;
  state.className = `state ${text}`;
}

const client = graphqlWs.createClient({
  url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
  connectionParams: authHeaders,
  retryAttempts: Infinity,
  shouldRetry: () => true,
  on: {
    connecting: () => setState("reconnecting"),
    connected: () => { setState("live"); loadRecent(); },  // catch up on what was missed
    closed: () => setState("offline"),
  },
});

client.subscribe(
  { query: `subscription { runRecorded { ${RUN_FIELDS} } }` },
  { next: (msg) => msg.data && addRun(msg.data.runRecorded, true), error: () => {}, complete: () => {} },
);
