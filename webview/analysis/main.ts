/**
 * The results panel of "Analyze". An analysis shows uPlot
 * charts (singular values with the rank tolerance and rank, cumulative energy, the
 * Eckart–Young error, eigenvalues on the complex plane or sorted for symmetric input, an
 * optional spectral-density histogram) coloured from the theme, then the numbers in tables.
 * While a run is going it shows the worker's progress and a Cancel button.
 *
 * After every render it reads its own DOM back and reports it to the host (`rendered`), as
 * the heatmap does. The last finished state is kept with `setState` (the serializer brings
 * it back after a window reload).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import uplotCss from 'uplot/dist/uPlot.min.css';
import type {
  AnalysisHostToWebview,
  AnalysisPanelSavedState,
  AnalysisPanelUpdate,
  AnalysisWebviewToHost,
} from '../../src/protocol/analysis';
import { jacobiOnGpu } from '../../src/protocol/compute';
import type { AnalysisRenderedReport } from '../../src/protocol/testing';
import type { AnalyzeResult } from '../../src/protocol/worker';
import type { WebviewToHost } from '../../src/protocol/heatmap';
import { addStyle, el, vscode } from '../shared/vscode';
import { complexText, fmt } from './format';
import { card, type Chart } from './chart';
import { eigenPlaneChart, eigenRealChart, histogram, histogramChart } from './eigenCharts';
import { energyChart, errorChart, planSingularValues, singularValueChart } from './spectrumCharts';
import { onThemeChange, readTheme, PlotTheme } from './theme';
import panelCss from '../shared/panel.css';
import css from './styles.css';
import {
  GPU_JACOBI_TOLERANCE,
  GPU_SV_TOLERANCE,
  POWER_ITERATIONS,
  RELATIVE_FLOOR,
  loseDeviceForTest,
  runFullSpectrum,
  runSpectrum,
} from './gpuSpectrum';

// uPlot's stylesheet and ours go in under the page's CSP nonce (nothing is fetched)
addStyle(uplotCss);
addStyle(panelCss);
addStyle(css);
const app = document.getElementById('app')!;

function post(m: AnalysisWebviewToHost): void {
  // the shared helper is typed for the array editor's messages; this panel has its own
  vscode.postMessage(m as unknown as WebviewToHost);
}

const saved: AnalysisPanelSavedState =
  (vscode.getState() as AnalysisPanelSavedState | undefined) ?? {};
/** what is shown now */
let shown: { seq: number; type: AnalysisHostToWebview['type']; title: string } | undefined;
let charts: Chart[] = [];
/** rebuilds the charts of the view shown (theme change, histogram toggle) */
let rebuild: (() => void) | undefined;
let builds = 0;
/** the analysis shown now (the GPU job of the same run compares against it) */
let current: { seq: number; result: AnalyzeResult } | undefined;

/** Test and debugging hook: the uPlot instances and what was drawn. */
interface DebugHook {
  charts(): Record<string, Chart>;
  shown(): typeof shown;
  theme(): PlotTheme;
  builds(): number;
  /** test builds: loses the WebGPU device (false without one or in the shipped build) */
  loseGpu(): Promise<boolean>;
  /** the top-k singular values the compute line is about, full precision */
  topValues(): number[] | undefined;
  /** all singular values from the GPU's Jacobi, full precision (undefined when it did not run) */
  fullValues(): number[] | undefined;
}
let topValues: number[] | undefined;
let fullValues: number[] | undefined;
(window as unknown as { __matrixLens: DebugHook }).__matrixLens = {
  charts: () => Object.fromEntries(charts.map((c) => [c.id, c])),
  shown: () => shown,
  theme: readTheme,
  builds: () => builds,
  loseGpu: loseDeviceForTest,
  topValues: () => topValues,
  fullValues: () => fullValues,
};

function clearCharts(): void {
  for (const c of charts) c.destroy();
  charts = [];
}

function save(): void {
  vscode.setState(saved);
}

type Row = [key: string, label: string, value: string, note?: string];

