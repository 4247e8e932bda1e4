/**
 * Nearest neighbours: the query is a row (typed as an index or a label, or clicked on the
 * heatmap, the scatter or a duplicate pair) or a pasted vector; the top-k table lists rank,
 * row, label, cosine, dot product and norm, ranked by cosine or dot product (the worker's
 * exact search). A click on a result makes it the query.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import type { Neighbor } from '../../src/core/embeddings/neighbors';
import { el } from '../shared/vscode';
import { findRow, fmt6, labelAt, parseQuery, rowText, type Labels } from './format';

export interface NeighborQuery {
  row?: number;
  query?: number[];
  k: number;
  by: 'cosine' | 'dot';
  /** what the table says it is for */
  text: string;
}

export class NeighborsPanel {
  readonly root: HTMLElement;
  private readonly rowInput: HTMLInputElement;
  private readonly vecInput: HTMLTextAreaElement;
  private readonly kSel: HTMLSelectElement;
  private readonly bySel: HTMLSelectElement;
  private readonly note: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  last: NeighborQuery | undefined;
  rows: Neighbor[] = [];

  constructor(
    private readonly n: number,
    private readonly d: number,
    private readonly labels: () => Labels | undefined,
    private readonly run: (q: NeighborQuery) => void,
  ) {
    const sec = el('section', { id: 'neighbors-section', 'aria-label': 'Nearest neighbours' });
    const bar = el('div', { class: 'bar' });
    this.rowInput = el('vscode-textfield', {
      id: 'row-input',
      placeholder: 'row index or label, Enter',
      'aria-label': 'Query row: index or label',
    }) as unknown as HTMLInputElement;
    this.rowInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.queryText(this.rowInput.value);
    });
    this.kSel = select('k', 'Top k', ['5', '10', '20', '50'], '10');
    this.bySel = select('by', 'Rank by', ['cosine', 'dot'], 'cosine');
    const rerun = () => this.last && this.ask({ ...this.last, k: this.k(), by: this.by() });
    this.kSel.addEventListener('change', rerun);
    this.bySel.addEventListener('change', rerun);
    const lk = el('label', {}, 'k ');
    lk.append(this.kSel);
    const lb = el('label', {}, 'by ');
    lb.append(this.bySel);
    bar.append(el('h2', {}, 'Nearest neighbours'), this.rowInput, lk, lb);
    const vecRow = el('div', { class: 'bar' });
    this.vecInput = el('vscode-textarea', {
      id: 'query-input',
      rows: '2',
      placeholder: `or paste a query vector of ${d} numbers`,
      'aria-label': 'Query vector',
    }) as unknown as HTMLTextAreaElement;
    const go = el('vscode-button', { id: 'query-go', secondary: '' }, 'Search');
    go.addEventListener('click', () => this.queryVector(this.vecInput.value));
    vecRow.append(this.vecInput, go);
    this.note = el('div', { class: 'sub', id: 'neighbors-note', role: 'status' });
    const table = el('table', { id: 'neighbors' });
    const head = el('thead');
    const tr = el('tr');
    for (const h of ['#', 'row', 'label', 'cosine', 'dot', 'norm']) tr.append(el('th', {}, h));
    head.append(tr);
    this.body = el('tbody');
    table.append(head, this.body);
    sec.append(bar, vecRow, this.note, table);
    this.root = sec;
    this.note.textContent = 'Click the heatmap or a point, or type a row.';
  }

  private k(): number {
    return Number(this.kSel.value) || 10;
  }
  private by(): 'cosine' | 'dot' {
    return this.bySel.value === 'dot' ? 'dot' : 'cosine';
  }

  /** The neighbours of a row. */
  pickRow(row: number): void {
    this.rowInput.value = String(row);
    this.ask({ row, k: this.k(), by: this.by(), text: rowText(this.labels(), row) });
  }

  queryText(text: string): void {
    const r = findRow(text, this.labels(), this.n);
    if ('error' in r) {
      this.note.textContent = r.error;
      this.note.classList.add('bad');
      return;
    }
    this.pickRow(r.row);
  }

  queryVector(text: string): void {
    const q = parseQuery(text, this.d);
    if ('error' in q) {
      this.note.textContent = q.error;
      this.note.classList.add('bad');
      return;
    }
    this.ask({ query: q.query, k: this.k(), by: this.by(), text: 'the pasted vector' });
  }

  private ask(q: NeighborQuery): void {
    this.last = q;
    this.note.classList.remove('bad');
    this.note.textContent = `searching ${this.n.toLocaleString('en-US')} rows…`;
    this.run(q);
  }

  failed(message: string): void {
    this.note.textContent = message;
    this.note.classList.add('bad');
  }

  show(list: Neighbor[]): void {
    const q = this.last!;
    this.rows = list;
    this.note.classList.remove('bad');
    this.note.textContent = `${list.length} nearest to ${q.text} by ${q.by === 'dot' ? 'dot product' : 'cosine'}${q.row !== undefined ? ' (itself left out)' : ''}`;
    this.fill();
  }

  /** Rewrites the table (labels changed). */
  fill(): void {
    const labels = this.labels();
    this.body.replaceChildren();
    this.rows.forEach((nb, i) => {
      const tr = el('tr', { tabindex: '0', title: `show the neighbours of row ${nb.row}` });
      tr.append(
        el('td', {}, String(i + 1)),
        el('td', {}, String(nb.row)),
        el('td', {}, labelAt(labels, nb.row) ?? ''),
        el('td', { class: 'num' }, fmt6(nb.cosine)),
        el('td', { class: 'num' }, fmt6(nb.dot)),
        el('td', { class: 'num' }, fmt6(nb.norm)),
      );
      const pick = () => this.pickRow(nb.row);
      tr.addEventListener('click', pick);
      tr.addEventListener('keydown', (e) => e.key === 'Enter' && pick());
      this.body.append(tr);
    });
  }

  /** The table as shown (the report). */
  read(): { row: number; label: string; cosine: string; dot: string; norm: string }[] {
    return [...this.body.querySelectorAll('tr')].map((tr) => {
      const t = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
      return { row: Number(t[1]), label: t[2], cosine: t[3], dot: t[4], norm: t[5] };
    });
  }

  queryNote(): string {
    return this.last?.text ?? '';
  }
}

function select(id: string, label: string, values: string[], value: string): HTMLSelectElement {
  const s = el('vscode-single-select', { id, 'aria-label': label }) as unknown as HTMLSelectElement;
  for (const v of values) {
    const o = el('vscode-option', { value: v }, v);
    if (v === value) o.setAttribute('selected', '');
    s.append(o);
  }
  return s;
}
