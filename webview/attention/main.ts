/**
 * The attention view: small multiples of every head of a (layer, batch), a focus view of one
 * head with token labels, hover tooltip and zoom, and the diagnostics in words. The weights
 * stay in the worker: tiles come max-pooled to 96 × 96 cells, the focus head pooled to at most
 * `maxCells` (full resolution once a zoom window fits). Drawn with canvas 2D through the
 * colormap LUT. After every draw the page reads its own DOM back and reports it to the host.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  COLORMAPS,
  ColormapName,
  SPECIAL_COLORS,
  colormapLut,
  lutIndex,
} from '../../src/core/color/colormaps';
import type { AttentionDiagnostics } from '../../src/core/attention/diagnostics';
import { describeCausal, describeRowSums, fmtSmall } from '../../src/core/attention/diagnostics';
import { AttentionLayout, attentionLayout, headIndex } from '../../src/core/attention/weights';
import type {
  AttentionDriveAction,
  AttentionHostToWebview,
  AttentionViewState,
  AttentionWebviewToHost,
} from '../../src/protocol/attention';
import type {
  AttentionFocusData,
  AttentionTilesData,
  AttentionViewInfo,
} from '../../src/protocol/worker';
import type { AttentionRenderedReport } from '../../src/protocol/testing';
import type { WebviewToHost } from '../../src/protocol/heatmap';
import { addStyle, el, vscode } from '../shared/vscode';
import css from './styles.css';

addStyle(css);
const app = document.getElementById('app')!;

type Win = { row0: number; row1: number; col0: number; col1: number };

const TILE = 96;
/** largest side of the focus head on screen (CSS px) */
const FOCUS_PX = 640;
/** width of the row labels column */
const YLABELS_PX = 92;

/** The focus head's side: fits the section's width and the window's height. */
function focusPx(): number {
  const section = document.getElementById('focus-section');
  const canvas = document.getElementById('focus');
  const width = (section?.clientWidth ?? FOCUS_PX) - YLABELS_PX - 8;
  const top = canvas ? canvas.getBoundingClientRect().top + window.scrollY : 300;
  const height = window.innerHeight - top - 48;
  return Math.max(160, Math.min(FOCUS_PX, width, height));
}

function post(m: AttentionWebviewToHost): void {
  vscode.postMessage(m as unknown as WebviewToHost);
}

let info: AttentionViewInfo | undefined;
let layout: AttentionLayout | undefined;
let state: AttentionViewState | undefined;
let title = '';
let phase: AttentionRenderedReport['state'] = 'loading';
let message = '';
let lut = colormapLut('viridis');
let focus: AttentionFocusData | undefined;
let zoom: Win | undefined;
let tilesSeq = 0;
let focusSeq = 0;
let tokens: { list: string[]; from: string } | undefined;

// ---------- formatting ----------

/** 6 significant digits (the table); the tooltip uses the same. */
function fmt6(x: number | null): string {
  if (x === null || Number.isNaN(x)) return 'NaN';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e9) return x.toExponential(5).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(6)));
}

function headName(l: AttentionLayout, g: number): string {
  const h = g % l.heads;
  const b = Math.floor(g / l.heads) % l.batches;
  const L = Math.floor(g / (l.heads * l.batches));
  const nd = l.shape.length;
  return [nd >= 5 ? `L${L}` : '', nd >= 4 ? `B${b}` : '', `H${h}`].filter(Boolean).join('·');
}

/** A tile's label: layer and head (the batch is in the picker). */
function tileName(l: AttentionLayout, layer: number, head: number): string {
  return l.shape.length >= 5 ? `L${layer}·H${head}` : `H${head}`;
}

function token(i: number): string | undefined {
  return tokens && i < tokens.list.length ? tokens.list[i] : undefined;
}

function tokenText(i: number): string {
  const t = token(i);
  return t === undefined ? String(i) : t;
}

/** Labels typed or pasted: comma separated when there is a comma, else whitespace separated. */
function parseTokens(text: string): string[] {
  const t = text.trim();
  if (t === '') return [];
  if (t.includes(',')) return t.split(',').map((s) => s.trim());
  return t.split(/\s+/);
}

// ---------- page ----------

