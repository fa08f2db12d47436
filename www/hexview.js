// The hex view of the whole input: 16 bytes a line, the selected frame's fields coloured,
// violation offsets marked, masked payload bytes shown beside their unmasked values, and
// hover on a byte naming its field. Only the lines in view are in the DOM (virtual.js).
import { VirtualList } from "./virtual.js";
import { hexByte, printable } from "./format.js";
import { fieldAt, fieldGroup, unmaskedByte } from "./fields.js";

const PER_LINE = 16;
const LINE_HEIGHT = 20;

export class HexView {
  /**
   * @param root the .hexview element (scrolls)
   * @param hover the element that names the hovered byte's field
   * @param describe (offset) => string naming the field at a byte
   */
  constructor(root, hover, describe) {
    this.root = root;
    this.hover = hover;
    this.describe = describe;
    this.bytes = new Uint8Array(0);
    this.selection = null;
    this.marks = new Map();
    this.current = -1;
    this.currentEnd = -1;
    root.style.setProperty("--hx-line", `${LINE_HEIGHT}px`);
    this.list = new VirtualList(root, root.querySelector(".hx-inner"), root.querySelector(".hx-window"),
      LINE_HEIGHT, (line) => this.renderLine(line));
    root.addEventListener("mouseover", (e) => this.onHover(e));
  }

  setBytes(bytes) {
    this.bytes = bytes;
    this.selection = null;
    this.marks = new Map();
    this.current = -1;
    this.currentEnd = -1;
    this.root.scrollTop = 0;
    this.list.setCount(Math.ceil(bytes.length / PER_LINE));
  }

  /** Colours the fields of `frame` (a FrameStore frame) or clears the colouring. */
  setSelection(frame) {
    this.selection = frame;
    this.list.render();
  }

  /** Marks (underlines) the byte at each key of `marks` (offset → violation ids): every byte of each violation's span. */
  setMarks(marks) {
    this.marks = marks;
    this.list.schedule();
  }

  /** Scrolls to the byte at `offset`; `mark` outlines the `length` bytes from it (a violation's span). */
  reveal(offset, mark = true, length = 1) {
    this.current = mark ? offset : -1;
    this.currentEnd = mark ? offset + Math.max(1, length) : -1;
    this.list.scrollTo(Math.floor(offset / PER_LINE));
  }

  fieldAt(offset) {
    const f = this.selection;
    if (!f || offset < f.offset || offset >= f.offset + f.length) return null;
    return fieldAt(f, offset);
  }

  unmasked(offset) {
    return this.selection ? unmaskedByte(this.selection, this.bytes, offset) : -1;
  }

  renderLine(line) {
    const start = line * PER_LINE;
    const end = Math.min(this.bytes.length, start + PER_LINE);
    const row = document.createElement("div");
    row.className = "hx-line";
    const off = document.createElement("span");
    off.className = "hx-off";
    off.textContent = start.toString(16).padStart(8, "0");
    const cells = document.createElement("span");
    cells.className = "hx-bytes";
    let text = "", plain = "", clear = "", anyMasked = false;
    for (let i = start; i < start + PER_LINE; i++) {
      if (i >= end) {
        clear += "   ";
        continue;
      }
      const b = this.bytes[i];
      const cell = document.createElement("span");
      const field = this.fieldAt(i);
      let cls = "hx-b";
      if (field) cls += ` hx-sel hx-f-${fieldGroup(field.name)}`;
      if (this.marks.has(i)) cls += " hx-violation";
      if (i >= this.current && i < this.currentEnd) cls += " hx-current";
      cell.className = cls;
      cell.dataset.offset = i;
      cell.textContent = hexByte(b);
      cells.append(cell);
      plain += printable(b);
      const u = this.unmasked(i);
      if (u >= 0) {
        anyMasked = true;
        clear += hexByte(u) + " ";
        text += printable(u);
      } else {
        clear += "   ";
        text += " ";
      }
    }
    const ascii = document.createElement("span");
    ascii.className = "hx-text";
    ascii.textContent = plain;
    row.append(off, cells, ascii);
    if (anyMasked) {
      const um = document.createElement("span");
      um.className = "hx-unmasked";
      um.dataset.testid = "hx-unmasked";
      um.title = "the masked payload bytes on this line, unmasked";
      um.textContent = `unmasked ${clear}${text}`;
      row.append(um);
    }
    return row;
  }

  onHover(e) {
    const cell = e.target.closest?.(".hx-b");
    if (!cell) return;
    const offset = Number(cell.dataset.offset);
    const text = this.describe(offset);
    cell.title = text;
    this.hover.textContent = text;
  }
}