function table(rows: Row[], caption?: string): HTMLTableElement {
  const t = el('table', { class: 'quantities' });
  if (caption) t.append(el('caption', { class: 'sub' }, caption));
  const body = el('tbody');
  for (const [key, label, value, note] of rows) {
    const tr = el('tr');
    tr.append(
      el('th', { scope: 'row' }, label),
      el('td', { class: 'num', 'data-key': key }, value),
      el('td', { class: 'rule', 'data-key': `${key}-note` }, note ?? ''),
    );
    body.append(tr);
  }
  t.append(body);
  return t;
}

function section(title: string, ...children: HTMLElement[]): HTMLElement {
  const s = el('section');
  const h = el('h2', {}, title);
  s.append(h, ...children);
  return s;
}

function copyButton(what: string, text: () => string): HTMLElement {
  const b = el('vscode-button', { secondary: '', title: `Copy ${what} to the clipboard` });
  b.append(
    el('span', { class: 'codicon codicon-copy', 'aria-hidden': 'true' }),
    document.createTextNode(' Copy all'),
  );
  b.addEventListener('click', () => post({ type: 'copy', what, text: text() }));
  return b;
}

/** A numbered list of values: all of them, or the first `head` and the last `tail`. */
function valueList(cls: string, values: string[], head: number, tail: number): HTMLTableElement {
  const t = el('table', { class: `values ${cls}` });
  const body = el('tbody');
  const add = (i: number) => {
    const tr = el('tr');
    tr.append(el('td', { class: 'idx' }, String(i + 1)), el('td', { class: 'val' }, values[i]));
    body.append(tr);
  };
  if (values.length <= head + tail) values.forEach((_, i) => add(i));
  else {
    for (let i = 0; i < head; i++) add(i);
    const gap = el('tr', { class: 'gap' });
    gap.append(el('td', { colspan: '2' }, `… ${values.length - head - tail} more …`));
    body.append(gap);
    for (let i = values.length - tail; i < values.length; i++) add(i);
  }
  t.append(body);
  return t;
}

function heading(title: string, sub?: string): HTMLElement {
  const h = el('header');
  h.append(el('h1', { id: 'title' }, title));
  if (sub) h.append(el('div', { class: 'sub' }, sub));
  return h;
}

function stat(key: string, label: string, value: string, note: string): HTMLElement {
  const c = el('div', { class: 'stat', title: note });
  c.append(
    el('div', { class: 'stat-label' }, label),
    el('div', { class: 'stat-value', 'data-key': `stat-${key}` }, value),
    el('div', { class: 'stat-note' }, note),
  );
  return c;
}

