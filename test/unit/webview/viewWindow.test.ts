import assert from 'node:assert/strict';
import {
  cellsOf,
  clampWindow,
  panWindow,
  panWindowBy,
  snapToCells,
  wheelZoomFactor,
  zoomWindow,
  type ViewWindow,
} from '../../../webview/shared/viewWindow';

/** The one zoom/pan/clamp model of the heatmap and attention views (webview/shared/viewWindow.ts). */
describe('view window (webview/shared/viewWindow.ts)', () => {
  const g = { rows: 100, cols: 40 };

  it('a factor above 1 zooms in about the centre, below 1 zooms back out', () => {
    const w = zoomWindow(undefined, g, 2)!;
    assert.deepEqual(w, { r0: 25, r1: 75, c0: 10, c1: 30 });
    assert.equal(zoomWindow(w, g, 0.5), undefined, 'zooming out of a 2× view shows the whole grid');
    const w4 = zoomWindow(w, g, 2)!;
    assert.deepEqual(w4, { r0: 37.5, r1: 62.5, c0: 15, c1: 25 });
  });

  it('keeps the anchor point where it is on screen', () => {
    const v: ViewWindow = { r0: 10, r1: 50, c0: 0, c1: 20 };
    const anchor = { R: 20, C: 15 };
    const w = zoomWindow(v, g, 4, anchor)!;
    // the anchor sits at the same fraction of the view before and after
    const fr = (anchor.R - v.r0) / (v.r1 - v.r0);
    const fc = (anchor.C - v.c0) / (v.c1 - v.c0);
    assert.ok(Math.abs((anchor.R - w.r0) / (w.r1 - w.r0) - fr) < 1e-12);
    assert.ok(Math.abs((anchor.C - w.c0) / (w.c1 - w.c0) - fc) < 1e-12);
    assert.equal(w.r1 - w.r0, 10);
    assert.equal(w.c1 - w.c0, 5);
  });

  it('never zooms in below the minimum size, nor out beyond the grid', () => {
    let w: ViewWindow | undefined;
    for (let i = 0; i < 20; i++) w = zoomWindow(w, g, 2);
    assert.equal(w!.r1 - w!.r0, 1);
    assert.equal(w!.c1 - w!.c0, 1);
    const w4 = zoomWindow(undefined, { rows: 16, cols: 16 }, 100, undefined, 4)!;
    assert.equal(w4.r1 - w4.r0, 4);
    // a grid smaller than the minimum is shown whole
    assert.equal(zoomWindow(undefined, { rows: 3, cols: 2 }, 8, undefined, 4), undefined);
    assert.equal(zoomWindow({ r0: 1, r1: 2, c0: 1, c1: 2 }, g, 1e-6), undefined);
  });

  it('zoom near an edge stays inside the grid', () => {
    const w = zoomWindow(undefined, g, 2, { R: 0, C: 40 })!;
    assert.deepEqual(w, { r0: 0, r1: 50, c0: 20, c1: 40 });
    const out = zoomWindow({ r0: 90, r1: 100, c0: 0, c1: 10 }, g, 0.5, { R: 99, C: 1 })!;
    assert.ok(out.r0 >= 0 && out.r1 <= 100 && out.c0 >= 0 && out.c1 <= 40);
    assert.equal(out.r1 - out.r0, 20);
  });

  it('pans by cells and by fractions of the view, clamped; the whole grid does not pan', () => {
    const v = { r0: 10, r1: 20, c0: 10, c1: 20 };
    assert.deepEqual(panWindow(v, g, 5, -3), { r0: 15, r1: 25, c0: 7, c1: 17 });
    assert.deepEqual(panWindow(v, g, -50, 50), { r0: 0, r1: 10, c0: 30, c1: 40 });
    assert.deepEqual(panWindowBy(v, g, 0.1, -0.1), { r0: 11, r1: 21, c0: 9, c1: 19 });
    assert.equal(panWindow(undefined, g, 5, 5), undefined);
  });

  it('clamps windows that are too large, reversed or not finite', () => {
    assert.equal(clampWindow({ r0: -5, r1: 200, c0: 0, c1: 40 }, g), undefined);
    assert.deepEqual(clampWindow({ r0: 95, r1: 105, c0: 0, c1: 10 }, g), {
      r0: 90,
      r1: 100,
      c0: 0,
      c1: 10,
    });
    const r = clampWindow({ r0: 5, r1: 5, c0: NaN, c1: 3 }, g)!;
    assert.deepEqual([r.r0, r.r1], [5, 6]);
    assert.ok(Number.isFinite(r.c0) && r.c1 - r.c0 >= 1);
  });

  it('whole cells of a window and whole-cell windows for the worker', () => {
    assert.deepEqual(cellsOf({ r0: 2.5, r1: 7.2, c0: 0, c1: 3 }), {
      row0: 2,
      row1: 8,
      col0: 0,
      col1: 3,
    });
    // the attention view's "+" on a 16×16 head: queries 4–11, keys 4–11
    const g16 = { rows: 16, cols: 16 };
    assert.deepEqual(snapToCells(zoomWindow(undefined, g16, 2, undefined, 4), g16, 4), {
      row0: 4,
      row1: 12,
      col0: 4,
      col1: 12,
    });
    assert.equal(snapToCells({ r0: 0, r1: 15.6, c0: 0.2, c1: 16 }, g16), undefined);
  });

  it('a wheel notch down zooms out by 2, up zooms in by 2, capped at 8', () => {
    assert.equal(wheelZoomFactor(100, 0), 0.5);
    assert.equal(wheelZoomFactor(-100, 0), 2);
    assert.equal(wheelZoomFactor(-3, 1), 2 ** 0.99);
    assert.equal(wheelZoomFactor(-10_000, 0), 8);
  });
});
