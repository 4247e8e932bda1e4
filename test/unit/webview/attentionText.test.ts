import assert from 'node:assert/strict';
import { attentionLayout } from '../../../src/core/attention/weights';
import type { AttentionFocusData, AttentionViewInfo } from '../../../src/protocol/worker';
import {
  fmt6,
  focusCell,
  focusNote,
  focusTooltip,
  parseTokens,
  shapeLine,
  tokensNote,
} from '../../../webview/attention/format';
import { messagePage, openPage, savedView } from '../../../webview/attention/state';

function focusData(over: Partial<AttentionFocusData>): AttentionFocusData {
  return {
    layer: 0,
    batch: 0,
    head: 0,
    rows: 4,
    cols: 4,
    row0: 0,
    col0: 0,
    rowStep: 1,
    colStep: 1,
    fullRows: 4,
    fullCols: 4,
    min: 0,
    max: 1,
    values: new Float32Array(16).map((_, i) => i / 16),
    ...over,
  } as AttentionFocusData;
}

/** The attention view's words and state (webview/attention/format.ts, state.ts). */
describe('attention view text and state (webview/attention)', () => {
  it('formats weights to 6 significant digits, exponents for the very small', () => {
    assert.equal(fmt6(0.123456789), '0.123457');
    assert.equal(fmt6(1.5e-7), '1.5e-7');
    assert.equal(fmt6(null), 'NaN');
    assert.equal(fmt6(0), '0');
  });

  it('splits token labels on commas when there is one, else on whitespace', () => {
    assert.deepEqual(parseTokens(' the  quick\tfox '), ['the', 'quick', 'fox']);
    assert.deepEqual(parseTokens('a b, c'), ['a b', 'c']);
    assert.deepEqual(parseTokens('   '), []);
  });

  it('names a full-resolution cell with its tokens, a pooled cell by its block', () => {
    const f = focusData({ values: new Float32Array(16).fill(0.25) });
    const tokens = { list: ['The', 'quick', 'brown'], from: 'typed list' };
    assert.equal(
      focusTooltip(focusCell(f, 2, 1), tokens),
      'query 2 "brown" → key 1 "quick" = 0.25',
    );
    assert.equal(focusTooltip(focusCell(f, 3, 0), tokens), 'query 3 → key 0 "The" = 0.25');
    const pooled = focusData({
      rows: 2,
      cols: 2,
      rowStep: 3,
      colStep: 3,
      fullRows: 5,
      fullCols: 5,
    });
    assert.equal(
      focusTooltip(focusCell(pooled, 1, 1), undefined),
      'queries 3–4 → keys 3–4: max = 0.1875',
    );
    assert.equal(
      focusNote(pooled),
      'queries 0–4 × keys 0–4 · max-pooled 3×3 (zoom in for full resolution)',
    );
    assert.equal(
      focusNote(focusData({ row0: 4, col0: 4, fullRows: 8, fullCols: 8 })),
      'queries 4–11 × keys 4–11 · full resolution',
    );
  });

  it('says where labels come from and whether they are enough', () => {
    const l = attentionLayout([2, 16, 16]);
    assert.equal(tokensNote(undefined, l), 'labels: indices 0…15');
    assert.equal(
      tokensNote({ list: ['a', 'b'], from: 'typed list' }, l),
      '2 labels from typed list for 16 tokens: the rest show their index',
    );
    assert.equal(
      tokensNote({ list: new Array(18).fill('x'), from: 'tokens.txt' }, l),
      '18 labels from tokens.txt (2 more than tokens; ignored)',
    );
    const info = { dtype: 'float32', ms: 3 } as AttentionViewInfo;
    assert.equal(
      shapeLine(info, attentionLayout([1, 2, 4, 16, 16])),
      'float32[1, 2, 4, 16, 16] · 1 layer · 2 batches · 4 heads · 16 queries × 16 keys · computed in 3 ms',
    );
  });

  it('opens on the saved head clamped to the weights, and remembers it through a message', () => {
    const info = { shape: [3, 8, 8], dtype: 'float32', ms: 1 } as unknown as AttentionViewInfo;
    const saved = {
      origin: { kind: 'file' as const, uri: 'file:///w.npy' },
      title: 'w.npy',
      layer: 5,
      batch: 2,
      head: 7,
      tokens: { list: ['a'], from: 'typed list' },
    };
    const p = openPage('w.npy', info, saved, 'viridis');
    assert.deepEqual([p.view.layer, p.view.batch, p.view.head], [0, 0, 2]);
    assert.deepEqual(p.tokens, saved.tokens);
    p.tokens = undefined;
    assert.equal('tokens' in savedView(p), false, 'cleared labels are not saved');
    const gone = messagePage('gone', 'w.npy', 'released', p);
    assert.deepEqual(gone.shape, [3, 8, 8]);
    assert.equal(gone.view?.head, 2);
  });
});