function showAnalysis(title: string, r: AnalyzeResult): void {
  const a = r.analysis;
  const [m, n] = a.shape;
  const approx = a.approximate;
  const mark = approx ? ' (estimate)' : '';
  const sv = a.singularValues;
  const cond = approx ? 'n/a' : (a.cond as number | null) === null ? '∞' : fmt(a.cond);
  const overview: Row[] = [
    [
      'shape',
      'Shape',
      `(${r.shape.join(', ')})`,
      r.sliceLabel ? `analyzed slice ${r.sliceLabel}: ${m} × ${n}` : `${m} × ${n}`,
    ],
    ['dtype', 'dtype', r.dtype],
    [
      'rank',
      'Rank (NumPy rule)',
      String(a.rank) + mark,
      `tol ${fmt(a.rankTolerance)} — ${a.rankRule}`,
    ],
    [
      'dtype-rank',
      'Rank (dtype-aware)',
      String(a.dtypeRank) + mark,
      `tol ${fmt(a.dtypeRankTolerance)} — ${a.dtypeRankRule}`,
    ],
    [
      'cond',
      'Condition number',
      cond,
      approx
        ? 'needs every singular value; not available from the randomized SVD'
        : 'σ_max / σ_min (2-norm); ∞ for a rank-deficient matrix',
    ],
    ['norm-fro', 'Frobenius norm', fmt(a.norms.fro), '‖A‖_F'],
    [
      'norm-nuc',
      'Nuclear norm',
      fmt(a.norms.nuc) + mark,
      approx
        ? `sum of the top ${approx.k} singular values (a lower bound)`
        : 'sum of the singular values',
    ],
    ['norm-spectral', 'Spectral norm', fmt(a.norms.spectral), '‖A‖₂ = σ_max'],
    ['norm-one', '1-norm', fmt(a.norms.one), 'largest column sum of |a_ij|'],
    ['norm-inf', '∞-norm', fmt(a.norms.inf), 'largest row sum of |a_ij|'],
    [
      'effective-rank',
      'Effective rank',
      fmt(a.effectiveRank) + mark,
      'exp of the entropy of σ / Σσ (Roy & Vetterli)',
    ],
    ['stable-rank', 'Stable rank', fmt(a.stableRank), '‖A‖_F² / ‖A‖₂²'],
    ['sv-max', 'Largest singular value', sv.length ? fmt(sv[0]) : '—'],
    [
      'sv-min',
      approx ? `Smallest of the top ${approx.k}` : 'Smallest singular value',
      sv.length ? fmt(sv[sv.length - 1]) : '—',
    ],
  ];
  if (a.eigenvalues)
    overview.push([
      'spectral-radius',
      'Spectral radius',
      fmt(a.spectralRadius ?? 0),
      `max |λ|${a.symmetric ? '; symmetric: eigenvalues are real' : ''}`,
    ]);
  overview.push(['time', 'Computed in', `${r.ms} ms`]);

  const parts: HTMLElement[] = [
    heading(
      title,
      `${r.dtype} (${r.shape.join(', ')})${r.name ? ` — ${r.name}` : ''}${r.sliceLabel ? `, slice ${r.sliceLabel}` : ''}`,
    ),
  ];
  if (approx) {
    parts.push(
      el(
        'div',
        { class: 'approx', 'data-key': 'approximate', role: 'note' },
        `Approximate: ${approx.method}, top ${approx.k} singular values. Rank, nuclear norm and effective rank are estimates over these; the condition number is not available.`,
      ),
    );
  }

  // the quantities the charts are about, at a glance
  const stats = el('div', { class: 'stats' });
  stats.append(
    stat('rank', 'Numerical rank', String(a.rank) + mark, `σ above tol ${fmt(a.rankTolerance, 3)}`),
    stat(
      'effective-rank',
      'Effective rank',
      fmt(a.effectiveRank, 4) + mark,
      'exp(entropy of σ/Σσ)',
    ),
    stat('stable-rank', 'Stable rank', fmt(a.stableRank, 4), '‖A‖_F² / ‖A‖₂²'),
    stat('cond', 'Condition number', cond, 'σ_max / σ_min'),
  );
  const mp = a.marchenkoPastur;
  if (mp)
    stats.append(
      stat(
        'signal-rank',
        'Signal rank',
        String(mp.signalRank),
        `noise σ ≈ ${fmt(mp.noiseSigma, 3)}; σ above the Gavish–Donoho threshold ${fmt(mp.threshold, 3)}`,
      ),
    );
  if (a.powerLaw)
    stats.append(
      stat(
        'alpha',
        'Power-law α',
        fmt(a.powerLaw.alpha, 3),
        `tail of the eigenvalues of AᵀA (${a.powerLaw.tail} ≥ x_min); MLE, x_min by KS`,
      ),
    );
  parts.push(stats);
  // a result saved by an older version has no thread count
  const nThreads = (r.threads as number | undefined) ?? 1;
  const threads = `${nThreads} thread${nThreads === 1 ? '' : 's'}`;
  const compute = el('div', { class: 'compute', id: 'compute', role: 'note' });
  compute.append(
    el(
      'div',
      { 'data-key': 'compute-cpu' },
      `Rank, condition number, norms and ${approx ? `the top ${approx.k}` : 'all'} singular values: computed on CPU (${threads}, float64) in ${r.ms} ms`,
    ),
  );
  parts.push(compute);

  // toolbar: the optional histogram
  const hasEig = !!a.eigenvalues?.length;
  const histOf = a.symmetric && hasEig ? 'eigenvalues' : 'singular values';
  const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Chart options' });
  const histToggle = el('vscode-checkbox', { id: 'toggle-histogram' });
  histToggle.textContent = `Spectral density (histogram of the ${histOf})`;
  histToggle.checked = !!saved.histogram;
  toolbar.append(histToggle);
  parts.push(toolbar);

  const plan = planSingularValues(a);
  const grid = el('div', { class: 'plots', id: 'plots' });
  const svCard = card(
    'sv',
    `Singular values σ_k (log scale)${approx ? ' — approximate' : ''}`,
    plan?.note,
  );
  if (!plan)
    svCard.append(
      el(
        'div',
        { class: 'plot-note', 'data-key': 'note-sv' },
        'All singular values are 0: nothing to draw on a log axis.',
      ),
    );
  const energyCard = card('energy', 'Cumulative energy Σᵢ≤k σᵢ² / ‖A‖_F²');
  const errorCard = card('error', 'Eckart–Young error ‖A − A_k‖_F (right: relative)');
  grid.append(svCard, energyCard, errorCard);
  let eigCard: HTMLElement | undefined;
  if (hasEig) {
    eigCard = a.symmetric
      ? card('eig-real', 'Eigenvalues (symmetric, real), sorted')
      : card('eig', 'Eigenvalues on the complex plane');
    grid.append(eigCard);
  } else if (m === n) {
    const c = el('section', { class: 'card' });
    c.append(
      el('h3', {}, 'Eigenvalues'),
      el(
        'div',
        { class: 'sub', 'data-key': 'eigen-skipped' },
        `not computed for a ${m} × ${n} matrix (over the size limit)`,
      ),
    );
    grid.append(c);
  }
  const histCard = card('hist', `Spectral density (histogram of the ${histOf})`);
  grid.append(histCard);
  parts.push(grid);

  // the numbers
  const svText = sv.map((x) => fmt(x));
  const svHead = el(
    'div',
    { class: 'sub' },
    `${sv.length} ${approx ? `largest (of ${Math.min(m, n)})` : ''} singular values, descending`,
  );
  const svSection = section('Singular values', svHead, valueList('sv-list', svText, 10, 5));
  svSection
    .querySelector('h2')!
    .append(copyButton('singular values', () => sv.map(String).join('\n')));

  const ks = [...new Set([1, 2, 5, 10, 20, 50, a.rank])]
    .filter((k) => k >= 1 && k < a.lowRankError.length && k < Math.min(m, n))
    .sort((x, y) => x - y);
  const ey = el('table', { class: 'values ey' });
  const eh = el('thead');
  const ehr = el('tr');
  ehr.append(el('th', {}, 'k'), el('th', {}, '‖A − A_k‖_F'), el('th', {}, 'relative'));
  eh.append(ehr);
  const eb = el('tbody');
  const fro = a.lowRankError[0] ?? 0;
  for (const k of ks) {
    const tr = el('tr');
    const err = a.lowRankError[k];
    tr.append(
      el('td', { class: 'idx' }, String(k)),
      el('td', { 'data-key': `ey-${k}` }, fmt(err)),
      el('td', {}, fro > 0 ? fmt(err / fro, 4) : '0'),
    );
    eb.append(tr);
  }
  ey.append(eh, eb);
  const eySection = section(
    'Best rank-k approximation (Eckart–Young)',
    el('div', { class: 'sub' }, 'Frobenius error of the truncated SVD A_k'),
    ks.length ? ey : el('div', { class: 'sub' }, 'nothing to truncate'),
  );

  const columns = el('div', { class: 'columns' });
  columns.append(svSection, eySection);
  if (a.eigenvalues) {
    const ev = a.eigenvalues;
    const evText = ev.map(([re, im]) => complexText(re, im));
    const evSection = section(
      'Eigenvalues',
      el(
        'div',
        { class: 'sub' },
        `${ev.length} eigenvalues by descending |λ|${a.symmetric ? ' (symmetric)' : ''}; first 10`,
      ),
      valueList('ev-list', evText, 10, 0),
    );
    evSection
      .querySelector('h2')!
      .append(
        copyButton('eigenvalues', () =>
          ev
            .map(([re, im]) =>
              im === 0 ? String(re) : `${re}${im < 0 ? '-' : '+'}${Math.abs(im)}j`,
            )
            .join('\n'),
        ),
      );
    columns.append(evSection);
  }
  parts.push(section('Summary', table(overview)), columns);
  app.replaceChildren(...parts);

  const build = () => {
    clearCharts();
    builds++;
    const theme = readTheme();
    const made: (Chart | undefined)[] = [];
    if (plan) made.push(singularValueChart(svCard, a, plan, theme));
    made.push(energyChart(energyCard, a, theme), errorChart(errorCard, a, theme));
    if (eigCard)
      made.push(
        a.symmetric ? eigenRealChart(eigCard, a, theme) : eigenPlaneChart(eigCard, a, theme),
      );
    histCard.hidden = !saved.histogram;
    if (saved.histogram) {
      const h = histogram(
        histOf === 'eigenvalues' ? a.eigenvalues!.map(([re]) => re) : a.singularValues,
        histOf,
      );
      if (h) made.push(histogramChart(histCard, h, theme));
    }
    charts = made.filter((c): c is Chart => !!c);
  };
  build();
  rebuild = build;
  histToggle.addEventListener('change', () => {
    saved.histogram = histToggle.checked;
    save();
    build();
    if (shown) report(shown.seq, shown.type, shown.title);
  });
}

