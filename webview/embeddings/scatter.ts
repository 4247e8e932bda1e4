/**
 * The PCA scatter (canvas 2D): rows projected on PC 1 and PC 2, or in 3-D on PC 1–3 turned by
 * dragging (yaw and pitch, drawn back to front). Points are coloured by norm (the colormap) or
 * by a label column (one colour per category, with a legend); labels are written next to
 * the points when there are few enough; hover names the row, a click makes it the query.
 * The explained-variance bars beside it are the worker's (sklearn's explained_variance_ratio_).
 */
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { EmbeddingsPcaData } from '../../src/protocol/embeddings';
import { el } from '../shared/vscode';
import {
  CATEGORY_COLORS,
  categories,
  fmt4,
  labelColumns,
  rotate3d,
  rowText,
  type Labels,
} from './format';

const W = 520;
const H = 420;
const PAD = 28;
/** labels are written next to the points up to this many rows */
export const MAX_LABELLED = 300;

export interface ScatterState {
  mode: '2d' | '3d';
  yaw: number;
  pitch: number;
  /** 'norm', or 'col:k' for label column k */
  colorBy: string;
}

export class PcaScatter {
  readonly root: HTMLElement;
  readonly tooltip: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly colorSel: HTMLSelectElement;
  private readonly legend: HTMLElement;
  private readonly bars: HTMLElement;
  private readonly note: HTMLElement;
  private pca: EmbeddingsPcaData | undefined;
  /** screen positions (CSS px) of the points drawn, by row */
  private screen = new Float32Array(0);
  labelsDrawn = 0;
  readonly state: ScatterState = { mode: '2d', yaw: 0.6, pitch: 0.35, colorBy: 'norm' };

  constructor(
    private readonly labels: () => Labels | undefined,
    private readonly lut: () => Uint8Array,
    private readonly pick: (row: number) => void,
  ) {
    const sec = el('section', { id: 'pca-section', 'aria-label': 'PCA scatter' });
    const bar = el('div', { class: 'bar' });
    const modeSel = el('vscode-single-select', {
      id: 'pca-mode',
      'aria-label': 'Scatter in 2-D or 3-D',
    }) as unknown as HTMLSelectElement;
    for (const [v, t] of [
      ['2d', 'PC 1 × PC 2'],
      ['3d', '3-D (drag to rotate)'],
    ]) {
      const o = el('vscode-option', { value: v }, t);
      if (v === '2d') o.setAttribute('selected', '');
      modeSel.append(o);
    }
    modeSel.addEventListener('change', () => this.setMode(modeSel.value === '3d' ? '3d' : '2d'));
    this.colorSel = el('vscode-single-select', {
      id: 'color-by',
      'aria-label': 'Colour points by',
    }) as unknown as HTMLSelectElement;
    this.colorSel.addEventListener('change', () => this.setColorBy(this.colorSel.value));
    const lc = el('label', {}, 'colour ');
    lc.append(this.colorSel);
    bar.append(el('h2', {}, 'PCA'), modeSel, lc);
    this.canvas = el('canvas', {
      id: 'scatter',
      tabindex: '0',
      role: 'img',
      'aria-label': 'PCA scatter of the rows: hover names a point, click shows its neighbours',
    });
    this.legend = el('div', { id: 'legend' });
    this.bars = el('div', { id: 'variance', 'aria-label': 'Explained variance' });
    this.note = el(
      'div',
      { class: 'sub', id: 'pca-note', role: 'status' },
      'computing PCA (the d×d covariance and its eigenvectors)…',
    );
    const row = el('div', { class: 'pca-row' });
    const side = el('div', { class: 'pca-side' });
    side.append(el('h3', {}, 'Explained variance'), this.bars, this.legend);
    row.append(this.canvas, side);
    sec.append(bar, row, this.note);
    this.root = sec;
    this.tooltip = el('div', { class: 'tooltip', id: 'pca-tooltip', role: 'tooltip' });
    this.tooltip.hidden = true;
    this.fillColorOptions();
    this.wire();
  }

