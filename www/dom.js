// Small DOM helpers. Text always goes in through textContent, never as HTML: payloads,
// reasons, headers and errors come from a peer or a paste and may contain markup.

/**
 * Creates an element. `props` sets attributes (class, data-*, aria-*, …); string children
 * become text nodes, nodes are appended, null/false children are skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces an element's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows or hides an error line; the message goes in as text. */
export function showError(node, message) {
  node.textContent = message ?? "";
  node.hidden = !message;
}

/** A button that copies `getText()` to the clipboard and says so. */
export function copyButton(label, getText, testid) {
  const button = el("button", { type: "button", class: "copy", "data-testid": testid }, label);
  button.addEventListener("click", async () => {
    const text = getText();
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "copied";
    } catch {
      button.textContent = "copy failed";
    }
    setTimeout(() => { button.textContent = label; }, 1200);
  });
  return button;
}

/** Looks an element up by its data-testid inside `root`. */
export function byTestId(id, root = document) {
  return root.querySelector(`[data-testid="${id}"]`);
}
