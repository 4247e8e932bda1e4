/**
 * The attention view's words: number formats, head and tile names, token labels, the hover
 * text of a focus cell and the notes under the controls. Pure (unit-tested in Node).
 */
export { fmt6 } from '../shared/numberFormat';
import { fmt6 } from '../shared/numberFormat';
import type { AttentionLayout } from '../../src/core/attention/weights';
import type { AttentionFocusData, AttentionViewInfo } from '../../src/protocol/worker';

export interface Tokens {
  list: string[];
  from: string;
}

/** A tile's label: layer and head (the batch is in the picker). */
export function tileName(l: AttentionLayout, layer: number, head: number): string {
  return l.shape.length >= 5 ? `L${layer}·H${head}` : `H${head}`;
}

/** The label of token i, or undefined when it has none (the index is shown). */
export function tokenAt(tokens: Tokens | undefined, i: number): string | undefined {
  return tokens && i < tokens.list.length ? tokens.list[i] : undefined;
}

export function tokenText(tokens: Tokens | undefined, i: number): string {
  return tokenAt(tokens, i) ?? String(i);
}

/** Labels typed or pasted: comma separated when there is a comma, else whitespace separated. */
export function parseTokens(text: string): string[] {
  const t = text.trim();
  if (t === '') return [];
  if (t.includes(',')) return t.split(',').map((s) => s.trim());
  return t.split(/\s+/);
}

/** A focus cell: the full-resolution queries i0…i1 and keys j0…j1 it covers, and its value. */
export interface FocusCell {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
  v: number;
}

/** The cell (r, c) of the focus data. */
export function focusCell(f: AttentionFocusData, r: number, c: number): FocusCell {
  const i0 = f.row0 + r * f.rowStep;
  const j0 = f.col0 + c * f.colStep;
  return {
    i0,
    j0,
    i1: Math.min(i0 + f.rowStep, f.row0 + f.fullRows) - 1,
    j1: Math.min(j0 + f.colStep, f.col0 + f.fullCols) - 1,
    v: f.values[r * f.cols + c],
  };
}

/** `query 9 "fox" → key 4 "the" = 0.93`, or for a pooled cell the block and its max. */
export function focusTooltip(t: FocusCell, tokens: Tokens | undefined): string {
  const q = (i: number) => {
    const s = tokenAt(tokens, i);
    return s !== undefined ? ` "${s}"` : '';
  };
  if (t.i0 === t.i1 && t.j0 === t.j1)
    return `query ${t.i0}${q(t.i0)} → key ${t.j0}${q(t.j0)} = ${fmt6(t.v)}`;
  return `queries ${t.i0}–${t.i1} → keys ${t.j0}–${t.j1}: max = ${fmt6(t.v)}`;
}

/** What the focus head shows: its window and resolution. */
export function focusNote(f: AttentionFocusData): string {
  const pooled = f.rowStep > 1 || f.colStep > 1;
  return (
    `queries ${f.row0}–${f.row0 + f.fullRows - 1} × keys ${f.col0}–${f.col0 + f.fullCols - 1}` +
    (pooled
      ? ` · max-pooled ${f.rowStep}×${f.colStep} (zoom in for full resolution)`
      : ' · full resolution')
  );
}

/** Where the token labels come from, and whether there are enough. */
export function tokensNote(tokens: Tokens | undefined, l: AttentionLayout): string {
  const n = tokens?.list.length ?? 0;
  const need = Math.max(l.queries, l.keys);
  if (!tokens) return `labels: indices 0…${need - 1}`;
  return (
    `${n} labels from ${tokens.from}` +
    (n < need
      ? ` for ${need} tokens: the rest show their index`
      : n > need
        ? ` (${n - need} more than tokens; ignored)`
        : '')
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `float32[4, 16, 16] · 4 heads · 16 queries × 16 keys · computed in 3 ms` */
export function shapeLine(info: AttentionViewInfo, l: AttentionLayout): string {
  const nd = l.shape.length;
  return [
    `${info.dtype}[${l.shape.join(', ')}]`,
    ...(l.layers > 1 || nd >= 5 ? [plural(l.layers, 'layer', 'layers')] : []),
    ...(l.batches > 1 || nd >= 4 ? [plural(l.batches, 'batch', 'batches')] : []),
    plural(l.heads, 'head', 'heads'),
    `${l.queries} queries × ${l.keys} keys`,
    `computed in ${info.ms} ms`,
  ].join(' · ');
}
