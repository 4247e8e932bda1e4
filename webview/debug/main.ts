/**
 * The pinned-value panel: the value at the selected stop and Δ (now − previous stop) as two
 * heatmaps drawn by the shared renderer (webview/shared/heatmap), the Δ with its own symmetric
 * range and a diverging colormap; changed cells, max |Δ|, NaN/Inf first seen; ◀ ▶ step through
 * the last stops; "Compare two stops…" opens two stops whose values are kept in the compare view.
 */
import { createRenderer, type HeatmapRenderer } from '../shared/heatmap/renderer';
import { colormapLut, SPECIAL_COLORS } from '../../src/core/color/colormaps';
import type { PinFromWebview, PinSnapshot, PinToWebview } from '../../src/protocol/debug';
import { fmt } from '../../src/core/debug/describe';
import type { WebviewToHost } from '../../src/protocol/heatmap';
import { addStyle, vscode } from '../shared/vscode';
import css from './styles.css';

const api = {
  postMessage: (m: PinFromWebview) => vscode.postMessage(m as unknown as WebviewToHost),
};
addStyle(css);

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls = '',
  text = '',
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

const app = document.getElementById('app') ?? document.body;
const title = el('h2', 'title');
const where = el('div', 'line where');
const health = el('div', 'line health');
const first = el('div', 'line first');
const status = el('div', 'line status');
const nav = el('div', 'nav');
const prev = el('button', '', '◀');
const next = el('button', '', '▶');
const pos = el('span', 'pos');
const compare = el('button', 'compare', 'Compare two stops…');
prev.title = 'Previous stop';
next.title = 'Next stop';
compare.title = 'Open two stops whose full values are kept in the compare view';
nav.append(prev, pos, next, compare);
const figs = el('div', 'figs');
const figNow = el('figure');
const capNow = el('figcaption');
const canvasNow = el('canvas');
figNow.append(capNow, canvasNow);
const figDelta = el('figure');
const capDelta = el('figcaption');
const canvasDelta = el('canvas');
figDelta.append(capDelta, canvasDelta);
figs.append(figNow, figDelta);
app.append(title, where, health, first, nav, figs, status);

let snapshots: PinSnapshot[] = [];
let index = -1;
let rNow: HeatmapRenderer | undefined;
let rDelta: HeatmapRenderer | undefined;

function draw(
  r: HeatmapRenderer | undefined,
  canvas: HTMLCanvasElement,
  values: Float32Array,
  rows: number,
  cols: number,
  range: [number, number],
  map: 'viridis' | 'rdbu',
): HeatmapRenderer {
  const renderer = r ?? createRenderer(canvas, 'canvas', SPECIAL_COLORS).renderer;
  const size = 300;
  const scale = Math.min(size / cols, size / rows);
  renderer.resize(
    Math.max(1, Math.round(cols * scale)),
    Math.max(1, Math.round(rows * scale)),
    window.devicePixelRatio || 1,
  );
  renderer.setColormap(colormapLut(map));
  renderer.setRange(range[0], range[1]);
  renderer.setBase({
    values,
    rows,
    cols,
    row0: 0,
    col0: 0,
    rowEnd: rows,
    colEnd: cols,
    rowStep: 1,
    colStep: 1,
  });
  renderer.draw({ r0: 0, r1: rows, c0: 0, c1: cols });
  return renderer;
}

function show(): void {
  const s = snapshots[index];
  prev.disabled = index <= 0;
  next.disabled = index >= snapshots.length - 1;
  pos.textContent = snapshots.length ? `stop ${index + 1} of the last ${snapshots.length}` : '';
  compare.disabled = snapshots.filter((x) => x.retained).length < 2;
  if (!s) return;
  title.textContent = s.expression;
  where.textContent = `stop ${s.stop} · line ${s.line} · ${s.dtype}[${s.shape.join(', ')}]${
    s.pooled[0] > 1 || s.pooled[1] > 1 ? ` · drawn pooled ${s.pooled[0]}×${s.pooled[1]}` : ''
  } · ${s.retained ? 'full values kept' : 'full values not kept'}`;
  health.textContent = s.health;
  first.textContent = s.firstSeen;
  first.classList.toggle('alarm', s.firstSeen.includes('first seen'));
  capNow.textContent = `now [${fmt(s.nowRange[0])}, ${fmt(s.nowRange[1])}]`;
  rNow = draw(rNow, canvasNow, s.now, s.rows, s.cols, s.nowRange, 'viridis');
  if (s.delta && s.deltaRange) {
    figDelta.hidden = false;
    capDelta.textContent = `Δ since the previous stop: ${s.changed} cells changed, max |Δ| ${fmt(s.maxAbs ?? 0)} (range ±${fmt(s.deltaRange[1])})${s.deltaNote ? ` · ${s.deltaNote}` : ''}`;
    rDelta = draw(rDelta, canvasDelta, s.delta, s.rows, s.cols, s.deltaRange, 'rdbu');
  } else {
    figDelta.hidden = true;
    capDelta.textContent = s.deltaNote ?? '';
  }
  status.textContent = s.delta ? '' : (s.deltaNote ?? '');
}

prev.addEventListener('click', () => api.postMessage({ type: 'pinShow', index: index - 1 }));
next.addEventListener('click', () => api.postMessage({ type: 'pinShow', index: index + 1 }));
compare.addEventListener('click', () => api.postMessage({ type: 'pinCompare' }));
window.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowLeft') api.postMessage({ type: 'pinShow', index: index - 1 });
  if (e.key === 'ArrowRight') api.postMessage({ type: 'pinShow', index: index + 1 });
});
window.addEventListener('message', (e: MessageEvent<PinToWebview>) => {
  const m = e.data;
  if (m.type === 'pinHistory') {
    snapshots = m.snapshots;
    index = m.index;
    status.textContent = '';
    show();
  } else if (m.type === 'pinEnded') status.textContent = m.message;
});
api.postMessage({ type: 'ready' });