  /** The colour choices: norm, and each label column. */
  fillColorOptions(): void {
    const cols = labelColumns(this.labels());
    if (!this.state.colorBy.startsWith('col:') || Number(this.state.colorBy.slice(4)) >= cols)
      this.state.colorBy = cols > 0 && this.state.colorBy !== 'norm' ? 'col:0' : 'norm';
    this.colorSel.replaceChildren();
    const opts: [string, string][] = [['norm', 'by norm']];
    for (let k = 0; k < cols; k++) opts.push([`col:${k}`, `by label column ${k + 1}`]);
    for (const [v, t] of opts) {
      const o = el('vscode-option', { value: v }, t);
      if (v === this.state.colorBy) o.setAttribute('selected', '');
      this.colorSel.append(o);
    }
  }

  setData(p: EmbeddingsPcaData): void {
    this.pca = p;
    this.bars.replaceChildren();
    p.explainedVarianceRatio.forEach((r, i) => {
      const b = el('div', { class: 'vbar' });
      const fill = el('span', { class: 'fill' });
      fill.style.width = `${Math.max(0.5, r * 100)}%`;
      b.append(
        el('span', { class: 'name' }, `PC ${i + 1}`),
        fill,
        el('span', { class: 'pct' }, `${(r * 100).toFixed(1)} %`),
      );
      b.title = `explained variance ${fmt4(p.explainedVariance[i])}`;
      this.bars.append(b);
    });
    this.draw();
  }

  setMode(m: '2d' | '3d', yaw?: number, pitch?: number): void {
    this.state.mode = m;
    if (yaw !== undefined) this.state.yaw = yaw;
    if (pitch !== undefined) this.state.pitch = pitch;
    const sel = this.root.querySelector('#pca-mode') as HTMLSelectElement | null;
    if (sel && sel.value !== m) sel.value = m;
    this.draw();
  }

  setColorBy(v: string): void {
    this.state.colorBy = v;
    if (this.colorSel.value !== v) this.colorSel.value = v;
    this.draw();
  }

  ratios(): string[] {
    return [...this.bars.querySelectorAll('.pct')].map((e) => e.textContent ?? '');
  }

