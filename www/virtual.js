// A virtualised list: only the rows in view (plus a few) exist in the DOM. Used by the frames
// table and the hex view, which may hold hundreds of thousands of rows for a 10 MB paste.
// Rows have a fixed height; past MAX_PX of content the scroll position maps proportionally.

const MAX_PX = 8_000_000;
const OVERSCAN = 4;

export class VirtualList {
  /**
   * @param scroller the element that scrolls (fixed height, overflow auto)
   * @param inner its only child, sized to the full content height
   * @param win the child of `inner` that holds the rendered rows
   * @param rowHeight px; the CSS must give every row this height
   * @param renderRow (index) => Node
   */
  constructor(scroller, inner, win, rowHeight, renderRow) {
    Object.assign(this, { scroller, inner, win, rowHeight, renderRow, count: 0, first: 0, pending: false });
    scroller.addEventListener("scroll", () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(scroller);
  }

  setCount(count) {
    this.count = count;
    this.inner.style.height = `${this.contentHeight()}px`;
    this.schedule();
  }

  contentHeight() {
    return Math.min(this.count * this.rowHeight, MAX_PX);
  }

  scaled() {
    return this.count * this.rowHeight > MAX_PX;
  }

  visibleRows() {
    return Math.ceil((this.scroller.clientHeight || 400) / this.rowHeight) + 1;
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.render(); });
  }

  /** Re-renders the rows in view now (after their data changed). */
  render() {
    const view = this.scroller.clientHeight || 400;
    const rows = this.visibleRows();
    let first, top;
    if (this.scaled()) {
      const span = Math.max(1, this.contentHeight() - view);
      first = Math.round((this.scroller.scrollTop / span) * Math.max(0, this.count - rows + 1));
      top = this.scroller.scrollTop;
    } else {
      first = Math.floor(this.scroller.scrollTop / this.rowHeight);
      top = first * this.rowHeight;
    }
    first = Math.max(0, Math.min(first, this.count - 1));
    const start = Math.max(0, first - (this.scaled() ? 0 : OVERSCAN));
    const end = Math.min(this.count, first + rows + OVERSCAN);
    this.first = start;
    this.win.style.transform = `translateY(${top - (first - start) * this.rowHeight}px)`;
    const nodes = [];
    for (let i = start; i < end; i++) nodes.push(this.renderRow(i));
    this.win.replaceChildren(...nodes);
  }

  /** Scrolls so that row `index` is in view (a third of the way down), unless it already is. */
  scrollTo(index) {
    const view = this.scroller.clientHeight || 400;
    if (this.scaled()) {
      const span = Math.max(1, this.contentHeight() - view);
      this.scroller.scrollTop = (index / Math.max(1, this.count - this.visibleRows() + 1)) * span;
    } else {
      const y = index * this.rowHeight;
      const top = this.scroller.scrollTop;
      if (y < top || y + this.rowHeight > top + view) this.scroller.scrollTop = Math.max(0, y - view / 3);
    }
    this.render();
  }
}
