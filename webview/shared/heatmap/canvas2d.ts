/**
 * Canvas-2D heatmap (the fallback when WebGL2 is unavailable or not wanted): for each draw it
 * colours only the cells in view, at the pyramid level where a cell is about a pixel, into an
 * offscreen canvas, and scales that onto the visible canvas without smoothing.
 */
import { rangeScale, unitMap } from '../../../src/core/view/valueScale';
import { Pyramid, sizeCanvas, type Layer, type ViewWindow } from './layer';
import type { HeatmapRenderer, SpecialColors } from './renderer';

export class Canvas2DRenderer implements HeatmapRenderer {
  readonly kind = 'canvas' as const;
  private pyramid: Pyramid | undefined;
  private detail: Layer | null = null;
  private lut: Uint8Array = new Uint8Array(256 * 3);
  private lo = 0;
  private hi = 1;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly off = document.createElement('canvas');
  private readonly offCtx: CanvasRenderingContext2D;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly special: SpecialColors,
  ) {
    const ctx = canvas.getContext('2d');
    const offCtx = this.off.getContext('2d');
    if (!ctx || !offCtx) throw new Error('canvas 2D is not available');
    this.ctx = ctx;
    this.offCtx = offCtx;
  }

  setBase(layer: Layer): void {
    this.pyramid = new Pyramid(layer);
  }

  setDetail(layer: Layer | null): void {
    this.detail = layer;
  }

  setColormap(lut: Uint8Array): void {
    this.lut = lut;
  }

  setRange(lo: number, hi: number): void {
    this.lo = lo;
    this.hi = hi;
  }

  resize(width: number, height: number, dpr: number): void {
    sizeCanvas(this.canvas, width, height, dpr);
  }

  draw(view: ViewWindow): void {
    if (!this.pyramid) return;
    const W = this.canvas.width;
    const H = this.canvas.height;
    this.ctx.clearRect(0, 0, W, H);
    this.ctx.imageSmoothingEnabled = false;
    const base = this.pyramid.levelFor(view, W, H, 'up');
    this.paintLayer(base, view, W, H);
    const d = this.detail;
    if (d && d.rowStep <= base.rowStep && d.colStep <= base.colStep) this.paintLayer(d, view, W, H);
  }

  /** Colours the cells of `l` inside `view` and draws them where they fall on the canvas. */
  private paintLayer(l: Layer, view: ViewWindow, W: number, H: number): void {
    const i0 = Math.max(0, Math.floor((view.r0 - l.row0) / l.rowStep));
    const j0 = Math.max(0, Math.floor((view.c0 - l.col0) / l.colStep));
    const i1 = Math.min(l.rows, Math.ceil((view.r1 - l.row0) / l.rowStep));
    const j1 = Math.min(l.cols, Math.ceil((view.c1 - l.col0) / l.colStep));
    const nr = i1 - i0;
    const nc = j1 - j0;
    if (nr <= 0 || nc <= 0) return;
    if (this.off.width !== nc) this.off.width = nc;
    if (this.off.height !== nr) this.off.height = nr;
    const img = this.offCtx.createImageData(nc, nr);
    const px = img.data;
    const lut = this.lut;
    // t = (v·pre)·scale − offset: finite for any finite range (src/core/view/valueScale.ts)
    const pre = rangeScale(this.lo, this.hi);
    const map = unitMap(this.lo * pre, this.hi * pre);
    const scale = map ? 255 * map.scale : 0;
    const offset = map ? 255 * map.offset : 0;
    const { nan, posinf, neginf } = this.special;
    const vals = l.values;
    for (let i = 0, p = 0; i < nr; i++) {
      let k = (i0 + i) * l.cols + j0;
      for (let j = 0; j < nc; j++, k++, p += 4) {
        const v = vals[k];
        if (v - v === 0) {
          const t = scale ? v * pre * scale - offset : 127.5;
          const q = (t <= 0 ? 0 : t >= 255 ? 255 : Math.round(t)) * 3;
          px[p] = lut[q];
          px[p + 1] = lut[q + 1];
          px[p + 2] = lut[q + 2];
        } else {
          const c = v !== v ? nan : v > 0 ? posinf : neginf;
          px[p] = c[0];
          px[p + 1] = c[1];
          px[p + 2] = c[2];
        }
        px[p + 3] = 255;
      }
    }
    this.offCtx.putImageData(img, 0, 0);
    // where the cells fall (the last cell may be partial: clip to the layer's end)
    const rowEdge = (i: number) => Math.min(l.rowEnd, l.row0 + i * l.rowStep);
    const colEdge = (j: number) => Math.min(l.colEnd, l.col0 + j * l.colStep);
    const y = (R: number) => ((R - view.r0) / (view.r1 - view.r0)) * H;
    const x = (C: number) => ((C - view.c0) / (view.c1 - view.c0)) * W;
    // a partial last cell is drawn at its full width then clipped
    const fullH = y(l.row0 + i1 * l.rowStep) - y(rowEdge(i0));
    const fullW = x(l.col0 + j1 * l.colStep) - x(colEdge(j0));
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(
      x(colEdge(j0)),
      y(rowEdge(i0)),
      x(colEdge(j1)) - x(colEdge(j0)),
      y(rowEdge(i1)) - y(rowEdge(i0)),
    );
    this.ctx.clip();
    this.ctx.drawImage(this.off, 0, 0, nc, nr, x(colEdge(j0)), y(rowEdge(i0)), fullW, fullH);
    this.ctx.restore();
  }

  dispose(): void {
    this.pyramid = undefined;
  }
}