function showRunning(seq: number, title: string, detail: string): void {
  const s = el('div', { class: 'status', role: 'status', 'data-key': 'status' });
  s.append(
    el('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }),
    el('span', {}, `${detail}…`),
  );
  const bar = el('vscode-progress-bar', { id: 'progress', 'aria-label': 'Progress' });
  const pct = el('span', { id: 'progress-text', class: 'sub', 'data-key': 'progress' }, 'starting');
  const cancel = el('vscode-button', {
    id: 'cancel',
    secondary: '',
    title: 'Cancel this computation',
  });
  cancel.append(
    el('span', { class: 'codicon codicon-stop-circle', 'aria-hidden': 'true' }),
    document.createTextNode(' Cancel'),
  );
  cancel.addEventListener('click', () => {
    if (cancel.hasAttribute('disabled')) return;
    cancel.setAttribute('disabled', '');
    pct.textContent = 'cancelling…';
    post({ type: 'cancel', seq });
  });
  const row = el('div', { class: 'progress-row' });
  row.append(pct, cancel);
  const box = el('div', { class: 'running' });
  box.append(s, bar, row);
  app.replaceChildren(heading(title), box);
}

function onProgress(m: Extract<AnalysisPanelUpdate, { type: 'progress' }>): void {
  if (!shown || shown.seq !== m.seq || shown.type !== 'running') return;
  const bar = document.getElementById('progress') as (HTMLElement & { value?: number }) | null;
  const text = document.getElementById('progress-text');
  const pct = Math.round(Math.min(1, Math.max(0, m.fraction)) * 100);
  if (bar) bar.value = pct;
  if (text && text.textContent !== 'cancelling…') text.textContent = `${pct}%`;
}

function showStatus(title: string, text: string, icon: string): void {
  const s = el('div', { class: 'status', role: 'status', 'data-key': 'status' });
  s.append(el('span', { class: `codicon ${icon}`, 'aria-hidden': 'true' }), el('span', {}, text));
  app.replaceChildren(heading(title), s);
}

function showError(title: string, message: string): void {
  const box = el('div', { class: 'error', role: 'alert' });
  box.append(
    el('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }),
    el('span', { id: 'error-text', 'data-key': 'error' }, message),
  );
  app.replaceChildren(heading(title), box);
}

function report(
  seq: number,
  state: AnalysisRenderedReport['state'],
  title: string,
  message?: string,
): void {
  const fields: Record<string, string> = {};
  for (const e of Array.from(app.querySelectorAll<HTMLElement>('[data-key]')))
    fields[e.dataset.key!] = e.textContent ?? '';
  const texts = (sel: string) => {
    const list = Array.from(app.querySelectorAll(sel)).map((e) => e.textContent ?? '');
    return list.length ? list : undefined;
  };
  const r: AnalysisRenderedReport = { seq, state, title, fields };
  const sv = texts('.sv-list td.val');
  if (sv) r.singularValues = sv;
  const ev = texts('.ev-list td.val');
  if (ev) r.eigenvalues = ev;
  if (message !== undefined) r.message = message;
  if (charts.length) r.plots = Object.fromEntries(charts.map((c) => [c.id, c.report]));
  post({ type: 'rendered', report: r });
}

/** Which analysis saved compute lines belong to (a restored `last` has another seq). */
function analysisKey(title: string, r: AnalyzeResult): string {
  return `${title}\u0000${r.ms}\u0000${r.analysis.shape.join('×')}\u0000${r.analysis.singularValues[0] ?? ''}`;
}

/** The GPU job's lines under the CPU's (replacing any shown before for this analysis). */
function appendComputeLines(
  box: HTMLElement,
  lines: { key: string; text: string; warn?: boolean }[],
): void {
  for (const e of Array.from(
    box.querySelectorAll(
      '[data-key$="-top"], [data-key="compute-gpu-accuracy"], [data-key="compute-note"]',
    ),
  ))
    e.remove();
  for (const l of lines)
    box.append(
      el(
        'div',
        {
          'data-key': l.key,
          ...(l.key === 'compute-gpu-accuracy' ? { class: l.warn ? 'warn' : 'sub' } : {}),
          ...(l.key === 'compute-note' ? { class: 'warn', role: 'alert' } : {}),
        },
        l.text,
      ),
    );
}

/** The top-k singular values through the compute router, then one more report. */
async function onGpuSpectrum(m: Extract<AnalysisPanelUpdate, { type: 'gpuSpectrum' }>) {
  const cur = current;
  if (!cur || cur.seq !== m.seq || shown?.seq !== m.seq) return;
  const title = shown.title;
  const box = document.getElementById('compute');
  if (!box) return;
  const r = cur.result;
  const k = Math.min(m.k, r.analysis.singularValues.length);
  const pending = el('div', { class: 'sub' }, `top ${k} singular values on the GPU…`);
  box.append(pending);
  const o = await runSpectrum(m, r.analysis.singularValues, r.threads, r.ms);
  pending.remove();
  if (current !== cur || !box.isConnected) return;
  topValues = o.values;
  const lines: { key: string; text: string; warn?: boolean }[] = [
    { key: `compute-${o.where}-top`, text: `Top ${k} singular values: ${o.label}` },
  ];
  if (o.where === 'gpu') {
    const within = (o.measured ?? Infinity) <= GPU_SV_TOLERANCE;
    lines.push({
      key: 'compute-gpu-accuracy',
      text: `float32, randomized subspace iteration (q = ${POWER_ITERATIONS}), σ finished in float64 on the CPU; stated accuracy |Δσ| ≤ ${GPU_SV_TOLERANCE.toExponential(0)}·σ₁ where the spectrum has a gap after σ_${k}. Measured against the CPU's float64 values: max |Δσ|/σ₁ = ${(o.measured ?? NaN).toExponential(1)}${within ? '' : ' — above the stated bound: the CPU values above stand'}. Rank and condition number are the CPU's.`,
      ...(within ? {} : { warn: true }),
    });
  }
  if (o.note) lines.push({ key: 'compute-note', text: o.note, warn: true });
  appendComputeLines(box, lines);
  // a reload shows the analysis saved with these lines (the GPU job is not run again)
  saved.gpuLines = { of: analysisKey(title, r), lines };
  save();
  report(cur.seq, 'analysis', title);
  if (o.where === 'gpu' && jacobiOnGpu(m.rows, m.cols)) await onGpuFullSpectrum(m, cur, box, title);
}

/** All singular values by one-sided Jacobi on the GPU, after the top k, with their accuracy. */
async function onGpuFullSpectrum(
  m: Extract<AnalysisPanelUpdate, { type: 'gpuSpectrum' }>,
  cur: NonNullable<typeof current>,
  box: HTMLElement,
  title: string,
) {
  const all = cur.result.analysis.singularValues;
  const pending = el('div', { class: 'sub' }, `all ${all.length} singular values on the GPU…`);
  box.append(pending);
  const o = await runFullSpectrum(m, all);
  pending.remove();
  if (current !== cur || !box.isConnected) return;
  if (o.where === 'gpu') {
    fullValues = o.values;
    box.append(
      el(
        'div',
        { 'data-key': 'compute-gpu-full' },
        `All ${o.values.length} singular values: ${o.label}`,
      ),
    );
    const within = (o.measured ?? Infinity) <= GPU_JACOBI_TOLERANCE && o.converged;
    box.append(
      el(
        'div',
        { 'data-key': 'compute-gpu-full-accuracy', class: within ? 'sub' : 'warn' },
        `float32 one-sided Jacobi (Hestenes, Brent–Luk round-robin, ${o.sweeps} sweep${o.sweeps === 1 ? '' : 's'}${o.converged ? '' : ', not converged'}), column norms finished in float64 on the CPU; stated accuracy |Δσ| ≤ ${GPU_JACOBI_TOLERANCE.toExponential(0)}·σ₁. Measured against the CPU's float64 values: max |Δσ|/σ₁ = ${(o.measured ?? NaN).toExponential(1)}, max |Δσᵢ|/σᵢ = ${(o.measuredRelative ?? NaN).toExponential(1)} over σᵢ ≥ ${RELATIVE_FLOOR.toExponential(0)}·σ₁${within ? '' : ' — above the stated bound: the CPU values above stand'}. Rank and condition number are the CPU's.`,
      ),
    );
  }
  if (o.note)
    box.append(el('div', { 'data-key': 'compute-note', class: 'warn', role: 'alert' }, o.note));
  report(cur.seq, 'analysis', title);
}

function render(m: AnalysisHostToWebview): void {
  current = m.type === 'analysis' ? { seq: m.seq, result: m.result } : undefined;
  topValues = undefined;
  fullValues = undefined;
  clearCharts();
  rebuild = undefined;
  shown = { seq: m.seq, type: m.type, title: m.title };
  switch (m.type) {
    case 'running':
      showRunning(m.seq, m.title, m.detail);
      report(m.seq, m.type, m.title);
      break;
    case 'cancelled':
      showStatus(m.title, 'Cancelled.', 'codicon-circle-slash');
      report(m.seq, m.type, m.title, 'cancelled');
      break;
    case 'error':
      showError(m.title, m.message);
      report(m.seq, m.type, m.title, m.message);
      break;
    case 'analysis': {
      showAnalysis(m.title, m.result);
      // restored after a reload: the compute lines the GPU job added then
      const g = saved.gpuLines;
      const box = document.getElementById('compute');
      if (g && box && g.of === analysisKey(m.title, m.result)) appendComputeLines(box, g.lines);
      report(m.seq, m.type, m.title);
      break;
    }
  }
}

window.addEventListener(
  'message',
  (e: MessageEvent<AnalysisHostToWebview | AnalysisPanelUpdate>) => {
    const m = e.data;
    if (m.type === 'progress') return onProgress(m);
    if (m.type === 'gpuSpectrum') return void onGpuSpectrum(m);
    if (m.type === 'settings') {
      saved.histogram = m.histogram;
      return save();
    }
    try {
      render(m);
      if (m.type !== 'running') {
        if (m.type !== 'analysis' || saved.gpuLines?.of !== analysisKey(m.title, m.result))
          delete saved.gpuLines;
        saved.last = m;
        save();
      }
    } catch (err) {
      // a bug here must not leave the host waiting: show and report it as one line
      const message = `could not show the results: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      showError(m.title, message);
      report(m.seq, 'error', m.title, message);
    }
  },
);

// a theme switch recolours the charts (their colours are read from the theme's variables)
onThemeChange(() => {
  if (!rebuild) return;
  rebuild();
  if (shown) report(shown.seq, shown.type, shown.title);
});

showStatus('Matrix Lens', 'Waiting for results…', 'codicon-loading codicon-modifier-spin');
post({ type: 'ready' });
