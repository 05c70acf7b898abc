/** Tiny DOM helpers: elements from text only (never HTML strings), rows of cells. */

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export type Cell = string | number | null | Node | { text: string; cls: string };

/** Replaces a table body's rows; each cell text, a node, or text with a class. */
export function fillRows(tbody: HTMLElement, rows: Cell[][]): void {
  const frag = document.createDocumentFragment();
  for (const r of rows) {
    const tr = el('tr');
    for (const c of r) {
      const td = el('td');
      if (c === null) td.textContent = '–';
      else if (typeof c === 'number') {
        td.textContent = fmt(c);
        td.className = 'num';
      } else if (typeof c === 'string') td.textContent = c;
      else if (c instanceof Node) td.append(c);
      else {
        td.textContent = c.text;
        td.className = c.cls;
      }
      tr.append(td);
    }
    frag.append(tr);
  }
  tbody.replaceChildren(frag);
}

export function fmt(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (Number.isInteger(n)) return n.toLocaleString('en');
  return n.toFixed(digits);
}
