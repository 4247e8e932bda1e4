import assert from 'node:assert/strict';
import type { ArrayView, HeatmapData } from '../../../src/protocol/common';
import { cellTicks, colorbarTicks } from '../../../webview/heatmap/ticks';
import { formatValue, tooltipAt, tooltipText } from '../../../webview/heatmap/tooltip';
import { carriedOver, shownFor } from '../../../webview/heatmap/state';
import { float32Values, floatValues } from '../../../webview/shared/values';

function heatmap(over: Partial<HeatmapData>): HeatmapData {
  return {
    rows: 2,
    cols: 3,
    fullRows: 2,
    fullCols: 3,
    rowAxis: 0,
    colAxis: 1,
    indices: [0, 0],
    sliceLabel: '',
    rowStep: 1,
    colStep: 1,
    row0: 0,
    col0: 0,
    min: 0,
    max: 5,
    values: new Float32Array([0, 1, 2, 3, 4, 5]),
    ...over,
  };
}

/** The heatmap's pure parts: hover text, tick layout, kept slice (webview/heatmap). */
describe('heatmap tooltip, ticks and kept slice (webview/heatmap)', () => {
  it('formats values: integers exactly, others to 6 digits, non-finite by name', () => {
    assert.equal(formatValue(3), '3');
    assert.equal(formatValue(0.1 + 0.2), '0.3');
    assert.equal(formatValue(NaN), 'NaN');
    assert.equal(formatValue(-Infinity), '−Inf');
    assert.equal(formatValue(5 * 1e200), '4.9999999999999995e+200');
    assert.equal(formatValue(1.5e-320), '1.5e-320');
  });

  it('names the full N-D index of a cell and the block a pooled cell reduces', () => {
    const shape = [4, 10, 20];
    const h = heatmap({ rowAxis: 1, colAxis: 2, indices: [3, 0, 0], fullRows: 10, fullCols: 20 });
    assert.equal(tooltipText(shape, h, 1, 2, 1, 2), '[3, 1, 2] = 5');
    const pooled = heatmap({
      rowAxis: 1,
      colAxis: 2,
      indices: [3, 0, 0],
      fullRows: 10,
      fullCols: 20,
      rowStep: 5,
      colStep: 7,
      pooling: 'maxabs',
    });
    assert.equal(
      tooltipText(shape, pooled, 1, 2, 6, 15),
      '[3, 6, 15] ≈ 5 (largest |x| of [3, 5:10, 14:20])',
    );
  });

  it('prefers the finer detail window where it covers the point', () => {
    const base = heatmap({ rowStep: 2, colStep: 2, rows: 1, cols: 2, fullRows: 2, fullCols: 4 });
    base.values = new Float32Array([10, 20]);
    const detail = heatmap({
      rows: 1,
      cols: 1,
      row0: 1,
      col0: 3,
      window: { row0: 1, row1: 2, col0: 3, col1: 4 },
      values: new Float32Array([7]),
      fullRows: 2,
      fullCols: 4,
    });
    assert.equal(tooltipAt([2, 4], [detail, base], 1.5, 3.5), '[1, 3] = 7');
    assert.equal(tooltipAt([2, 4], [detail, base], 0.5, 0.5), '[0, 0] ≈ 10 (mean of [0:2, 0:2])');
    assert.equal(tooltipAt([2, 4], [detail, base], 5, 0), undefined);
  });

  it('puts colorbar ticks at their values (top = hi) and cell ticks at cell centres', () => {
    const t = colorbarTicks(0, 10, 200);
    assert.deepEqual(
      t.map((x) => x.text),
      ['0', '2', '4', '6', '8', '10'],
    );
    assert.equal(t[0].at, 200);
    assert.equal(t[5].at, 0);
    // values far outside float32's range keep their ticks
    const big = colorbarTicks(1e200, 9e200, 200);
    assert.ok(big.length >= 2 && big.every((x) => /e\+?200$/.test(x.text)), JSON.stringify(big));
    const c = cellTicks(0, 10, 100, 20);
    assert.deepEqual(
      c.map((x) => [x.text, x.at]),
      [
        ['0', 5],
        ['2', 25],
        ['4', 45],
        ['6', 65],
        ['8', 85],
      ],
    );
    assert.ok(
      cellTicks(2.5, 4.5, 100, 40).every((x) => Number(x.text) >= 2 && Number(x.text) < 4.5),
    );
  });

  it('keeps the slice and zoom when the same array comes back, else the saved one if it fits', () => {
    const h = heatmap({ rowAxis: 1, colAxis: 2, indices: [0, 0, 0], fullRows: 2, fullCols: 3 });
    const view = { name: 'w', shape: [5, 2, 3], heatmap: h } as unknown as ArrayView;
    const prev = shownFor(view, undefined).s;
    prev.indices = [4, 0, 0];
    prev.zoom = { r0: 0, r1: 1, c0: 0, c1: 1 };
    const c = carriedOver(prev, view, undefined)!;
    assert.equal(c.fromRestore, false);
    const next = shownFor(view, c.keep);
    assert.equal(next.differs, true);
    assert.deepEqual(next.s.indices, [4, 0, 0]);
    assert.deepEqual(next.s.zoom, prev.zoom);
    // a saved slice for another shape is not used; indices beyond the axis are clamped
    assert.equal(carriedOver(undefined, view, { entry: 'w', shape: [9, 2, 3] }), undefined);
    const r = carriedOver(undefined, view, {
      entry: 'w',
      shape: [5, 2, 3],
      rowAxis: 0,
      colAxis: 2,
      indices: [0, 99, 0],
    })!;
    assert.equal(r.fromRestore, true);
    assert.deepEqual(shownFor(view, r.keep).s.indices, [0, 1, 0]);
    // axes that are not axes of the array are ignored
    assert.equal(shownFor(view, { rowAxis: 7, colAxis: 0, indices: [] }).differs, false);
  });

  it('reads values that VS Code sent as JSON (a panel another extension created) back as numbers', () => {
    const sent = JSON.parse(JSON.stringify(new Float32Array([1, NaN, 2.5, -3])));
    assert.deepEqual([...floatValues(sent)], [1, NaN, 2.5, -3]);
    assert.ok(float32Values(sent) instanceof Float32Array);
    const same = new Float64Array([1e200]);
    assert.equal(floatValues(same), same, 'typed arrays pass through untouched');
  });
});
