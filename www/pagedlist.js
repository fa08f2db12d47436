// A list that renders its items a page at a time, with a "show more" button: a capture
// with thousands of messages or violations would otherwise fill the page with nodes.
import { el } from "./dom.js";

export class PagedList {
  /**
   * @param list the <ol>/<ul> to fill
   * @param render (item) => Node
   * @param pageSize items rendered per page
   * @param what "messages", "violations": used in the button and the footer
   */
  constructor(list, render, pageSize, what) {
    Object.assign(this, { list, render, pageSize, what });
    this.reset();
  }

  reset() {
    this.items = [];
    this.rendered = 0;
    this.limit = this.pageSize;
    this.list.replaceChildren();
    this.footer = null;
  }

  add(items) {
    for (const item of items) this.items.push(item);
    this.fill();
  }

  fill() {
    this.footer?.remove();
    while (this.rendered < Math.min(this.limit, this.items.length)) this.list.append(this.render(this.items[this.rendered++]));
    const left = this.items.length - this.rendered;
    if (left > 0) {
      const button = el("button", { type: "button", "data-testid": `more-${this.what}` },
        `show ${Math.min(left, this.pageSize)} more ${this.what} (${left} not shown)`);
      button.addEventListener("click", () => { this.limit += this.pageSize; this.fill(); });
      this.footer = el("li", { class: "more" }, button);
      this.list.append(this.footer);
    }
  }

  /** After the decode: says how many items were found beyond the ones kept. */
  finish(total, emptyText) {
    if (total > this.items.length) {
      this.list.append(el("li", { class: "more" }, `${total - this.items.length} more ${this.what} found; the first ${this.items.length} are kept here`));
    } else if (total === 0 && emptyText) {
      this.list.append(el("li", { class: "more none" }, emptyText));
    }
  }
}