/** A vscode-button with a codicon (in the light DOM, styled by the page's codicon CSS). */
function button(
  id: string,
  icon: string,
  text: string,
  attrs: Record<string, string> = {},
): HTMLElement {
  const b = el('vscode-button', { id, ...attrs });
  b.append(el('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }));
  if (text) b.append(document.createTextNode(` ${text}`));
  return b;
}

function clear(): void {
  app.replaceChildren();
  tileEls = [];
}

function header(sub?: string): HTMLElement {
  const h = el('header');
  h.append(el('h1', { id: 'title' }, title));
  if (sub) h.append(el('div', { class: 'sub', id: 'source' }, sub));
  return h;
}

function showMessage(kind: 'loading' | 'gone' | 'error', text: string, recompute = false): void {
  clear();
  phase = kind;
  message = text;
  app.append(header());
  const box = el('div', {
    class: 'message',
    id: 'message',
    role: kind === 'error' ? 'alert' : 'status',
  });
  const icon =
    kind === 'loading'
      ? 'codicon-loading codicon-modifier-spin'
      : kind === 'gone'
        ? 'codicon-info'
        : 'codicon-error';
  box.append(el('span', { class: `codicon ${icon}`, 'aria-hidden': 'true' }), el('span', {}, text));
  if (recompute) {
    const b = button('recompute', 'refresh', 'Recompute');
    b.addEventListener('click', () => {
      post({ type: 'recompute' });
    });
    box.append(b);
  }
  app.append(box);
  report();
}

let tileEls: HTMLButtonElement[] = [];
let els: {
  tiles: HTMLElement;
  focus: HTMLCanvasElement;
  xlabels: HTMLElement;
  ylabels: HTMLElement;
  focusTitle: HTMLElement;
  focusNote: HTMLElement;
  colorbar: HTMLCanvasElement;
  cbMin: HTMLElement;
  cbMax: HTMLElement;
  table: HTMLTableSectionElement;
  tokensNote: HTMLElement;
  tokensInput: HTMLInputElement;
  tooltip: HTMLElement;
  layerSel?: HTMLSelectElement;
  batchSel?: HTMLSelectElement;
};

function picker(
  id: string,
  label: string,
  n: number,
  value: number,
  onChange: (v: number) => void,
) {
  const wrap = el('label', { for: id });
  wrap.append(document.createTextNode(label));
  const sel = el('vscode-single-select', {
    id,
    'aria-label': label,
  }) as unknown as HTMLSelectElement;
  for (let i = 0; i < n; i++) {
    const o = el('vscode-option', { value: String(i) }, String(i));
    if (i === value) o.setAttribute('selected', '');
    sel.append(o);
  }
  sel.addEventListener('change', () => onChange(Number(sel.value)));
  wrap.append(sel);
  return { wrap, sel };
}

function buildPage(sourceLabel: string): void {
  clear();
  phase = 'open';
  const l = layout!;
  const d = info!.diagnostics;
  app.append(header(sourceLabel));
  const shapeLine = el(
    'div',
    { class: 'sub', id: 'shape' },
    `${info!.dtype}[${l.shape.join(', ')}] · ${l.layers > 1 || l.shape.length >= 5 ? `${l.layers} layer${l.layers === 1 ? '' : 's'} · ` : ''}${l.batches > 1 || l.shape.length >= 4 ? `${l.batches} batch${l.batches === 1 ? '' : 'es'} · ` : ''}${l.heads} head${l.heads === 1 ? '' : 's'} · ${l.queries} queries × ${l.keys} keys · computed in ${info!.ms} ms`,
  );
  app.append(shapeLine);

  // the checks, in words
  const checks = el('section', { id: 'checks', 'aria-label': 'Checks' });
  const name = (g: number) => headName(l, g);
  const rsOk = d.rowSums.failingRows === 0 && d.rowSums.worst !== null;
  const line = (id: string, ok: boolean, text: string) => {
    const p = el('p', { id });
    p.append(
      el('span', {
        class: `codicon ${ok ? 'codicon-pass ok' : 'codicon-warning bad'}`,
        'aria-hidden': 'true',
      }),
      el('span', { class: 'text' }, text),
    );
    return p;
  };
  checks.append(line('rowsum', rsOk, describeRowSums(d, name)));
  const causalText = describeCausal(d, name);
  const masked = info!.computed?.causal;
  checks.append(
    line(
      'causal',
      d.causal.holds || masked === false,
      causalText + (masked === false ? ' (no mask was asked for)' : ''),
    ),
  );
  const ent = d.heads.map((h) => h.entropy);
  const lo = Math.min(...ent);
  const hi = Math.max(...ent);
  checks.append(
    line(
      'entropy',
      true,
      `Mean entropy per head from ${fmtSmall(lo)} to ${fmtSmall(hi)} nats (uniform attention over ${l.keys} keys: ln ${l.keys} = ${fmtSmall(d.maxEntropy)}; 0 = each query attends to one key).`,
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
  app.append(checks);

  // controls
  const controls = el('div', { class: 'controls', role: 'toolbar', 'aria-label': 'View' });
  let layerSel: HTMLSelectElement | undefined;
  let batchSel: HTMLSelectElement | undefined;
  if (l.layers > 1) {
    const p = picker('layer', 'Layer', l.layers, state!.layer, (v) =>
      setLayerBatch(v, state!.batch),
    );
    controls.append(p.wrap);
    layerSel = p.sel;
  }
  if (l.batches > 1) {
    const p = picker('batch', 'Batch', l.batches, state!.batch, (v) =>
      setLayerBatch(state!.layer, v),
    );
    controls.append(p.wrap);
    batchSel = p.sel;
  }
  const tokWrap = el('label', { for: 'tokens-input' });
  tokWrap.append(document.createTextNode('Tokens'));
  const tokensInput = el('vscode-textfield', {
    id: 'tokens-input',
    placeholder: 'labels, comma or whitespace separated (empty: indices)',
    'aria-label': 'Token labels, comma or whitespace separated',
  }) as unknown as HTMLInputElement;
  tokensInput.addEventListener('change', () => applyTokens(tokensInput.value, 'typed list'));
  tokWrap.append(tokensInput);
  const load = el(
    'vscode-button',
    { id: 'tokens-file', secondary: '', icon: 'folder-opened' },
    'From file…',
  );
  load.addEventListener('click', () => post({ type: 'pickTokensFile' }));
  const reset = el(
    'vscode-button',
    { id: 'tokens-reset', secondary: '', icon: 'list-ordered' },
    'Indices',
  );
  reset.addEventListener('click', () => {
    tokensInput.value = '';
    setTokens(undefined);
  });
  const tokensNote = el('span', { id: 'tokens-note', 'aria-live': 'polite' });
  controls.append(tokWrap, load, reset, tokensNote);
  app.append(controls);

  const main = el('div', { class: 'layout' });
  // heads
  const heads = el('section', { id: 'heads-section', 'aria-label': 'Heads' });
  heads.append(el('h2', {}, 'Heads'));
  const tilesEl = el('div', {
    id: 'tiles',
    role: 'group',
    'aria-label': 'Heads: arrow keys move, Enter shows one in focus',
  });
  heads.append(
    tilesEl,
    el(
      'div',
      { class: 'sub', id: 'tiles-note' },
      `each tile 0 → its own max; max-pooled to ≤ ${TILE}×${TILE}`,
    ),
  );
  const table = el('table', { class: 'heads', id: 'heads-table' });
  const thead = el('thead');
  const hr = el('tr');
  for (const t of ['Head', 'Entropy (nats)', '÷ ln S', 'max |Σ−1|', 'max above diag.'])
    hr.append(el('th', { scope: 'col' }, t));
  thead.append(hr);
  const tbody = el('tbody');
  table.append(thead, tbody);
  heads.append(table);
  main.append(heads);

  // focus
  const fs = el('section', { id: 'focus-section', 'aria-label': 'Focus head' });
  const bar = el('div', { class: 'focus-bar' });
  const focusTitle = el('h2', { id: 'focus-title' });
  const zoomIn = button('zoom-in', 'zoom-in', '', {
    secondary: '',
    title: 'Zoom in (+)',
    'aria-label': 'Zoom in',
  });
  const zoomOut = button('zoom-out', 'zoom-out', '', {
    secondary: '',
    title: 'Zoom out (−)',
    'aria-label': 'Zoom out',
  });
  const zoomReset = button('zoom-reset', 'screen-full', '', {
    secondary: '',
    title: 'Whole head (0)',
    'aria-label': 'Reset zoom',
  });
  zoomIn.addEventListener('click', () => zoomBy(2, 0.5, 0.5));
  zoomOut.addEventListener('click', () => zoomBy(0.5, 0.5, 0.5));
  zoomReset.addEventListener('click', () => setZoom(undefined));
  const focusNote = el('span', { id: 'focus-note' });
  bar.append(focusTitle, zoomIn, zoomOut, zoomReset, focusNote);
  const grid = el('div', { class: 'focus-grid' });
  const xlabels = el('div', { id: 'xlabels', 'aria-hidden': 'true' });
  const ylabels = el('div', { id: 'ylabels', 'aria-hidden': 'true' });
  const canvas = el('canvas', {
    id: 'focus',
    tabindex: '0',
    role: 'img',
    'aria-label': 'Focus head: + and − zoom, arrow keys pan, 0 resets, Page Up/Down change head',
  });
  grid.append(el('div'), xlabels, ylabels, canvas);
  const cbRow = el('div', { id: 'colorbar-row' });
  const cbMin = el('span', { id: 'cb-min' });
  const colorbar = el('canvas', { id: 'colorbar', width: '256', height: '1' });
  const cbMax = el('span', { id: 'cb-max' });
  cbRow.append(cbMin, colorbar, cbMax);
  fs.append(bar, grid, cbRow);
  main.append(fs);
  app.append(main);
  const tooltip = el('div', { id: 'tooltip', role: 'tooltip' });
  tooltip.hidden = true;
  app.append(tooltip);

  els = {
    tiles: tilesEl,
    focus: canvas,
    xlabels,
    ylabels,
    focusTitle,
    focusNote,
    colorbar,
    cbMin,
    cbMax,
    table: tbody,
    tokensNote,
    tokensInput,
    tooltip,
    layerSel,
    batchSel,
  };
  wireFocus(canvas);
  tilesEl.addEventListener('keydown', onTilesKey);
  fillTable();
  if (tokens) els.tokensInput.value = tokens.from === 'typed list' ? tokens.list.join(', ') : '';
  tokensNoteText();
}

function fillTable(): void {
  const l = layout!;
  const d = info!.diagnostics;
  els.table.replaceChildren();
  for (let h = 0; h < l.heads; h++) {
    const g = headIndex(l, state!.layer, state!.batch, h);
    const hd = d.heads[g];
    const tr = el('tr', { 'data-head': String(h) });
    tr.append(
      el('th', { scope: 'row' }, headName(l, g)),
      el('td', { class: 'entropy' }, fmt6(hd.entropy)),
      el('td', {}, d.maxEntropy > 0 ? fmtSmall(hd.entropy / d.maxEntropy) : '—'),
      el('td', { class: hd.failingRows ? 'bad' : '' }, fmtSmall(hd.rowSumMaxDeviation)),
      el('td', {}, fmtSmall(hd.causalMaxAbove)),
    );
    els.table.append(tr);
  }
}

// ---------- tiles ----------

function requestTiles(): void {
  post({
    type: 'requestTiles',
    seq: ++tilesSeq,
    layer: state!.layer,
    batch: state!.batch,
    size: TILE,
  });
}

function paint(
  canvas: HTMLCanvasElement,
  rows: number,
  cols: number,
  values: Float32Array,
  offset: number,
  lo: number,
  hi: number,
): void {
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(cols, rows);
  const px = img.data;
  const n = rows * cols;
  for (let c = 0; c < n; c++) {
    const v = values[offset + c];
    let r: number, g: number, b: number;
    if (v - v === 0) {
      const i = lutIndex(v, lo, hi) * 3;
      r = lut[i];
      g = lut[i + 1];
      b = lut[i + 2];
    } else
      [r, g, b] =
        v !== v ? SPECIAL_COLORS.nan : v > 0 ? SPECIAL_COLORS.posinf : SPECIAL_COLORS.neginf;
    px[c * 4] = r;
    px[c * 4 + 1] = g;
    px[c * 4 + 2] = b;
    px[c * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function drawTiles(t: AttentionTilesData): void {
  const l = layout!;
  const d = info!.diagnostics;
  els.tiles.replaceChildren();
  tileEls = [];
  for (let h = 0; h < t.heads; h++) {
    const g = headIndex(l, t.layer, t.batch, h);
    const name = tileName(l, t.layer, h);
    const b = el('button', {
      type: 'button',
      class: 'tile',
      'data-head': String(h),
      'aria-pressed': String(h === state!.head),
      tabindex: h === state!.head ? '0' : '-1',
      title: `${headName(l, g)}: mean entropy ${fmt6(d.heads[g].entropy)} nats — show in focus`,
    });
    const c = el('canvas');
    const max = t.max[h];
    paint(c, t.rows, t.cols, t.values, h * t.rows * t.cols, 0, max ?? 1);
    b.append(
      c,
      el('span', { class: 'name' }, name),
      el('span', { class: 'ent' }, `H̄ ${fmtSmall(d.heads[g].entropy)}`),
    );
    b.addEventListener('click', () => setHead(h));
    els.tiles.append(b);
    tileEls.push(b);
  }
  report();
}

function onTilesKey(e: KeyboardEvent): void {
  const i = tileEls.findIndex((t) => t === document.activeElement);
  if (i < 0) return;
  const perRow = Math.max(1, Math.round(els.tiles.clientWidth / (tileEls[0].offsetWidth + 8)));
  const next =
    e.key === 'ArrowRight'
      ? i + 1
      : e.key === 'ArrowLeft'
        ? i - 1
        : e.key === 'ArrowDown'
          ? i + perRow
          : e.key === 'ArrowUp'
            ? i - perRow
            : e.key === 'Home'
              ? 0
              : e.key === 'End'
                ? tileEls.length - 1
                : -2;
  if (next === -2) return;
  e.preventDefault();
  const j = Math.min(tileEls.length - 1, Math.max(0, next));
  tileEls.forEach((t, k) => t.setAttribute('tabindex', k === j ? '0' : '-1'));
  tileEls[j].focus();
}

// ---------- focus ----------

function requestFocus(): void {
  post({
    type: 'requestFocus',
    seq: ++focusSeq,
    layer: state!.layer,
    batch: state!.batch,
    head: state!.head,
    ...(zoom ? { window: zoom } : {}),
  });
  els.focusNote.textContent = 'loading…';
}

function drawFocus(f: AttentionFocusData): void {
  focus = f;
  const l = layout!;
  const g = headIndex(l, f.layer, f.batch, f.head);
  const lo = Math.min(0, f.min ?? 0);
  const hi = f.max ?? 1;
  paint(els.focus, f.rows, f.cols, f.values, 0, lo, hi);
  const px = focusPx();
  const scale = Math.min(px / f.cols, px / f.rows);
  const w = Math.max(1, Math.round(f.cols * scale));
  const h = Math.max(1, Math.round(f.rows * scale));
  els.focus.style.width = `${w}px`;
  els.focus.style.height = `${h}px`;
  els.focusTitle.textContent = `${headName(l, g)} · entropy ${fmt6(info!.diagnostics.heads[g].entropy)} nats`;
  const pooled = f.rowStep > 1 || f.colStep > 1;
  els.focusNote.textContent =
    `queries ${f.row0}–${f.row0 + f.fullRows - 1} × keys ${f.col0}–${f.col0 + f.fullCols - 1}` +
    (pooled
      ? ` · max-pooled ${f.rowStep}×${f.colStep} (zoom in for full resolution)`
      : ' · full resolution');
  // colorbar
  const cb = els.colorbar.getContext('2d')!;
  const img = cb.createImageData(256, 1);
  for (let i = 0; i < 256; i++) {
    img.data[i * 4] = lut[i * 3];
    img.data[i * 4 + 1] = lut[i * 3 + 1];
    img.data[i * 4 + 2] = lut[i * 3 + 2];
    img.data[i * 4 + 3] = 255;
  }
  cb.putImageData(img, 0, 0);
  els.cbMin.textContent = fmtSmall(lo);
  els.cbMax.textContent = fmtSmall(hi);
  drawLabels(w, h);
  tileEls.forEach((t, k) => {
    t.setAttribute('aria-pressed', String(k === f.head));
    t.setAttribute('tabindex', k === f.head ? '0' : '-1');
  });
  report();
}

function drawLabels(w: number, h: number): void {
  const f = focus!;
  els.ylabels.replaceChildren();
  els.xlabels.replaceChildren();
  els.ylabels.style.height = `${h}px`;
  els.xlabels.style.width = `${w}px`;
  const cellH = h / f.rows;
  const cellW = w / f.cols;
  const everyR = Math.max(1, Math.ceil(13 / cellH));
  const everyC = Math.max(1, Math.ceil(13 / cellW));
  for (let r = 0; r < f.rows; r += everyR) {
    const i = f.row0 + r * f.rowStep;
    const s = el('span', {}, tokenText(i));
    s.title = `query ${i}`;
    s.style.top = `${(r + 0.5) * cellH - 6}px`;
    els.ylabels.append(s);
  }
  for (let c = 0; c < f.cols; c += everyC) {
    const j = f.col0 + c * f.colStep;
    const s = el('span', {}, tokenText(j));
    s.style.left = `${(c + 0.5) * cellW - 3}px`;
    els.xlabels.append(s);
  }
}

/** Cell under a client point: drawn cell and the full-resolution ranges it covers. */
function cellAt(x: number, y: number) {
  const f = focus;
  if (!f) return undefined;
  const rect = els.focus.getBoundingClientRect();
  const c = Math.floor(((x - rect.left) / rect.width) * f.cols);
  const r = Math.floor(((y - rect.top) / rect.height) * f.rows);
  if (r < 0 || c < 0 || r >= f.rows || c >= f.cols) return undefined;
  const i0 = f.row0 + r * f.rowStep;
  const j0 = f.col0 + c * f.colStep;
  const i1 = Math.min(i0 + f.rowStep, f.row0 + f.fullRows) - 1;
  const j1 = Math.min(j0 + f.colStep, f.col0 + f.fullCols) - 1;
  return { r, c, i0, i1, j0, j1, v: f.values[r * f.cols + c] };
}

function tooltipText(t: NonNullable<ReturnType<typeof cellAt>>): string {
  const q = (i: number) => (token(i) !== undefined ? ` "${token(i)}"` : '');
  if (t.i0 === t.i1 && t.j0 === t.j1)
    return `query ${t.i0}${q(t.i0)} → key ${t.j0}${q(t.j0)} = ${fmt6(t.v)}`;
  return `queries ${t.i0}–${t.i1} → keys ${t.j0}–${t.j1}: max = ${fmt6(t.v)}`;
}

function wireFocus(canvas: HTMLCanvasElement): void {
  let drag: { x: number; y: number; win: Win } | undefined;
  canvas.addEventListener('mousemove', (e) => {
    if (drag && focus) {
      const rect = canvas.getBoundingClientRect();
      const win = drag.win;
      const dr = Math.round(((e.clientY - drag.y) / rect.height) * (win.row1 - win.row0));
      const dc = Math.round(((e.clientX - drag.x) / rect.width) * (win.col1 - win.col0));
      if (dr || dc) {
        canvas.style.cursor = 'grabbing';
        pendingPan = shift(win, -dr, -dc);
      }
      return;
    }
    const t = cellAt(e.clientX, e.clientY);
    if (!t) {
      els.tooltip.hidden = true;
      return;
    }
    els.tooltip.textContent = tooltipText(t);
    els.tooltip.hidden = false;
    const tw = els.tooltip.offsetWidth;
    const left = e.clientX + 14 + tw > window.innerWidth ? e.clientX - tw - 10 : e.clientX + 14;
    els.tooltip.style.left = `${Math.max(0, left)}px`;
    els.tooltip.style.top = `${e.clientY + 16}px`;
  });
  canvas.addEventListener('mouseleave', () => (els.tooltip.hidden = true));
  let pendingPan: Win | undefined;
  canvas.addEventListener('mousedown', (e) => {
    if (e.button !== 0 || !focus) return;
    drag = { x: e.clientX, y: e.clientY, win: currentWindow() };
    pendingPan = undefined;
  });
  window.addEventListener('mouseup', () => {
    if (drag && pendingPan) setZoom(pendingPan);
    drag = undefined;
    canvas.style.cursor = '';
  });
  canvas.addEventListener(
    'wheel',
    (e) => {
      if (!focus) return;
      e.preventDefault();
      const rect = canvas.getBoundingClientRect();
      zoomBy(
        e.deltaY < 0 ? 1.5 : 1 / 1.5,
        (e.clientX - rect.left) / rect.width,
        (e.clientY - rect.top) / rect.height,
      );
    },
    { passive: false },
  );
  canvas.addEventListener('keydown', (e) => {
    const w = currentWindow();
    const dr = Math.max(1, Math.round((w.row1 - w.row0) / 4));
    const dc = Math.max(1, Math.round((w.col1 - w.col0) / 4));
    const act: Record<string, () => void> = {
      '+': () => zoomBy(2, 0.5, 0.5),
      '=': () => zoomBy(2, 0.5, 0.5),
      '-': () => zoomBy(0.5, 0.5, 0.5),
      '0': () => setZoom(undefined),
      ArrowUp: () => setZoom(shift(w, -dr, 0)),
      ArrowDown: () => setZoom(shift(w, dr, 0)),
      ArrowLeft: () => setZoom(shift(w, 0, -dc)),
      ArrowRight: () => setZoom(shift(w, 0, dc)),
      PageDown: () => setHead(Math.min(layout!.heads - 1, state!.head + 1)),
      PageUp: () => setHead(Math.max(0, state!.head - 1)),
    };
    const f = act[e.key];
    if (f) {
      e.preventDefault();
      f();
    }
  });
}

function currentWindow(): Win {
  return zoom ?? { row0: 0, row1: layout!.queries, col0: 0, col1: layout!.keys };
}

function shift(w: Win, dr: number, dc: number): Win {
  const T = layout!.queries;
  const S = layout!.keys;
  const r = Math.min(Math.max(0, w.row0 + dr), T - (w.row1 - w.row0));
  const c = Math.min(Math.max(0, w.col0 + dc), S - (w.col1 - w.col0));
  return { row0: r, row1: r + w.row1 - w.row0, col0: c, col1: c + w.col1 - w.col0 };
}

/** Zooms by `factor` (>1 in) keeping the point at fractions (fx, fy) of the view in place. */
function zoomBy(factor: number, fx: number, fy: number): void {
  const T = layout!.queries;
  const S = layout!.keys;
  const w = currentWindow();
  const h0 = w.row1 - w.row0;
  const w0 = w.col1 - w.col0;
  const h1 = Math.min(T, Math.max(Math.min(4, T), Math.round(h0 / factor)));
  const w1 = Math.min(S, Math.max(Math.min(4, S), Math.round(w0 / factor)));
  const cy = w.row0 + fy * h0;
  const cx = w.col0 + fx * w0;
  const r0 = Math.min(Math.max(0, Math.round(cy - fy * h1)), T - h1);
  const c0 = Math.min(Math.max(0, Math.round(cx - fx * w1)), S - w1);
  setZoom({ row0: r0, row1: r0 + h1, col0: c0, col1: c0 + w1 });
}

function setZoom(w: Win | undefined): void {
  const T = layout!.queries;
  const S = layout!.keys;
  zoom = w && (w.row0 > 0 || w.col0 > 0 || w.row1 < T || w.col1 < S) ? w : undefined;
  requestFocus();
}

// ---------- state ----------

function saveState(): void {
  if (!state) return;
  state = { ...state, ...(tokens ? { tokens } : { tokens: undefined }) };
  if (!tokens) delete state.tokens;
  vscode.setState(state);
  post({ type: 'state', state });
}

function setHead(h: number): void {
  state!.head = h;
  zoom = undefined;
  saveState();
  requestFocus();
}

function setLayerBatch(layer: number, batch: number): void {
  state!.layer = layer;
  state!.batch = batch;
  zoom = undefined;
  if (els.layerSel) els.layerSel.value = String(layer);
  if (els.batchSel) els.batchSel.value = String(batch);
  saveState();
  fillTable();
  requestTiles();
  requestFocus();
}

function tokensNoteText(): void {
  const l = layout!;
  const n = tokens?.list.length ?? 0;
  const need = Math.max(l.queries, l.keys);
  els.tokensNote.textContent = !tokens
    ? `labels: indices 0…${need - 1}`
    : `${n} labels from ${tokens.from}` +
      (n < need
        ? ` for ${need} tokens: the rest show their index`
        : n > need
          ? ` (${n - need} more than tokens; ignored)`
          : '');
}

function setTokens(t: { list: string[]; from: string } | undefined): void {
  tokens = t && t.list.length ? t : undefined;
  saveState();
  tokensNoteText();
  if (focus) drawFocus(focus);
  else report();
}

function applyTokens(text: string, from: string): void {
  setTokens({ list: parseTokens(text), from });
}

// ---------- report ----------

function report(): void {
  const l = layout;
  const d: AttentionDiagnostics | undefined = info?.diagnostics;
  const canvas = document.getElementById('focus') as HTMLCanvasElement | null;
  const r: AttentionRenderedReport = {
    state: phase,
    title: document.getElementById('title')?.textContent ?? title,
    ...(phase !== 'open' ? { message } : {}),
    ...(l ? { shape: l.shape } : {}),
    tiles: document.querySelectorAll('#tiles .tile').length,
    tileLabels: [...document.querySelectorAll('#tiles .tile .name')].map(
      (e) => e.textContent ?? '',
    ),
    layer: state?.layer ?? 0,
    batch: state?.batch ?? 0,
    headEntropy: d && phase === 'open' ? d.heads.map((h) => fmt6(h.entropy)) : [],
    tokens: { count: tokens?.list.length ?? 0, from: tokens?.from ?? 'indices' },
  };
  if (d && phase === 'open') {
    r.rowSums = {
      passed: d.rowSums.failingRows === 0,
      text: document.querySelector('#rowsum .text')?.textContent ?? '',
    };
    r.causal = {
      holds: d.causal.holds,
      text: document.querySelector('#causal .text')?.textContent ?? '',
    };
  }
  if (focus && canvas && phase === 'open') {
    const f = focus;
    r.focus = {
      layer: f.layer,
      batch: f.batch,
      head: f.head,
      rows: f.rows,
      cols: f.cols,
      row0: f.row0,
      col0: f.col0,
      rowStep: f.rowStep,
      colStep: f.colStep,
      fullRows: f.fullRows,
      fullCols: f.fullCols,
      canvasWidth: canvas.width,
      canvasHeight: canvas.height,
    };
  }
  post({ type: 'rendered', report: r });
}

function drive(a: AttentionDriveAction): void {
  if (!layout || !state) return;
  switch (a.kind) {
    case 'focus':
      if (a.layer !== state.layer || a.batch !== state.batch) {
        state.head = a.head;
        setLayerBatch(a.layer, a.batch);
      } else setHead(a.head);
      return;
    case 'tokens':
      els.tokensInput.value = a.text;
      applyTokens(a.text, 'typed list');
      return;
    case 'zoom':
      setZoom(a.window);
      return;
    case 'resetZoom':
      setZoom(undefined);
      return;
  }
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (focus && phase === 'open') drawFocus(focus);
  }, 100);
});

window.addEventListener('message', (e: MessageEvent<AttentionHostToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'loading':
      title = m.title;
      showMessage('loading', m.message);
      return;
    case 'open': {
      info = m.info;
      title = m.title;
      layout = attentionLayout(m.info.shape);
      const s = m.state;
      state = {
        ...s,
        layer: Math.min(s.layer, layout.layers - 1),
        batch: Math.min(s.batch, layout.batches - 1),
        head: Math.min(s.head, layout.heads - 1),
      };
      tokens = s.tokens;
      lut = colormapLut(
        (COLORMAPS as string[]).includes(m.colormap) ? (m.colormap as ColormapName) : 'viridis',
      );
      zoom = undefined;
      focus = undefined;
      buildPage(m.sourceLabel);
      saveState();
      requestTiles();
      requestFocus();
      return;
    }
    case 'tiles':
      if (m.seq === tilesSeq && phase === 'open') drawTiles(m.tiles);
      return;
    case 'focus':
      if (m.seq === focusSeq && phase === 'open') drawFocus(m.focus);
      return;
    case 'tokens':
      if (!layout || phase !== 'open') return;
      els.tokensInput.value = '';
      setTokens({ list: m.list, from: m.from });
      return;
    case 'gone':
      title = m.title;
      if (m.state) {
        state = m.state;
        vscode.setState(state);
      }
      showMessage('gone', m.message, m.canRecompute);
      return;
    case 'error':
      title = m.title;
      if (m.seq !== undefined && phase === 'open') {
        // a tile/focus request failed: say so where it would have been drawn
        els.focusNote.textContent = m.message;
        return;
      }
      showMessage('error', m.message);
      return;
    case 'drive':
      drive(m.action);
      return;
  }
});

// a restored panel keeps its state (the host reads it from the serializer); start blank
const saved = vscode.getState() as AttentionViewState | undefined;
if (saved?.title) title = saved.title;
showMessage('loading', 'loading attention weights…');
post({ type: 'ready' });
