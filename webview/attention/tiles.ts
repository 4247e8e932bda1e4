/**
 * Small multiples: every head of the (layer, batch) as a tile, max-pooled to ≤ 96 × 96 and
 * coloured 0 → its own max by the shared canvas-2D renderer; a click or Enter puts a head in
 * focus, arrow keys move between tiles.
 */
import { SPECIAL_COLORS } from '../../src/core/color/colormaps';
import { fmtSmall } from '../../src/core/attention/diagnostics';
import { headIndex, headLabel } from '../../src/core/attention/weights';
import type { AttentionTilesData } from '../../src/protocol/worker';
import { Canvas2DRenderer } from '../shared/heatmap/canvas2d';
import { el } from '../shared/vscode';
import { fmt6, tileName } from './format';
import type { OpenPage } from './state';

/** Cells per tile side (the worker pools each head to at most this). */
export const TILE = 96;

export class Tiles {
  readonly root: HTMLElement;
  private tiles: HTMLButtonElement[] = [];

  constructor(private readonly onPick: (head: number) => void) {
    this.root = el('div', {
      id: 'tiles',
      role: 'group',
      'aria-label': 'Heads: arrow keys move, Enter shows one in focus',
    });
    this.root.addEventListener('keydown', (e) => this.onKey(e));
  }

  draw(p: OpenPage, t: AttentionTilesData, lut: Uint8Array): void {
    const l = p.layout;
    const d = p.info.diagnostics;
    this.root.replaceChildren();
    this.tiles = [];
    const n = t.rows * t.cols;
    for (let h = 0; h < t.heads; h++) {
      const g = headIndex(l, t.layer, t.batch, h);
      const b = el('button', {
        type: 'button',
        class: 'tile',
        'data-head': String(h),
        'aria-pressed': String(h === p.view.head),
        tabindex: h === p.view.head ? '0' : '-1',
        title: `${headLabel(l, g)}: mean entropy ${fmt6(d.heads[g].entropy)} nats — show in focus`,
      });
      const r = new Canvas2DRenderer(el('canvas'), SPECIAL_COLORS);
      r.setColormap(lut);
      r.setRange(0, t.max[h] ?? 1);
      r.setBase({
        values: t.values.subarray(h * n, (h + 1) * n),
        rows: t.rows,
        cols: t.cols,
        row0: 0,
        col0: 0,
        rowEnd: t.rows,
        colEnd: t.cols,
        rowStep: 1,
        colStep: 1,
      });
      r.resize(TILE, TILE, window.devicePixelRatio || 1);
      r.draw({ r0: 0, r1: t.rows, c0: 0, c1: t.cols });
      r.dispose();
      b.append(
        r.canvas,
        el('span', { class: 'name' }, tileName(l, t.layer, h)),
        el('span', { class: 'ent' }, `H̄ ${fmtSmall(d.heads[g].entropy)}`),
      );
      b.addEventListener('click', () => this.onPick(h));
      this.root.append(b);
      this.tiles.push(b);
    }
  }

  /** Marks the head in focus (and makes it the tile Tab reaches). */
  mark(head: number): void {
    this.tiles.forEach((t, k) => {
      t.setAttribute('aria-pressed', String(k === head));
      t.setAttribute('tabindex', k === head ? '0' : '-1');
    });
  }

  private onKey(e: KeyboardEvent): void {
    const tiles = this.tiles;
    const i = tiles.findIndex((t) => t === document.activeElement);
    if (i < 0) return;
    const perRow = Math.max(1, Math.round(this.root.clientWidth / (tiles[0].offsetWidth + 8)));
    const moves: Record<string, number> = {
      ArrowRight: i + 1,
      ArrowLeft: i - 1,
      ArrowDown: i + perRow,
      ArrowUp: i - perRow,
      Home: 0,
      End: tiles.length - 1,
    };
    const next = moves[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const j = Math.min(tiles.length - 1, Math.max(0, next));
    tiles.forEach((t, k) => t.setAttribute('tabindex', k === j ? '0' : '-1'));
    tiles[j].focus();
  }
}
