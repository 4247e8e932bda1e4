/**
 * The array panel: metadata, the one-line summary, and a heatmap of a 2-D slice with a
 * colorbar and a hover tooltip. After every render it reports what its DOM shows to the host.
 */
import type { ArrayView, HeatmapData, HostToWebview, RenderedReport } from '../../src/protocol/messages';
import { COLORMAPS, ColormapName, SPECIAL_COLORS } from '../../src/core/color/colormaps';
import { formatBytes } from '../../src/core/array/ndarray';
import { niceTicks } from '../../src/core/view/ticks';
import { formatNumber } from '../../src/core/stats/summary';
import { addStyle, el, onHostMessage, vscode } from '../shared/vscode';
import { paintColorbar, paintHeatmap } from './render';
import css from './styles.css';

addStyle(css);
const app = document.getElementById('app')!;

interface State {
  fileName: string;
  view: ArrayView;
  heatmap: HeatmapData;
  colormap: ColormapName;
}
let state: State | undefined;

function report(r: RenderedReport): void {
  vscode.postMessage({ type: 'rendered', report: r });
}

function showLoading(fileName: string): void {
  app.replaceChildren(el('div', { class: 'loading', role: 'status' }, `Reading ${fileName}…`));
}

function showError(message: string): void {
  const box = el('div', { class: 'error', role: 'alert' });
  box.append(el('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), el('span', { id: 'error-text' }, message));
  app.replaceChildren(box);
  report({ summary: '', heatmap: null, error: message });
}

function metaItem(label: string, value: string, id: string): HTMLElement {
  const span = el('span');
  span.append(el('dt', {}, label), el('dd', { id }, value));
  return span;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '−Inf';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

function showArray(s: State): void {
  const { view, heatmap } = s;
  const meta = el('dl', { class: 'meta' });
  meta.append(
    el('span', { class: 'file' }, s.fileName + (view.name ? ` › ${view.name}` : '')),
    metaItem('dtype', view.dtype, 'meta-dtype'),
    metaItem('shape', `(${view.shape.join(', ')}${view.shape.length === 1 ? ',' : ''})`, 'meta-shape'),
    metaItem('order', view.shape.length < 2 ? 'C' : view.fortranOrder ? 'Fortran (column-major)' : 'C (row-major)', 'meta-order'),
    metaItem('size', `${formatBytes(view.byteLength)} (${view.byteLength.toLocaleString('en-US')} bytes)`, 'meta-bytes'),
  );
  const summary = el('div', { class: 'summary', id: 'summary' }, view.summary);
  const children: HTMLElement[] = [meta, summary];
  if (heatmap.rows * heatmap.cols === 0) {
    children.push(el('div', { class: 'note' }, 'Empty array: nothing to draw.'));
    app.replaceChildren(...children);
    report({ summary: summary.textContent ?? '', heatmap: null });
    return;
  }
  const canvas = el('canvas', { id: 'heatmap', tabindex: '0', role: 'img' });
  const tooltip = el('div', { class: 'tooltip', id: 'tooltip', hidden: '' });
  const wrap = el('div', { class: 'canvas-wrap' });
  wrap.append(canvas, tooltip);
  const bar = el('canvas', { id: 'colorbar', 'aria-hidden': 'true' });
  const ticks = el('div', { class: 'ticks', id: 'ticks' });
  const colorbar = el('div', { class: 'colorbar' });
  colorbar.append(bar, ticks);
  const plot = el('div', { class: 'plot' });
  plot.append(wrap, colorbar);

  const notes: string[] = [];
  if (heatmap.sliceLabel) notes.push(`slice ${heatmap.sliceLabel}`);
  if (heatmap.rowStep > 1 || heatmap.colStep > 1) notes.push(`reduced ${heatmap.rowStep}×${heatmap.colStep} (mean pooling) to ${heatmap.rows}×${heatmap.cols}`);
  const legend = el('div', { class: 'legend' });
  for (const [name, rgb] of [
    ['NaN', SPECIAL_COLORS.nan],
    ['+Inf', SPECIAL_COLORS.posinf],
    ['−Inf', SPECIAL_COLORS.neginf],
  ] as const) {
    const item = el('span');
    const sw = el('span', { class: 'swatch' });
    sw.style.background = `rgb(${rgb.join(',')})`;
    item.append(sw, document.createTextNode(name));
    legend.append(item);
  }
  children.push(plot);
  if (notes.length) children.push(el('div', { class: 'note', id: 'slice-note' }, notes.join(' · ')));
  children.push(legend);
  app.replaceChildren(...children);

  const lo = heatmap.min ?? 0;
  const hi = heatmap.max ?? 1;
  paintHeatmap(canvas, heatmap.values, heatmap.rows, heatmap.cols, lo, hi, s.colormap);
  paintColorbar(bar, s.colormap);
  canvas.setAttribute('aria-label', `heatmap of ${view.dtype} ${heatmap.fullRows}×${heatmap.fullCols}${heatmap.sliceLabel ? ' slice ' + heatmap.sliceLabel : ''}, values ${formatNumber(lo)} to ${formatNumber(hi)}`);

  // Size: fit the panel, square cells.
  const layout = () => {
    const availW = Math.max(50, document.body.clientWidth - 32 - 100);
    const top = plot.getBoundingClientRect().top;
    const availH = Math.max(50, window.innerHeight - top - 48);
    const scale = Math.min(availW / heatmap.cols, availH / heatmap.rows);
    const w = Math.max(1, Math.floor(heatmap.cols * scale));
    const h = Math.max(heatmap.rows === 1 ? 24 : 1, Math.floor(heatmap.rows * scale));
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    bar.style.height = `${h}px`;
    ticks.style.height = `${h}px`;
    ticks.replaceChildren(
      ...niceTicks(lo, hi, Math.max(2, Math.floor(h / 40))).map((t) => {
        const span = el('span', {}, formatNumber(t));
        span.style.top = `${hi > lo ? ((hi - t) / (hi - lo)) * h : h / 2}px`;
        return span;
      }),
    );
    return { w, h };
  };
  const size = layout();
  window.onresize = () => layout();

  const cellAt = (ev: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    const c = Math.floor(((ev.clientX - r.left) / r.width) * heatmap.cols);
    const row = Math.floor(((ev.clientY - r.top) / r.height) * heatmap.rows);
    if (c < 0 || row < 0 || c >= heatmap.cols || row >= heatmap.rows) return undefined;
    return { row, col: c, x: ev.clientX - r.left, y: ev.clientY - r.top };
  };
  canvas.addEventListener('mousemove', (ev) => {
    const cell = cellAt(ev);
    if (!cell) {
      tooltip.hidden = true;
      return;
    }
    tooltip.textContent = tooltipText(s, cell.row, cell.col);
    tooltip.hidden = false;
    tooltip.style.left = `${cell.x + 14}px`;
    tooltip.style.top = `${cell.y + 14}px`;
  });
  canvas.addEventListener('mouseleave', () => (tooltip.hidden = true));

  report({
    summary: summary.textContent ?? '',
    heatmap: { rows: heatmap.rows, cols: heatmap.cols, min: heatmap.min, max: heatmap.max, canvasWidth: size.w, canvasHeight: size.h },
  });
}

/** `[i, j] = value` with the array's full index (N-D arrays include the fixed axes). */
export function tooltipText(s: State, row: number, col: number): string {
  const h = s.heatmap;
  const v = h.values[row * h.cols + col];
  const i = h.row0 + row * h.rowStep;
  const j = h.col0 + col * h.colStep;
  const pooled = h.rowStep > 1 || h.colStep > 1;
  const idx = (a: number, step: number, size: number) => (step > 1 ? `${a}:${Math.min(a + step, size)}` : String(a));
  const full = s.view.shape.map((_, axis) => (axis === h.rowAxis ? idx(i, h.rowStep, h.fullRows) : axis === h.colAxis ? idx(j, h.colStep, h.fullCols) : String(h.indices[axis] ?? 0)));
  return `[${full.join(', ')}] ${pooled ? '≈' : '='} ${formatValue(v)}${pooled ? ' (mean)' : ''}`;
}

onHostMessage((m: HostToWebview) => {
  switch (m.type) {
    case 'loading':
      showLoading(m.fileName);
      break;
    case 'error':
      showError(m.message);
      break;
    case 'array': {
      const colormap = (COLORMAPS as string[]).includes(m.settings.colormap) ? (m.settings.colormap as ColormapName) : 'viridis';
      state = { fileName: m.fileName, view: m.view, heatmap: m.view.heatmap, colormap };
      showArray(state);
      break;
    }
    case 'slice':
      if (state) {
        state.heatmap = m.heatmap;
        showArray(state);
      }
      break;
  }
});

vscode.postMessage({ type: 'ready' });
