// "Run an agent": pick a configured agent, edit its JSON input, start it with runAgent(wait:
// false). The finished run then arrives on the live feed like any other.
import { el, setText } from "./dom.js";

const RUN_AGENT = `mutation($agent: String!, $input: JSON!) {
  runAgent(agent: $agent, input: $input, wait: false) { id status } }`;
const SAMPLES = {
  "support-bot": { question: "How do I reset my password?" },
  "research-agent": { question: "What is the status of order 1042?" },
  summarizer: { text: "AgentWatch records every run's latency, tokens, cost and errors." },
};

export function createRunForm(form, gql) {
  const select = form.querySelector("select");
  const input = form.querySelector("textarea");
  const result = form.querySelector("output");
  const sample = () => {
    input.value = JSON.stringify(SAMPLES[select.value] ?? { question: "Hello" }, null, 2);
  };
  select.addEventListener("change", sample);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let payload;
    try {
      payload = JSON.parse(input.value);
    } catch (error) {
      setText(result, `Input is not valid JSON: ${error.message}`);
      return;
    }
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const { runAgent } = await gql(RUN_AGENT, { agent: select.value, input: payload });
      setText(result, `Started run ${runAgent.id}: it appears in Recent runs when it finishes.`);
    } catch (error) {
      setText(result, `Could not start it: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  });
  return function setAgents(agents) {
    const runnable = agents.filter((a) => a.source === "configured" && a.enabled);
    const current = select.value;
    select.replaceChildren(...runnable.map((a) => el("option", { value: a.name }, a.name)));
    if (runnable.some((a) => a.name === current)) select.value = current;
    else {
      select.value = Object.keys(SAMPLES).find((n) => runnable.some((a) => a.name === n)) ?? runnable[0]?.name ?? "";
      sample();
    }
    form.querySelector("button").disabled = runnable.length === 0;
  };
}
