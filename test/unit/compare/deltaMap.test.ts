/**
 * The compare view's pure parts: the Δ map keeps the signed Δ of largest magnitude per pooled
 * cell (one changed element stays visible), NaN cells, the matrix layout of N-D arrays, the
 * symmetric range; and the checkpoint table's sort (largest change first, missing values last).
 */
import assert from 'node:assert/strict';
import { deltaMap, matrixLayout } from '../../../src/core/compare/deltaMap';
import type { CheckpointRow } from '../../../src/core/compare/checkpointDiff';
import { sortRows } from '../../../webview/compare/sort';

describe('compare view: Δ map and checkpoint table order', () => {
  it('full resolution: Δ = B − A cell by cell', () => {
    const a = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float64Array.from([1, 2.5, 3, 3, 5, 6]);
    const m = deltaMap(a, b, [2, 3]);
    assert.deepEqual([m.rows, m.cols, m.rowStep, m.colStep], [2, 3, 1, 1]);
    assert.deepEqual(Array.from(m.values), [0, 0.5, 0, -1, 0, 0]);
    assert.equal(m.maxAbs, 1);
  });

  it('pooled: one changed element in 1000×1000 survives with its sign; NaN marks its block', () => {
    const n = 1000;
    const a = new Float64Array(n * n);
    const b = new Float64Array(n * n);
    for (let i = 0; i < a.length; i++) b[i] = a[i] = Math.sin(i);
    b[777 * n + 3] -= 0.25;
    b[5] += 1e-9;
    b[999 * n + 999] = NaN;
    const m = deltaMap(a, b, [n, n], 1, 100);
    assert.deepEqual([m.rows, m.cols, m.rowStep, m.colStep], [100, 100, 10, 10]);
    assert.ok(Math.abs(m.values[77 * 100 + 0] - -0.25) < 1e-7);
    assert.ok(Math.abs(m.values[0] - 1e-9) < 1e-15);
    assert.ok(Number.isNaN(m.values[99 * 100 + 99]));
    assert.ok(Math.abs(m.maxAbs - 0.25) < 1e-12);
    assert.equal(m.values.filter((v) => v !== 0 && !Number.isNaN(v)).length, 2);
  });

  it('N-D arrays as [leading axes, last]; vectors as one row; complex as |Δ|', () => {
    assert.deepEqual(matrixLayout([2, 3, 4]), { rows: 6, cols: 4, layout: '[2·3, 4]' });
    assert.deepEqual(matrixLayout([7]), { rows: 1, cols: 7, layout: '' });
    assert.deepEqual(matrixLayout([]), { rows: 1, cols: 1, layout: '' });
    const m = deltaMap(Float64Array.from([0, 0, 1, 1]), Float64Array.from([3, 4, 1, 1]), [2], 2);
    assert.equal(m.magnitude, true);
    assert.deepEqual(Array.from(m.values), [5, 0]);
  });

  it('checkpoint rows sort by change, missing values last, ties by name', () => {
    const row = (name: string, relFro?: number, rank?: number): CheckpointRow => ({
      name,
      shapeEqual: relFro !== undefined,
      shapeA: [2, 2],
      shapeB: [2, 2],
      dtypeA: 'float32',
      dtypeB: 'float32',
      ...(relFro !== undefined ? { relFro } : {}),
      ...(rank !== undefined
        ? {
            spectrum: {
              singularValues: [],
              deltaRank: rank,
              deltaRank99: rank,
              tolerance: 0,
              rule: '',
            },
          }
        : {}),
    });
    const rows = [row('b', 0.1, 2), row('a', 0.5, 1), row('c'), row('d', 0.1, 4)];
    assert.deepEqual(
      sortRows(rows, 'relFro', true).map((r) => r.name),
      ['a', 'b', 'd', 'c'],
    );
    assert.deepEqual(
      sortRows(rows, 'rank', true).map((r) => r.name),
      ['d', 'b', 'a', 'c'],
    );
    assert.deepEqual(
      sortRows(rows, 'name', false).map((r) => r.name),
      ['a', 'b', 'c', 'd'],
    );
  });
});
