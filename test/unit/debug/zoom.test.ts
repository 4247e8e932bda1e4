import * as assert from 'node:assert/strict';
import {
  axisWindow,
  poolTarget,
  sourceWindow,
  windowBytes,
  windowLabel,
} from '../../../src/core/debug/zoom';

describe('debug: zooming into a pooled live value', () => {
  const m2 = { shape: [4096, 4096], pooled: [4, 4] as [number, number] };
  it('maps drawn cells to the source window they pool', () => {
    const src = sourceWindow(m2, { row0: 10, row1: 42, col0: 100, col1: 164 });
    assert.deepEqual(src, { row0: 40, row1: 168, col0: 400, col1: 656 });
    assert.deepEqual(axisWindow(m2, src), [
      [40, 168],
      [400, 656],
    ]);
  });
  it('clamps the last partial block to the value’s edge', () => {
    const m = { shape: [1000, 10], pooled: [3, 1] as [number, number] };
    assert.deepEqual(sourceWindow(m, { row0: 330, row1: 334, col0: 0, col1: 10 }), {
      row0: 990,
      row1: 1000,
      col0: 0,
      col1: 10,
    });
  });
  it('keeps the leading indices of an N-D value and pools 1-D values along columns', () => {
    const m3 = { shape: [2, 3, 2048, 4096], pooled: [2, 4] as [number, number], lead: [1, 2] };
    const w = axisWindow(m3, sourceWindow(m3, { row0: 3, row1: 9, col0: 0, col1: 5 }));
    assert.deepEqual(w, [
      [1, 2],
      [2, 3],
      [6, 18],
      [0, 20],
    ]);
    assert.equal(windowLabel('x', w), 'x[1, 2, 6:18, 0:20]');
    assert.equal(windowBytes(w, 4), 12 * 20 * 4);
    const m1 = { shape: [1 << 24], pooled: [1, 16384] as [number, number] };
    assert.deepEqual(axisWindow(m1, sourceWindow(m1, { row0: 0, row1: 1, col0: 2, col1: 3 })), [
      [32768, 49152],
    ]);
  });
});

describe('debug: the pool target of a zoomed window of a pooled live value', () => {
  it('is none when the window fits, and otherwise keeps what the debuggee sends within maxCells', () => {
    assert.equal(poolTarget(1024, 1024, 1024 * 1024), undefined);
    const cases: [number, number, number][] = [
      [4096, 4096, 1 << 20],
      [8192, 1536, 1 << 20],
      [3001, 17, 64],
      [1, 10_000_000, 4096],
      [1025, 1025, 1 << 20],
      [99_999, 3, 1000],
    ];
    for (const [rows, cols, maxCells] of cases) {
      const t = poolTarget(rows, cols, maxCells);
      assert.ok(t, `${rows}×${cols}`);
      // what the debuggee's _pool2d does with the target: ceil(n / target) cells per block
      const fr = Math.ceil(rows / t[0]);
      const fc = Math.ceil(cols / t[1]);
      const cells = Math.ceil(rows / fr) * Math.ceil(cols / fc);
      assert.ok(cells <= maxCells, `${rows}×${cols} → ${cells} cells > ${maxCells}`);
      // and not needlessly coarse: at least a quarter of the budget (or every row/col kept)
      assert.ok(
        cells * 4 >= Math.min(maxCells, rows * cols) || fr === 1 || fc === 1,
        `${rows}×${cols}: ${cells}`,
      );
    }
  });
});
