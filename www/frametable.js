// The frames table: one row per frame (index, offset, FIN, RSV, opcode, mask, masking key,
// length and its encoding, a payload preview); only the rows in view are rendered. Rows are
// selectable with a click, Enter, or the arrow keys.
import { VirtualList } from "./virtual.js";
import { hex, maskingKey } from "./format.js";
import { payloadHead } from "./fields.js";

/** One decoder for every row's text preview. */
const utf8 = new TextDecoder();

const ROW_HEIGHT = 26;
const PREVIEW = 32;

export class FrameTable {
  /**
   * @param root the .vtable element
   * @param store the FrameStore
   * @param onSelect (index) => void
   */
  constructor(root, store, onSelect) {
    this.root = root;
    this.store = store;
    this.onSelect = onSelect;
    this.bytes = new Uint8Array(0);
    this.selected = -1;
    const scroller = root.querySelector(".vt-scroll");
    root.style.setProperty("--vt-row", `${ROW_HEIGHT}px`);
    this.list = new VirtualList(scroller, root.querySelector(".vt-inner"), root.querySelector(".vt-window"),
      ROW_HEIGHT, (i) => this.renderRow(i));
    scroller.addEventListener("click", (e) => {
      const row = e.target.closest?.("[data-index]");
      if (row) this.onSelect(Number(row.dataset.index));
    });
    scroller.addEventListener("keydown", (e) => this.onKey(e));
  }

  reset(store, bytes) {
    this.store = store;
    this.bytes = bytes;
    this.selected = -1;
    this.list.scroller.scrollTop = 0;
    this.update();
  }

  /** Call after frames were appended. */
  update() {
    this.root.setAttribute("aria-rowcount", String(this.store.count));
    this.list.setCount(this.store.count);
  }

  select(index) {
    this.selected = index;
    this.list.scrollTo(index);
  }

  onKey(e) {
    const n = this.store.count;
    if (!n) return;
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }[e.key];
    if (step) {
      e.preventDefault();
      this.onSelect(Math.max(0, Math.min(n - 1, (this.selected < 0 ? 0 : this.selected) + step)));
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      this.onSelect(e.key === "Home" ? 0 : n - 1);
    }
  }

  renderRow(i) {
    const f = this.store.frame(i);
    const row = document.createElement("div");
    row.className = i === this.selected ? "vt-row selected" : "vt-row";
    row.setAttribute("role", "row");
    row.setAttribute("aria-selected", String(i === this.selected));
    row.dataset.index = i;
    row.dataset.testid = "frame-row";
    const rsv = `${+f.rsv1}${+f.rsv2}${+f.rsv3}`;
    const enc = f.lengthEncoding ? ` (${f.lengthEncoding}-bit)` : "";
    const cells = [
      ["index", String(i)],
      ["offset", String(f.offset)],
      ["fin", f.fin ? "1" : "0"],
      ["rsv", rsv],
      ["opcode", `${f.kind} 0x${f.opcode.toString(16)}`],
      ["mask", f.masked ? "1" : "0"],
      ["key", maskingKey(f.maskingKey)],
      ["length", `${f.payloadLength}${enc}`],
      ["preview", this.preview(f)],
    ];
    for (const [col, text] of cells) {
      const cell = document.createElement("span");
      cell.setAttribute("role", "gridcell");
      cell.dataset.col = col;
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }

  /** The first bytes of the payload, unmasked: as text when printable, else hex. */
  preview(f) {
    if (f.close) {
      const code = f.close.code === null ? "no code" : `${f.close.code} ${f.close.name}`;
      return f.close.reason ? `${code}: ${f.close.reason}` : code;
    }
    const data = payloadHead(f, this.bytes, PREVIEW);
    if (!data.length) return "";
    const more = f.payloadLength > data.length ? "…" : "";
    // The core's flag: every frame of a compressed message, its continuations too (RFC 7692 §6.1).
    const compressed = f.compressed;
    const text = !compressed && data.every((b) => (b >= 0x20 && b < 0x7f) || b >= 0x80 || b === 9 || b === 10 || b === 13);
    if (text) {
      const decoded = utf8.decode(data).replace(/[\r\n\t]/g, " ");
      return decoded + more;
    }
    return hex(data) + more + (compressed ? " (compressed)" : "");
  }
}
