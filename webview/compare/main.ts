/**
 * The compare view: two arrays (the verdict and Δ statistics, the Δ map, the singular values
 * of ΔW and the principal angles) or two checkpoints (a sortable table of every shared tensor,
 * tensors found in one file only). Tolerances are edited here and recomputed by the host; a
 * checkpoint row opens that tensor's own comparison. After every draw the page reads its own
 * DOM back and reports it to the host (test builds).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { colormapLut } from '../../src/core/color/colormaps';
import type { ArrayComparison } from '../../src/core/compare/compareArrays';
import type {
  CompareHostToWebview,
  CompareRenderedReport,
  CompareSide,
  CompareTolerances,
  CompareViewResult,
  CompareWebviewToHost,
} from '../../src/protocol/compare';
import type { WebviewToHost } from '../../src/protocol/heatmap';
import type { CheckpointDiff } from '../../src/core/compare/checkpointDiff';
import { float32Values } from '../shared/values';
import { addStyle, el, messageBox, vscode } from '../shared/vscode';
import { card, type Chart } from '../analysis/chart';
import { fmt } from '../analysis/format';
import { readTheme } from '../analysis/theme';
import { CheckpointTable } from './checkpointTable';
import { DeltaHeatmap } from './deltaHeatmap';
import { deltaSvChart } from './svChart';
import panelCss from '../shared/panel.css';
import css from './styles.css';

addStyle(uplotCss);
addStyle(panelCss);
addStyle(css);
const app = document.getElementById('app')!;

function post(m: CompareWebviewToHost): void {
  vscode.postMessage(m as unknown as WebviewToHost);
}

let state: CompareRenderedReport['state'] = 'loading';
let title = '';
let message: string | undefined;
let heatmap: DeltaHeatmap | undefined;
let chart: Chart | undefined;
let table: CheckpointTable | undefined;
let angles: string[] | undefined;
let onlyA: string[] = [];
let onlyB: string[] = [];

function clear(): void {
  heatmap?.dispose();
  chart?.destroy();
  heatmap = undefined;
  chart = undefined;
  table = undefined;
  angles = undefined;
  onlyA = [];
  onlyB = [];
  message = undefined;
  app.replaceChildren();
}

function header(a?: CompareSide, b?: CompareSide): HTMLElement {
  const h = el('header');
  h.append(el('h1', { id: 'title' }, title));
  if (a && b) {
    const sub = el('div', { class: 'sub', id: 'sides' });
    sub.append(
      el('span', { class: 'side' }, 'A '),
      el('code', {}, a.label),
      el('span', { class: 'side' }, '  B '),
      el('code', {}, b.label),
      el('span', {}, '  (Δ = B − A; B is the reference of allclose)'),
    );
    h.append(sub);
  }
  return h;
}

function showMessage(kind: 'loading' | 'error', t: string, text: string): void {
  clear();
  state = kind;
  title = t;
  message = text;
  app.append(header());
  app.append(messageBox(kind, text));
  report();
}

/** rtol, atol (and k for arrays) inputs with a Recompute button. */
function tolerancesBar(t: CompareTolerances, withK: boolean): HTMLElement {
  const bar = el('div', { class: 'controls', id: 'tolerances' });
  const input = (id: string, lab: string, v: number, hint: string) => {
    const l = el('label', { title: hint });
    const i = el('input', { id, type: 'text', value: String(v), size: '8', spellcheck: 'false' });
    l.append(document.createTextNode(lab), i);
    bar.append(l);
    return i;
  };
  const rtol = input('rtol', 'rtol', t.rtol, 'relative tolerance: |a − b| ≤ atol + rtol·|b|');
  const atol = input('atol', 'atol', t.atol, 'absolute tolerance');
  const k = withK
    ? input('k', 'angles k', t.k, 'principal angles between the top-k singular subspaces')
    : undefined;
  const err = el('span', { class: 'bad', id: 'tol-error' });
  const go = el('vscode-button', { id: 'recompute' });
  go.textContent = 'Recompute';
  const submit = () => {
    const r = Number(rtol.value.trim());
    const a = Number(atol.value.trim());
    const kk = k ? Number(k.value.trim()) : t.k;
    if (!(r >= 0) || !(a >= 0) || !Number.isFinite(r) || !Number.isFinite(a)) {
      err.textContent = 'rtol and atol must be non-negative numbers';
      return;
    }
    if (!Number.isInteger(kk) || kk < 1 || kk > 256) {
      err.textContent = 'k must be a whole number from 1 to 256';
      return;
    }
    err.textContent = '';
    post({ type: 'recompute', tolerances: { rtol: r, atol: a, k: kk } });
  };
  go.addEventListener('click', submit);
  for (const i of [rtol, atol, k])
    i?.addEventListener('keydown', (e) => e.key === 'Enter' && submit());
  bar.append(go, err);
  return bar;
}

