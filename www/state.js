// The Decode, Handshake and Build panels' state in the URL fragment, so that a link
// reproduces what is on screen (a fragment never reaches a server). Every input with a
// data-state="key" attribute is kept when it differs from its default; "p" is the panel.

/** Inputs whose value is longer than this are left out of the link (it would be unusable). */
export const MAX_VALUE = 64 * 1024;

function inputs() {
  return [...document.querySelectorAll("[data-state]")];
}

function isDefault(node) {
  if (node.type === "checkbox") return node.checked === node.defaultChecked;
  if (node.tagName === "SELECT") {
    const def = [...node.options].find((o) => o.defaultSelected) ?? node.options[0];
    return !def || node.value === def.value;
  }
  return node.value === node.defaultValue;
}

/** The fragment for the current inputs and panel; `left` lists keys too long to include. */
export function encode(panel) {
  const params = new URLSearchParams();
  const left = [];
  if (panel) params.set("p", panel);
  for (const node of inputs()) {
    if (isDefault(node)) continue;
    const value = node.type === "checkbox" ? (node.checked ? "1" : "0") : node.value;
    if (value.length > MAX_VALUE) left.push(node.dataset.state);
    else params.set(node.dataset.state, value);
  }
  return { fragment: params.toString(), left };
}

/** Applies a fragment to the inputs (missing keys go back to their defaults); returns its panel. */
export function apply(fragment) {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  for (const node of inputs()) {
    const value = params.get(node.dataset.state);
    if (node.type === "checkbox") node.checked = value === null ? node.defaultChecked : value === "1";
    else if (node.tagName === "SELECT") {
      const def = [...node.options].find((o) => o.defaultSelected) ?? node.options[0];
      node.value = value ?? def?.value ?? "";
      if (node.selectedIndex < 0 && def) node.value = def.value;
    } else node.value = value ?? node.defaultValue;
  }
  return params.get("p");
}

/** Writes the fragment without adding a history entry; returns the full link. */
export function save(panel) {
  const { fragment, left } = encode(panel);
  const url = new URL(location.href);
  url.hash = fragment;
  if (url.href !== location.href) history.replaceState(null, "", url.href);
  return { href: url.href, left };
}
