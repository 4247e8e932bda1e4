import * as assert from 'node:assert/strict';
import { defaultPair, PIN_RETAIN_BYTES, StopRetention } from '../../../src/core/debug/retention';

describe('debug: which stops of a pin keep their full values (byte budget)', () => {
  it('drops the oldest first until the total fits, and never the latest', () => {
    const r = new StopRetention<string>(100);
    assert.deepEqual(r.add(1, 40, 'a'), []);
    assert.deepEqual(r.add(2, 40, 'b'), []);
    assert.equal(r.totalBytes, 80);
    assert.deepEqual(r.add(3, 40, 'c'), [1], 'stop 1 goes: 120 > 100');
    assert.deepEqual(r.stops(), [2, 3]);
    assert.equal(r.get(1), undefined);
    assert.equal(r.get(3)?.value, 'c');
    // one value over the whole budget: it is kept alone (the latest always stays)
    assert.deepEqual(r.add(4, 250, 'd'), [2, 3]);
    assert.deepEqual(r.stops(), [4]);
    assert.equal(r.totalBytes, 250);
    // the next small value pushes the big one out
    assert.deepEqual(r.add(5, 10, 'e'), [4]);
    assert.deepEqual(r.stops(), [5]);
  });

  it('a stop captured again replaces its value instead of counting twice', () => {
    const r = new StopRetention<number>(100);
    r.add(1, 60, 1);
    r.add(1, 60, 2);
    assert.deepEqual(r.stops(), [1]);
    assert.equal(r.totalBytes, 60);
    assert.equal(r.get(1)?.value, 2);
  });

  it('follows the pin history (keepOnly) and releases everything on clear', () => {
    const r = new StopRetention<number>(1000);
    for (let s = 1; s <= 5; s++) r.add(s, 10, s);
    r.keepOnly([3, 4, 5, 6]);
    assert.deepEqual(r.stops(), [3, 4, 5]);
    assert.ok(r.has(4) && !r.has(2));
    r.clear();
    assert.deepEqual(r.stops(), []);
    assert.equal(r.totalBytes, 0);
  });

  it('defaults to the previous retained stop vs the latest; one stop is not a pair', () => {
    assert.deepEqual(defaultPair([2, 5, 9]), [5, 9]);
    assert.equal(defaultPair([9]), undefined);
    assert.equal(defaultPair([]), undefined);
    assert.equal(new StopRetention(0).budget, 0);
    assert.equal(new StopRetention().budget, PIN_RETAIN_BYTES);
    assert.throws(() => new StopRetention(Number.NaN), /byte count/);
  });
});
