/** The checks in words (row sums, causal mask, entropy, values) and the per-head table. */
import { describeCausal, describeRowSums, fmtSmall } from '../../src/core/attention/diagnostics';
import { headIndex, headLabel } from '../../src/core/attention/weights';
import { el } from '../shared/vscode';
import { fmt6 } from './format';
import type { OpenPage } from './state';

function line(id: string, ok: boolean, text: string): HTMLElement {
  const p = el('p', { id });
  p.append(
    el('span', {
      class: `codicon ${ok ? 'codicon-pass ok' : 'codicon-warning bad'}`,
      'aria-hidden': 'true',
    }),
    el('span', { class: 'text' }, text),
  );
  return p;
}

export function checksSection(p: OpenPage): HTMLElement {
  const l = p.layout;
  const d = p.info.diagnostics;
  const checks = el('section', { id: 'checks', 'aria-label': 'Checks' });
  const name = (g: number) => headLabel(l, g);
  const rsOk = d.rowSums.failingRows === 0 && d.rowSums.worst !== null;
  checks.append(line('rowsum', rsOk, describeRowSums(d, name)));
  const masked = p.info.computed?.causal;
  checks.append(
    line(
      'causal',
      d.causal.holds || masked === false,
      describeCausal(d, name) + (masked === false ? ' (no mask was asked for)' : ''),
    ),
  );
  const ent = d.heads.map((h) => h.entropy);
  checks.append(
    line(
      'entropy',
      true,
      `Mean entropy per head from ${fmtSmall(Math.min(...ent))} to ${fmtSmall(Math.max(...ent))} nats (uniform attention over ${l.keys} keys: ln ${l.keys} = ${fmtSmall(d.maxEntropy)}; 0 = each query attends to one key).`,
    ),
  );
  if (d.nonFinite || d.negative)
    checks.append(
      line(
        'values',
        false,
        `${d.nonFinite} NaN/Inf and ${d.negative} negative weights: these are not probabilities.`,
      ),
    );
  return checks;
}

/** The heads table (its body is refilled when the layer or batch changes). */
export class HeadsTable {
  readonly root: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;

  constructor() {
    this.root = el('table', { class: 'heads', id: 'heads-table' });
    const thead = el('thead');
    const hr = el('tr');
    for (const t of ['Head', 'Entropy (nats)', '÷ ln S', 'max |Σ−1|', 'max above diag.'])
      hr.append(el('th', { scope: 'col' }, t));
    thead.append(hr);
    this.body = el('tbody');
    this.root.append(thead, this.body);
  }

  fill(p: OpenPage): void {
    const l = p.layout;
    const d = p.info.diagnostics;
    this.body.replaceChildren();
    for (let h = 0; h < l.heads; h++) {
      const g = headIndex(l, p.view.layer, p.view.batch, h);
      const hd = d.heads[g];
      const tr = el('tr', { 'data-head': String(h) });
      tr.append(
        el('th', { scope: 'row' }, headLabel(l, g)),
        el('td', { class: 'entropy' }, fmt6(hd.entropy)),
        el('td', {}, d.maxEntropy > 0 ? fmtSmall(hd.entropy / d.maxEntropy) : '—'),
        el('td', { class: hd.failingRows ? 'bad' : '' }, fmtSmall(hd.rowSumMaxDeviation)),
        el('td', {}, fmtSmall(hd.causalMaxAbove)),
      );
      this.body.append(tr);
    }
  }
}
