import assert from 'node:assert/strict';
import { duplicateSearchRefusal, type EmbeddingsInfo } from '../../../src/protocol/embeddings';
import {
  argsort,
  badRowsText,
  categories,
  displayOrder,
  duplicatesText,
  findRow,
  histogram,
  labelColumns,
  labelsNote,
  labelsOf,
  parseLabelText,
  parseQuery,
  rotate3d,
} from '../../../webview/embeddings/format';

const info = (over: Partial<EmbeddingsInfo> = {}): EmbeddingsInfo => ({
  key: 'k',
  name: 'e.npy',
  rows: 6,
  cols: 3,
  zeroRows: [],
  nonFiniteRows: [],
  ...over,
});

describe('embeddings view: words and pure parts', () => {
  it('labels: one per line with tab-separated columns, or comma separated on one line', () => {
    const l = labelsOf(['cat\tanimal', 'car\tvehicle', 'dog\tanimal'], 'labels.tsv');
    assert.deepEqual(l.list, ['cat', 'car', 'dog']);
    assert.equal(labelColumns(l), 2);
    assert.deepEqual(parseLabelText('a, b ,c')!.list, ['a', 'b', 'c']);
    assert.deepEqual(parseLabelText('x y\nz\n')!.list, ['x y', 'z']);
    assert.equal(parseLabelText('  \n'), undefined);
    assert.equal(labelsNote(l, 3), '3 labels from labels.tsv · 2 columns');
    assert.match(labelsNote(l, 5), /for 5 rows: the rest show their index/);
    assert.equal(labelsNote(undefined, 5), 'rows are labelled by index');
  });

  it('finds a row by index or label (exact, then case-insensitive), and says why not', () => {
    const l = labelsOf(['Paris', 'rome', '7'], 'list');
    assert.deepEqual(findRow('rome', l, 3), { row: 1 });
    assert.deepEqual(findRow('PARIS', l, 3), { row: 0 });
    assert.deepEqual(findRow('7', l, 3), { row: 2 }, 'a label that looks like a number wins');
    assert.deepEqual(findRow('#1', l, 3), { row: 1 });
    assert.deepEqual(findRow('5', undefined, 3), { error: 'row 5 is outside 0…2' });
    assert.deepEqual(findRow('oslo', l, 3), { error: 'no row is labelled “oslo”' });
    assert.match((findRow('oslo', undefined, 3) as { error: string }).error, /no labels/);
  });

  it('parses a pasted vector (NumPy-printed too) and checks its length and values', () => {
    assert.deepEqual(parseQuery('[0.5, -1e-3,\n 2]', 3), { query: [0.5, -0.001, 2] });
    assert.deepEqual(parseQuery('[[1 2 3]]', 3), { query: [1, 2, 3] });
    assert.deepEqual(parseQuery('1 2', 3), { error: 'the vector has 2 values; the rows have 3' });
    assert.deepEqual(parseQuery('1 nan 2', 3), { error: '“nan” is not a finite number' });
    assert.deepEqual(parseQuery('1 0x10 2', 3), { error: '“0x10” is not a finite number' });
  });

  it('orders: original is null; norm descending; PC 1 descending; angle groups by direction; NaN last', () => {
    const norms = [1, 3, NaN, 2];
    const proj = [0.5, 1, -2, 0, NaN, NaN, 1, -1]; // k = 2
    assert.equal(displayOrder('original', norms, proj, 2), null);
    assert.deepEqual(displayOrder('norm', norms, proj, 2), [1, 3, 0, 2]);
    assert.deepEqual(displayOrder('pc1', norms, proj, 2), [3, 0, 1, 2]);
    // atan2: row 3 −π/4, row 0 ≈ 1.107, row 1 π, NaN last
    assert.deepEqual(displayOrder('angle', norms, proj, 2), [3, 0, 1, 2]);
    assert.deepEqual(argsort([2, 1, 1]), [1, 2, 0]);
  });

  it('norm histogram: equal-width bins of the finite values, the maximum in the last bin', () => {
    const h = histogram([0, 1, 2, 3, 4, NaN, Infinity], 4);
    assert.deepEqual([h.lo, h.hi], [0, 4]);
    assert.deepEqual(h.counts, [1, 1, 1, 2]);
    assert.deepEqual(histogram([5, 5], 3).counts, [2, 0, 0]);
    assert.deepEqual(histogram([NaN], 2), { lo: 0, hi: 0, counts: [0, 0] });
  });

  it('3-D rotation: yaw turns x towards depth, pitch turns y; lengths are kept', () => {
    const [x, y, z] = rotate3d(1, 0, 0, Math.PI / 2, 0);
    assert.ok(Math.abs(x) < 1e-12 && Math.abs(y) < 1e-12 && Math.abs(z + 1) < 1e-12);
    const [x2, y2, z2] = rotate3d(0, 1, 0, 0, Math.PI / 2);
    assert.ok(Math.abs(x2) < 1e-12 && Math.abs(y2) < 1e-12 && Math.abs(z2 - 1) < 1e-12);
    const p = rotate3d(0.3, -0.4, 1.2, 0.7, -0.2);
    assert.ok(Math.abs(Math.hypot(...p) - Math.hypot(0.3, -0.4, 1.2)) < 1e-12);
  });

  it('categories in order of first appearance', () => {
    assert.deepEqual(categories(['b', 'a', 'b', 'c']), {
      names: ['b', 'a', 'c'],
      index: [0, 1, 0, 2],
    });
  });

  it('names zero and NaN rows with their labels, and sums up duplicate pairs', () => {
    assert.equal(badRowsText(info(), undefined), 'No zero rows and no rows with NaN or Inf.');
    const l = labelsOf(['a', 'b', 'c', 'd', 'e', 'f'], 'list');
    assert.equal(
      badRowsText(info({ zeroRows: [2], nonFiniteRows: [4, 5] }), l),
      '1 zero row (cosine 0 with every row): row 2 “c”. 2 rows with NaN or Inf (left out): row 4 “e”, row 5 “f”.',
    );
    assert.equal(
      duplicatesText({ threshold: 0.99, count: 0, pairs: [] }),
      'No pairs of rows with cosine > 0.99.',
    );
    assert.equal(
      duplicatesText({ threshold: 0.9, count: 1200, pairs: [[0, 1, 0.95]] }),
      '1,200 pairs of rows with cosine > 0.9 (the 1 most similar listed).',
    );
  });

  it('near-duplicate search runs up to 20,000 rows and 10 G multiply-adds, and says why not', () => {
    assert.equal(duplicateSearchRefusal(5000, 768), undefined);
    assert.equal(duplicateSearchRefusal(20_000, 16), undefined);
    assert.match(duplicateSearchRefusal(6000, 768)!, /these 6,000 × 768 vectors need 14 G$/);
    assert.match(duplicateSearchRefusal(20_001, 2)!, /up to 20,000 rows/);
  });
});