const fields: Record<string, string> = {};

/** A table of labelled numbers; each row's text is reported under its key. */
function factsTable(rows: [string, string, string, string?][]): HTMLElement {
  const t = el('table', { class: 'facts', id: 'facts' });
  for (const [key, name, value, cls] of rows) {
    const tr = el('tr', { 'data-key': key });
    const td = el('td', cls ? { class: cls } : {}, value);
    tr.append(el('th', {}, name), td);
    t.append(tr);
    fields[key] = value;
  }
  return t;
}

function shapeOf(c: ArrayComparison, side: 'A' | 'B'): string {
  return side === 'A'
    ? `${c.dtypeA}[${c.shapeA.join(', ')}]`
    : `${c.dtypeB}[${c.shapeB.join(', ')}]`;
}

function showArrays(m: Extract<CompareHostToWebview, { type: 'arrays' }>): void {
  clear();
  for (const k of Object.keys(fields)) delete fields[k];
  state = 'arrays';
  title = m.title;
  const r: CompareViewResult = m.result;
  const c = r.comparison;
  app.append(header(m.a, m.b), tolerancesBar(m.tolerances, true));
  if (!c.shapeEqual) {
    const box = el('div', { class: 'message', id: 'message', role: 'alert' });
    message = `${c.message ?? 'shapes differ'}: A is ${shapeOf(c, 'A')}, B is ${shapeOf(c, 'B')} — nothing to compare element by element`;
    box.append(
      el('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }),
      el('span', {}, message),
    );
    app.append(
      box,
      factsTable([['shapes', 'Shapes', `${shapeOf(c, 'A')} vs ${shapeOf(c, 'B')}`, 'bad']]),
    );
    report();
    return;
  }
  const d = c.delta!;
  const n = d.count;
  const rows: [string, string, string, string?][] = [
    [
      'shapes',
      'Shapes',
      c.dtypeA === c.dtypeB
        ? `${shapeOf(c, 'A')} (both)`
        : `${shapeOf(c, 'A')} vs ${shapeOf(c, 'B')}`,
    ],
    [
      'verdict',
      `allclose (rtol ${fmt(d.rtol, 3)}, atol ${fmt(d.atol, 3)})`,
      d.allclose
        ? 'yes — every element within atol + rtol·|b|'
        : `no — first at [${(d.firstMismatch ?? []).join(', ')}]; ${d.mismatched} of ${n} elements not close`,
      d.allclose ? 'ok' : 'bad',
    ],
    ['maxAbs', 'max |Δ|', fmt(d.maxAbs)],
    ['maxRel', 'max relative error |Δ|/|b|', fmt(d.maxRel)],
    [
      'changed',
      'changed cells (a ≠ b)',
      `${d.changed} of ${n} (${fmt((100 * d.changed) / Math.max(1, n), 3)} %)`,
    ],
    ['relFro', '‖B − A‖_F / ‖A‖_F', fmt(c.relFro)],
  ];
  const nf = d.nanOnlyA + d.nanOnlyB + d.infOnlyA + d.infOnlyB;
  rows.push([
    'nonFinite',
    'NaN / Inf on one side only',
    nf
      ? `NaN only in A ${d.nanOnlyA}, only in B ${d.nanOnlyB}; Inf only in A ${d.infOnlyA}, only in B ${d.infOnlyB}`
      : 'none',
    nf ? 'bad' : undefined,
  ]);
  const s = c.spectrum;
  if (s) {
    rows.push(
      [
        'deltaRank',
        'numerical rank of ΔW',
        `${s.deltaRank}${s.approximate ? ' (at least; top-k randomized SVD)' : ''}`,
      ],
      [
        'deltaRank99',
        '99 % of ‖ΔW‖²_F in the top r',
        s.deltaRank99 === null
          ? `beyond the top ${s.singularValues.length}`
          : `r = ${s.deltaRank99}`,
      ],
      ['tolerance', 'rank tolerance', fmt(s.tolerance, 4)],
    );
  } else if (c.shapeA.length === 2)
    rows.push([
      'deltaRank',
      'numerical rank of ΔW',
      nf || d.nanOnlyA + d.nanOnlyB ? '— (NaN/Inf in A or B)' : '—',
    ]);
  const top = el('div', { class: 'layout' });
  const left = el('div', { class: 'col' });
  left.append(factsTable(rows));
  if (c.angles) {
    angles = c.angles.left.map((x) => fmt(x, 4));
    const sec = el('section', { class: 'card', id: 'angles' });
    sec.append(
      el('h3', {}, `Principal angles, top-${c.angles.k} singular subspaces of A and B (degrees)`),
      factsTable([
        ['anglesLeft', 'column spaces (U)', c.angles.left.map((x) => fmt(x, 4)).join('  ')],
        ['anglesRight', 'row spaces (V)', c.angles.right.map((x) => fmt(x, 4)).join('  ')],
      ]),
      el('div', { class: 'plot-note' }, '0° = the same direction in A and B, 90° = orthogonal.'),
    );
    left.append(sec);
  } else if (r.anglesNote)
    left.append(el('div', { class: 'plot-note', id: 'angles-note' }, r.anglesNote));
  top.append(left);
  const right = el('div', { class: 'col' });
  top.append(right);
  app.append(top);
  if (r.map) {
    heatmap = new DeltaHeatmap(right);
    heatmap.draw({ ...r.map, values: float32Values(r.map.values) }, colormapLut('rdbu'));
  }
  if (s && s.singularValues.length) {
    const cardEl = card('dsv', 'Singular values of ΔW');
    left.append(cardEl);
    chart = deltaSvChart(cardEl, s, readTheme());
  }
  app.append(el('div', { class: 'plot-note', id: 'timing' }, `computed in ${r.ms} ms`));
  report();
}

function showCheckpoints(m: Extract<CompareHostToWebview, { type: 'checkpoints' }>): void {
  clear();
  for (const k of Object.keys(fields)) delete fields[k];
  state = 'checkpoints';
  title = m.title;
  const diff: CheckpointDiff & { ms: number } = m.diff;
  app.append(header(m.a, m.b), tolerancesBar(m.tolerances, false));
  const notClose = diff.rows.filter((r) => !r.delta?.allclose).length;
  app.append(
    factsTable([
      ['shared', 'shared tensors', String(diff.rows.length)],
      ['notClose', 'not allclose (or not comparable)', String(notClose), notClose ? 'bad' : 'ok'],
      [
        'onlyA',
        `only in A`,
        diff.onlyA.length ? diff.onlyA.join(', ') : 'none',
        diff.onlyA.length ? 'bad' : undefined,
      ],
      [
        'onlyB',
        `only in B`,
        diff.onlyB.length ? diff.onlyB.join(', ') : 'none',
        diff.onlyB.length ? 'bad' : undefined,
      ],
    ]),
  );
  onlyA = diff.onlyA;
  onlyB = diff.onlyB;
  table = new CheckpointTable(diff.rows, (name) => post({ type: 'openRow', name }), report);
  app.append(
    el(
      'div',
      { class: 'plot-note' },
      'Click a column to sort; click a row to open that tensor’s comparison.',
    ),
    table.root,
    el('div', { class: 'plot-note', id: 'timing' }, `compared tensor by tensor in ${diff.ms} ms`),
  );
  report();
}

function report(): void {
  if (!TEST_HOOKS) return;
  const r: CompareRenderedReport = { state, title, fields: { ...fields } };
  if (message) r.message = message;
  if (heatmap) {
    const b = heatmap.bufferSize();
    r.heatmap = {
      rows: Number(heatmap.canvas.dataset.rows ?? 0),
      cols: Number(heatmap.canvas.dataset.cols ?? 0),
      lo: heatmap.range.lo,
      hi: heatmap.range.hi,
      canvasWidth: b.width,
      canvasHeight: b.height,
    };
  }
  if (chart) r.svPoints = chart.report.points;
  if (angles) r.angles = angles;
  if (table)
    r.table = {
      names: table.shown,
      sort: `${table.key} ${table.descending ? 'desc' : 'asc'}`,
      onlyA,
      onlyB,
    };
  post({ type: 'rendered', report: r });
}

window.addEventListener('message', (e: MessageEvent<CompareHostToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'loading':
      showMessage('loading', m.title, m.message);
      return;
    case 'error':
      showMessage('error', m.title, m.message);
      return;
    case 'arrays':
      showArrays(m);
      return;
    case 'checkpoints':
      showCheckpoints(m);
      return;
  }
});

post({ type: 'ready' });
