import * as assert from 'node:assert/strict';
import { axisWindow, sourceWindow, windowBytes, windowLabel } from '../../../src/core/debug/zoom';

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
