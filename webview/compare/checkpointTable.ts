/**
 * Two checkpoints: one row per shared tensor (shape, max |Δ|, relative Frobenius change
 * ‖B − A‖_F/‖A‖_F, rank of Δ, allclose), sortable by any column (click or Enter on its
 * header; again to reverse); a row's click or Enter opens that tensor's own comparison.
 */
import type { CheckpointRow } from '../../src/core/compare/checkpointDiff';
import { el } from '../shared/vscode';
import { fmt } from '../analysis/format';
import { sortRows, type SortKey } from './sort';

const COLUMNS: { key: SortKey; title: string; numeric: boolean }[] = [
  { key: 'name', title: 'Tensor', numeric: false },
  { key: 'shape', title: 'Shape', numeric: false },
  { key: 'maxAbs', title: 'max |Δ|', numeric: true },
  { key: 'relFro', title: '‖Δ‖_F / ‖A‖_F', numeric: true },
  { key: 'rank', title: 'rank of Δ', numeric: true },
  { key: 'allclose', title: 'allclose', numeric: false },
];

function shapeText(r: CheckpointRow): string {
  const a = `${r.dtypeA}[${r.shapeA.join(', ')}]`;
  const b = `${r.dtypeB}[${r.shapeB.join(', ')}]`;
  return a === b ? a : `${a} → ${b}`;
}

export class CheckpointTable {
  readonly root: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly heads = new Map<SortKey, HTMLTableCellElement>();
  key: SortKey = 'relFro';
  descending = true;
  shown: string[] = [];

  constructor(
    private readonly rows: readonly CheckpointRow[],
    private readonly open: (name: string) => void,
    private readonly changed: () => void,
  ) {
    const table = el('table', { id: 'checkpoint-table', class: 'grid' });
    const tr = el('tr');
    for (const c of COLUMNS) {
      const th = el('th', { tabindex: '0', role: 'columnheader', 'data-key': c.key }, c.title);
      if (c.numeric) th.classList.add('num');
      th.addEventListener('click', () => this.sortBy(c.key));
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.sortBy(c.key);
        }
      });
      this.heads.set(c.key, th);
      tr.append(th);
    }
    const head = el('thead');
    head.append(tr);
    this.body = el('tbody');
    table.append(head, this.body);
    this.root = table;
    this.render();
  }

  sortBy(key: SortKey): void {
    if (this.key === key) this.descending = !this.descending;
    else {
      this.key = key;
      this.descending = COLUMNS.find((c) => c.key === key)!.numeric;
    }
    this.render();
    this.changed();
  }

  private render(): void {
    const sorted = sortRows(this.rows, this.key, this.descending);
    this.shown = sorted.map((r) => r.name);
    for (const [k, th] of this.heads) {
      th.setAttribute(
        'aria-sort',
        k === this.key ? (this.descending ? 'descending' : 'ascending') : 'none',
      );
      th.dataset.arrow = k === this.key ? (this.descending ? '▼' : '▲') : '';
    }
    this.body.replaceChildren(
      ...sorted.map((r) => {
        const row = el('tr', {
          tabindex: '0',
          'data-name': r.name,
          title: 'Open this tensor’s comparison',
        });
        const d = r.delta;
        const bad = r.error ?? (!r.shapeEqual ? (r.message ?? 'shapes differ') : undefined);
        const verdict = r.error
          ? 'error'
          : !r.shapeEqual
            ? 'shapes differ'
            : d?.allclose
              ? 'yes'
              : 'no';
        row.append(
          el('td', { class: 'name' }, r.name),
          el('td', {}, shapeText(r)),
          el('td', { class: 'num' }, d ? fmt(d.maxAbs, 4) : '—'),
          el('td', { class: 'num' }, r.relFro === undefined ? '—' : fmt(r.relFro, 4)),
          el(
            'td',
            { class: 'num' },
            r.spectrum
              ? `${r.spectrum.deltaRank}${r.spectrum.approximate ? '+' : ''}`
              : d
                ? '—'
                : '',
          ),
          el('td', { class: verdict === 'yes' ? 'ok' : 'bad', title: bad ?? '' }, verdict),
        );
        if (r.shapeEqual && !r.error) {
          row.addEventListener('click', () => this.open(r.name));
          row.addEventListener('keydown', (e) => {
            if (e.key === 'Enter') this.open(r.name);
          });
        } else row.classList.add('inert');
        return row;
      }),
    );
  }
}
