import * as assert from 'node:assert/strict';
import { previewOf } from '../../../src/worker/arrays';
import { PREVIEW_CELLS, type HeatmapData } from '../../../src/protocol/common';

/** A drawn level of `rows × cols` (as the worker makes it: already pooled `step`× from a slice). */
function drawn(
  rows: number,
  cols: number,
  f: (r: number, c: number) => number,
  step = 4,
): HeatmapData {
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = f(r, c);
  return {
    rows,
    cols,
    fullRows: rows * step,
    fullCols: cols * step,
    rowAxis: 0,
    colAxis: 1,
    indices: [0, 0],
    sliceLabel: '',
    rowStep: step,
    colStep: step,
    row0: 0,
    col0: 0,
    min: null,
    max: null,
    pooling: 'mean',
    values,
  };
}

describe('worker: the coarse first-paint preview of a large drawn level', () => {
  it('is none for a drawn level of at most 256² cells or a zoom window', () => {
    assert.equal(previewOf(drawn(256, 256, () => 1)), undefined);
    const w = { ...drawn(1024, 1024, () => 1), window: { row0: 0, row1: 8, col0: 0, col1: 8 } };
    assert.equal(previewOf(w), undefined);
  });

  it('pools the drawn cells into at most 256² blocks, in the same grid (steps multiplied)', () => {
    const rng = (r: number, c: number) => (Math.sin(r * 12.9898 + c * 78.233) * 43758.5453) % 1;
    const h = drawn(1024, 768, rng);
    const p = previewOf(h, 'mean')!;
    assert.ok(p.rows * p.cols <= PREVIEW_CELLS, `${p.rows}×${p.cols}`);
    const kr = p.rowStep / h.rowStep;
    const kc = p.colStep / h.colStep;
    assert.ok(Number.isInteger(kr) && Number.isInteger(kc) && kr > 1 && kc > 1);
    assert.equal(p.rows, Math.ceil(1024 / kr));
    assert.equal(p.cols, Math.ceil(768 / kc));
    assert.equal(p.fullRows, h.fullRows);
    assert.equal(p.fullCols, h.fullCols);
    // every block: the mean of the drawn cells it covers (float64 sum, stored as float32)
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < p.rows; i++)
      for (let j = 0; j < p.cols; j++) {
        let s = 0;
        let n = 0;
        for (let r = i * kr; r < Math.min(1024, (i + 1) * kr); r++)
          for (let c = j * kc; c < Math.min(768, (j + 1) * kc); c++) {
            s += h.values[r * 768 + c];
            n++;
          }
        const want = Math.fround(s / n);
        assert.equal(p.values[i * p.cols + j], want, `block ${i}, ${j}`);
        lo = Math.min(lo, want);
        hi = Math.max(hi, want);
      }
    assert.equal(p.min, lo);
    assert.equal(p.max, hi);
  });

  it('max-|x| pooling keeps the extreme cell, and NaN/±Inf cells show in their block', () => {
    const h = drawn(600, 600, (r, c) =>
      r === 5 && c === 7 ? -9 : r === 300 && c === 300 ? NaN : r === 599 && c === 0 ? Infinity : 1,
    );
    const p = previewOf(h, 'maxabs')!;
    const kr = p.rowStep / h.rowStep;
    const kc = p.colStep / h.colStep;
    const at = (r: number, c: number) => p.values[Math.floor(r / kr) * p.cols + Math.floor(c / kc)];
    assert.equal(at(5, 7), -9);
    assert.ok(Number.isNaN(at(300, 300)));
    assert.equal(at(599, 0), Infinity);
    assert.equal(at(100, 100), 1);
  });
});
