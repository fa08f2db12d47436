// Helpers for the page tests: one server and browser per test file, and the steps a user
// takes on the page (show a panel, paste bytes, wait for the decode to finish).
import { mkdirSync } from "node:fs";
import { startServer } from "./server.js";
import { launchBrowser, openPage } from "./browser.js";

/**
 * Starts the page server and the browser. WSINSPECT_PAGE_URL points the tests at a page
 * that is already served (for working on the page itself); normally the tests start their own.
 */
export async function setup() {
  mkdirSync("test-results", { recursive: true });
  const server = process.env.WSINSPECT_PAGE_URL
    ? { url: process.env.WSINSPECT_PAGE_URL, stop() {} }
    : await startServer();
  const browser = await launchBrowser();
  return { server, browser, stop: async () => { await browser.close(); server.stop(); } };
}

/** Opens the page (optionally at a fragment) and waits until the wasm module is ready. */
export async function open(env, fragment = "") {
  const { page, errors } = await openPage(env.browser, env.server.url + fragment);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  return { page, errors };
}

export async function showPanel(page, name) {
  await page.getByTestId(`tab-${name}`).click();
  await page.getByTestId(`panel-${name}`).waitFor({ state: "visible" });
}

/**
 * Sets the Decode form's inputs at once and starts one decode (as pressing Enter would);
 * waits until it is done or fails. Returns the status line's text.
 */
export async function decode(page, text, { format = "auto", role = "auto", protocol = "auto", extensions = "", max = "" } = {}) {
  await showPanel(page, "decode");
  await page.evaluate(([text, format, role, protocol, extensions, max]) => {
    const q = (id) => document.querySelector(`[data-testid="${id}"]`);
    q("decode-input").value = text;
    q("decode-format").value = format;
    q("decode-role").value = role;
    q("decode-protocol").value = protocol;
    q("decode-extensions").value = extensions;
    q("decode-max").value = max;
    q("decode-form").requestSubmit();
  }, [text, format, role, protocol, extensions, String(max)]);
  return waitDecoded(page);
}

/** Waits for the decode in progress to end; returns the status line's text. */
export async function waitDecoded(page, timeout = 15_000) {
  const status = page.locator('[data-testid=decode-status]:is([data-phase=done], [data-phase=error])');
  await status.waitFor({ timeout });
  return status.textContent();
}

/** The hex view's cell for the byte at `offset` (scrolled into view first by the page). */
export function hexByte(page, offset) {
  return page.locator(`[data-testid=hexview] .hx-b[data-offset="${offset}"]`);
}

/** Saves test-results/NAME.png for review; the README's copies (extra paths) only when
 * UPDATE_SCREENSHOTS=1, so a test run leaves the work tree clean. */
export async function screenshot(page, name, ...extra) {
  await page.screenshot({ path: `test-results/${name}.png`, fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS !== "1") return;
  for (const path of extra) await page.screenshot({ path, fullPage: true });
}

/** Hex of a server (unmasked, FIN) frame with `opcode` and a UTF-8 payload of under 126 bytes. */
export function serverFrameHex(opcode, text) {
  const payload = Buffer.from(text, "utf8");
  if (payload.length > 125) throw new Error("use a shorter payload");
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]).toString("hex");
}