  private wire(): void {
    let drag: { x: number; y: number; yaw: number; pitch: number; moved: boolean } | undefined;
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      drag = {
        x: e.clientX,
        y: e.clientY,
        yaw: this.state.yaw,
        pitch: this.state.pitch,
        moved: false,
      };
      if (this.state.mode === '3d') c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      if (drag && this.state.mode === '3d' && (e.buttons & 1) === 1) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (Math.hypot(dx, dy) > 3) drag.moved = true;
        this.state.yaw = drag.yaw + dx * 0.01;
        this.state.pitch = Math.max(-1.5, Math.min(1.5, drag.pitch + dy * 0.01));
        this.draw();
        return;
      }
      this.hover(e);
    });
    c.addEventListener('pointerup', (e) => {
      const d = drag;
      drag = undefined;
      if (d && !d.moved) {
        const i = this.nearest(e);
        if (i >= 0) this.pick(i);
      }
    });
    c.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    c.addEventListener('keydown', (e) => {
      if (this.state.mode !== '3d') return;
      const step = 0.15;
      if (e.key === 'ArrowLeft') this.state.yaw -= step;
      else if (e.key === 'ArrowRight') this.state.yaw += step;
      else if (e.key === 'ArrowUp') this.state.pitch = Math.max(-1.5, this.state.pitch - step);
      else if (e.key === 'ArrowDown') this.state.pitch = Math.min(1.5, this.state.pitch + step);
      else return;
      e.preventDefault();
      this.draw();
    });
  }

  /** The row drawn nearest the pointer (within 8 px), or −1. */
  private nearest(e: MouseEvent): number {
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    let best = -1;
    let bd = 64;
    const s = this.screen;
    for (let i = 0; i < s.length / 2; i++) {
      const dx = s[2 * i] - x;
      const dy = s[2 * i + 1] - y;
      const d = dx * dx + dy * dy;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    return best;
  }

  private hover(e: MouseEvent): void {
    const i = this.nearest(e);
    const p = this.pca;
    if (i < 0 || !p) {
      this.tooltip.hidden = true;
      return;
    }
    const k = p.k;
    const coords = Array.from(
      { length: k },
      (_, c) => `PC${c + 1} ${fmt4(p.projections[i * k + c])}`,
    );
    this.tooltip.textContent = `${rowText(this.labels(), i)} · ${coords.join(', ')} · norm ${fmt4(p.norms[i])}`;
    this.tooltip.hidden = false;
    const tw = this.tooltip.offsetWidth;
    const left = e.clientX + 14 + tw > window.innerWidth ? e.clientX - tw - 10 : e.clientX + 14;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${e.clientY + 16}px`;
  }

  /** Each row's colour (CSS), and the legend entries. */
  private colors(p: EmbeddingsPcaData): {
    color: (i: number) => string;
    legend: [string, string][];
  } {
    const labels = this.labels();
    if (this.state.colorBy.startsWith('col:') && labels) {
      const k = Number(this.state.colorBy.slice(4));
      const n = p.norms.length;
      const vals = Array.from({ length: n }, (_, i) => labels.columns[i]?.[k] ?? '');
      const cat = categories(vals);
      const color = (i: number) => CATEGORY_COLORS[cat.index[i] % CATEGORY_COLORS.length];
      const legend = cat.names
        .slice(0, 12)
        .map(
          (nm, j) =>
            [nm === '' ? '(none)' : nm, CATEGORY_COLORS[j % CATEGORY_COLORS.length]] as [
              string,
              string,
            ],
        );
      if (cat.names.length > 12) legend.push([`… ${cat.names.length - 12} more`, 'transparent']);
      return { color, legend };
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of p.norms)
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    const lut = this.lut();
    const color = (i: number) => {
      const v = p.norms[i];
      const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      const q = Math.max(0, Math.min(255, Math.round(t * 255))) * 3;
      return `rgb(${lut[q]},${lut[q + 1]},${lut[q + 2]})`;
    };
    return {
      color,
      legend: [
        [`norm ${fmt4(lo)}`, color(p.norms.indexOf(lo))],
        [`norm ${fmt4(hi)}`, color(p.norms.indexOf(hi))],
      ],
    };
  }

  draw(): void {
    const p = this.pca;
    if (!p) return;
    const n = p.norms.length;
    const k = p.k;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(240, Math.min(W, (this.root.clientWidth || W) - 200));
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(H * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${H}px`;
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, H);
    const style = getComputedStyle(document.body);
    const fg = style.getPropertyValue('--vscode-foreground').trim() || '#ccc';
    const grid = style.getPropertyValue('--vscode-editorWidget-border').trim() || '#8884';
    const three = this.state.mode === '3d' && k >= 3;
    // coordinates (x right, y up, depth) of every row, in data units
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    const zs = new Float64Array(n);
    let radius = 0;
    for (let i = 0; i < n; i++) {
      const a = p.projections[i * k];
      const b = k > 1 ? p.projections[i * k + 1] : 0;
      if (three) {
        const c = p.projections[i * k + 2];
        [xs[i], ys[i], zs[i]] = rotate3d(a, b, c, this.state.yaw, this.state.pitch);
        const rr = Math.hypot(a, b, c);
        if (Number.isFinite(rr)) radius = Math.max(radius, rr);
      } else {
        xs[i] = a;
        ys[i] = b;
      }
    }
    // 2-D: the points' bounding box fills the canvas (same scale on both axes);
    // 3-D: the sphere around the origin (the mean) holding every point fits, whatever the turn
    let x0 = 0;
    let y0 = 0;
    let unit: number;
    if (three) unit = (Math.min(w, H) / 2 - PAD) / (radius > 0 ? radius : 1);
    else {
      let xlo = Infinity;
      let xhi = -Infinity;
      let ylo = Infinity;
      let yhi = -Infinity;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
        xlo = Math.min(xlo, xs[i]);
        xhi = Math.max(xhi, xs[i]);
        ylo = Math.min(ylo, ys[i]);
        yhi = Math.max(yhi, ys[i]);
      }
      if (!(xhi >= xlo)) [xlo, xhi, ylo, yhi] = [-1, 1, -1, 1];
      x0 = (xlo + xhi) / 2;
      y0 = (ylo + yhi) / 2;
      unit = Math.min((w - 2 * PAD) / (xhi - xlo || 1), (H - 2 * PAD) / (yhi - ylo || 1));
    }
    const cx = w / 2;
    const cy = H / 2;
    const sx = (x: number) => cx + (x - x0) * unit;
    const sy = (y: number) => cy - (y - y0) * unit;
    // axes
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    ctx.fillStyle = fg;
    ctx.font = `11px ${style.getPropertyValue('--vscode-font-family') || 'sans-serif'}`;
    if (three) {
      const names = ['PC 1', 'PC 2', 'PC 3'];
      const axes: [number, number, number][] = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ];
      const len = (Math.min(w, H) / 2 - PAD) / unit;
      axes.forEach((a, j) => {
        const [x, y] = rotate3d(
          len * a[0],
          len * a[1],
          len * a[2],
          this.state.yaw,
          this.state.pitch,
        );
        ctx.beginPath();
        ctx.moveTo(sx(0), sy(0));
        ctx.lineTo(sx(x), sy(y));
        ctx.stroke();
        ctx.fillText(names[j], sx(x) + 3, sy(y) - 3);
      });
    } else {
      // the axes through the mean (0, 0), kept inside the canvas
      const ax = Math.max(PAD / 2, Math.min(w - PAD / 2, sx(0)));
      const ay = Math.max(PAD / 2, Math.min(H - PAD / 2, sy(0)));
      ctx.beginPath();
      ctx.moveTo(PAD / 2, ay);
      ctx.lineTo(w - PAD / 2, ay);
      ctx.moveTo(ax, PAD / 2);
      ctx.lineTo(ax, H - PAD / 2);
      ctx.stroke();
      ctx.fillText('PC 1 →', w - PAD - 30, ay - 4);
      ctx.fillText('↑ PC 2', ax + 4, PAD / 2 + 8);
    }
    const { color, legend } = this.colors(p);
    const idx = Array.from({ length: n }, (_, i) => i).filter((i) => Number.isFinite(xs[i]));
    if (three) idx.sort((a, b) => zs[a] - zs[b]);
    this.screen = new Float32Array(2 * n).fill(-1e9);
    const r = n > 5000 ? 1.5 : n > 500 ? 2.5 : 3.5;
    for (const i of idx) {
      const X = sx(xs[i]);
      const Y = sy(ys[i]);
      this.screen[2 * i] = X;
      this.screen[2 * i + 1] = Y;
      ctx.fillStyle = color(i);
      ctx.beginPath();
      ctx.arc(X, Y, three ? r * (1 + (0.25 * zs[i]) / (radius || 1)) : r, 0, 2 * Math.PI);
      ctx.fill();
    }
    const labels = this.labels();
    this.labelsDrawn = 0;
    if (labels && n <= MAX_LABELLED) {
      // front first, and a label that would overlap one already written is left to the hover
      ctx.fillStyle = fg;
      const taken: [number, number, number, number][] = [];
      for (const i of [...idx].reverse()) {
        const s = labels.list[i];
        if (s === undefined || s === '') continue;
        const tw = ctx.measureText(s).width;
        // to the left of the point near the right edge
        const right = this.screen[2 * i] + r + 2;
        const x = right + tw > w - 2 ? this.screen[2 * i] - r - 2 - tw : right;
        const y = this.screen[2 * i + 1] + 3;
        const box: [number, number, number, number] = [x, y - 10, x + tw, y + 2];
        if (taken.some((t) => box[0] < t[2] && t[0] < box[2] && box[1] < t[3] && t[1] < box[3]))
          continue;
        taken.push(box);
        ctx.fillText(s, x, y);
        this.labelsDrawn++;
      }
    }
    this.legend.replaceChildren();
    for (const [name, c] of legend) {
      const item = el('div', { class: 'legend-item' });
      const sw = el('span', { class: 'swatch' });
      sw.style.background = c;
      item.append(sw, el('span', {}, name));
      this.legend.append(item);
    }
    const left = n - idx.length;
    this.note.textContent =
      `${idx.length.toLocaleString('en-US')} rows on ${three ? 'PC 1–3 (drag or arrow keys rotate)' : 'PC 1 and PC 2'}` +
      (left ? ` · ${left} rows with NaN or Inf left out` : '') +
      (labels && n > MAX_LABELLED
        ? ` · labels shown on hover (more than ${MAX_LABELLED} rows)`
        : '') +
      (labels && n <= MAX_LABELLED && this.labelsDrawn < idx.length
        ? ` · ${this.labelsDrawn} labels written, the others on hover`
        : '');
  }
}
