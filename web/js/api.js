// GraphQL over HTTP (fetch) and graphql-transport-ws (vendored graphql-ws, global `graphqlWs`),
// with the API key kept for the tab in sessionStorage and asked for on 401 / close 4403.
const KEY_STORAGE = "agentwatch.apiKey";
const FORBIDDEN = 4403;  // our server's close code for a missing or wrong key
let keyPrompt = null;    // one dialog for every request that needs the key

export class GraphQLError extends Error {}

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

function authorization() {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** Show the key dialog (once, however many requests were refused); resolves when it closes. */
export function askForKey() {
  keyPrompt ??= new Promise((resolve) => {
    const dialog = document.getElementById("api-key-dialog");
    const input = dialog.querySelector("input");
    input.value = "";
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "save" && input.value.trim()) {
        sessionStorage.setItem(KEY_STORAGE, input.value.trim());
      }
      keyPrompt = null;
      resolve();
    }, { once: true });
    dialog.showModal();
  });
  return keyPrompt;
}

/** POST one operation; returns `data`, throws GraphQLError on errors, re-asks for the key on 401. */
export async function gql(query, variables = {}) {
  for (;;) {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...authorization() },
      body: JSON.stringify({ query, variables }),
    });
    if (response.status === 401) {
      await askForKey();
      continue;
    }
    const body = await response.json();
    if (body.errors?.length) {
      throw new GraphQLError(body.errors.map((e) => e.message).join("; "));
    }
    return body.data;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open the WebSocket client. `onState` gets "connecting" (first attempt), "live", "reconnecting"
 * or "offline";
 * `onConnected` runs after every (re)connection so the page can catch up on what it missed.
 */
export function connect({ onState, onConnected }) {
  let needKey = false;
  let connectedOnce = false;
  const client = graphqlWs.createClient({
    url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
    connectionParams: authorization,  // called on every attempt: a newly entered key is used
    retryAttempts: Infinity,
    shouldRetry: () => true,
    // Capped exponential backoff with jitter, so a restarted server is found within ~3.5 s.
    retryWait: async (retries) => {
      if (needKey) {
        needKey = false;
        await askForKey();
        return;
      }
      await sleep(Math.min(3000, 250 * 2 ** retries) + Math.random() * 500);
    },
    on: {
      connecting: () => onState(connectedOnce ? "reconnecting" : "connecting"),
      connected: () => {
        connectedOnce = true;
        onState("live");
        onConnected();
      },
      closed: (event) => {
        if (event?.code === FORBIDDEN) needKey = true;
        onState(navigator.onLine && !needKey ? "reconnecting" : "offline");
      },
    },
  });
  addEventListener("offline", () => onState("offline"));
  return client;
}

/** Subscribe for the page's lifetime; graphql-ws re-subscribes by itself after reconnects. */
export function subscribe(client, query, onData) {
  return client.subscribe({ query }, {
    next: (message) => message.data && onData(message.data),
    error: (error) => console.warn("subscription failed", error),
    complete: () => {},
  });
}
