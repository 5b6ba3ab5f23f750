// Text-only DOM helpers. Server data only ever becomes text nodes or textContent: there is no
// innerHTML anywhere in the dashboard, so agent names, inputs and stack traces cannot inject markup.

/** Create an element; string/number children become text nodes, null/false ones are skipped. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "testid") node.dataset.testid = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((c) => c != null && c !== false).map(
    (c) => (c instanceof Node ? c : String(c))));  // append() turns strings into Text nodes
  return node;
}

/** The element with this data-testid (ids would do; testids are what tests and code share). */
export function byTestId(testid, root = document) {
  return root.querySelector(`[data-testid="${testid}"]`);
}

export function setText(node, value) {
  node.textContent = value ?? "—";
}

/**
 * Only absolute http(s) links from the server become hrefs (a `javascript:` URL would run code);
 * null, empty or relative values give null, never a link to `<page>/null`.
 */
export function safeUrl(value) {
  if (typeof value !== "string" || !/^https?:\/\//i.test(value.trim())) return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
