/**
 * The embeddings view's pure parts (unit-tested in Node): number formats, row labels (one per
 * line, tab-separated columns), a pasted query vector, the display orders of the heatmap,
 * the norm histogram, the 3-D rotation of the PCA scatter, categorical colours and the words
 * of the checks.
 */
export { fmt4, fmt6 } from '../shared/numberFormat';
import type { DuplicatePairs } from '../../src/core/embeddings/nearDuplicates';
import type { EmbeddingsInfo } from '../../src/protocol/embeddings';
import type { EmbeddingsOrder } from '../../src/protocol/embeddingsView';

/** Row labels: one line per row; a line may hold tab-separated columns (the first is the name). */
export interface Labels {
  /** the first column of each line */
  list: string[];
  /** every column, per line (for "colour by column k") */
  columns: string[][];
  from: string;
}

/** Labels from lines of text (a list, or a file's lines). */
export function labelsOf(lines: string[], from: string): Labels {
  const columns = lines.map((l) => l.replace(/\r$/, '').split('\t'));
  return { list: columns.map((c) => c[0]), columns, from };
}

/** Labels typed or pasted: one per line, or comma separated on a single line. */
export function parseLabelText(text: string, from = 'typed list'): Labels | undefined {
  const t = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  if (t.trim() === '') return undefined;
  const lines = t.includes('\n') ? t.split('\n') : t.split(',').map((s) => s.trim());
  return labelsOf(lines, from);
}

/** Columns the labels have (the fewest any line has). */
export function labelColumns(l: Labels | undefined): number {
  if (!l || l.columns.length === 0) return 0;
  return Math.min(...l.columns.map((c) => c.length));
}

/** The label of row i, or undefined when it has none. */
export function labelAt(l: Labels | undefined, i: number): string | undefined {
  return l && i < l.list.length ? l.list[i] : undefined;
}

/** "row 12 “cat”" or "row 12". */
export function rowText(l: Labels | undefined, i: number): string {
  const s = labelAt(l, i);
  return s === undefined ? `row ${i}` : `row ${i} “${s}”`;
}

/** The note on the labels in use. */
export function labelsNote(l: Labels | undefined, rows: number): string {
  if (!l) return 'rows are labelled by index';
  const n = l.list.length;
  const cols = labelColumns(l);
  const extra = cols > 1 ? ` · ${cols} columns` : '';
  if (n === rows) return `${n} labels from ${l.from}${extra}`;
  return `${n} labels from ${l.from} for ${rows} rows: ${n < rows ? 'the rest show their index' : `${n - rows} unused`}${extra}`;
}

/**
 * What the row box names: a row index ("12", "#12") or a label (exact match first, then a
 * case-insensitive one). An error line when it names nothing.
 */
export function findRow(
  text: string,
  l: Labels | undefined,
  rows: number,
): { row: number } | { error: string } {
  const t = text.trim();
  if (t === '') return { error: 'type a row index or a label' };
  if (l) {
    const exact = l.list.indexOf(t);
    if (exact >= 0 && exact < rows) return { row: exact };
  }
  const m = /^#?(\d+)$/.exec(t);
  if (m) {
    const i = Number(m[1]);
    return i < rows ? { row: i } : { error: `row ${i} is outside 0…${rows - 1}` };
  }
  if (l) {
    const low = t.toLowerCase();
    const i = l.list.findIndex((s) => s.toLowerCase() === low);
    if (i >= 0 && i < rows) return { row: i };
    return { error: `no row is labelled “${t}”` };
  }
  return { error: `“${t}” is not a row index (no labels are loaded)` };
}

/**
 * A pasted query vector: numbers separated by commas, spaces or newlines, optionally in
 * [brackets] (a Python/NumPy list as printed). Exactly `d` finite numbers.
 */
export function parseQuery(text: string, d: number): { query: number[] } | { error: string } {
  const t = text.trim().replace(/^\[+|\]+$/g, '');
  if (t === '') return { error: 'paste a vector' };
  const parts = t.split(/[\s,;]+/).filter((s) => s !== '');
  const out: number[] = [];
  for (const s of parts) {
    const x = Number(s);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || !Number.isFinite(x))
      return { error: `“${s.slice(0, 20)}” is not a finite number` };
    out.push(x);
  }
  if (out.length !== d) return { error: `the vector has ${out.length} values; the rows have ${d}` };
  return { query: out };
}

/** Argsort, ties by index; NaN keys last. `desc` for descending. */
export function argsort(keys: ArrayLike<number>, desc = false): number[] {
  const idx = Array.from({ length: keys.length }, (_, i) => i);
  const k = (i: number) => {
    const v = keys[i];
    return Number.isNaN(v) ? Infinity : desc ? -v : v;
  };
  return idx.sort((a, b) => k(a) - k(b) || a - b);
}

/**
 * The display order (a permutation of the rows), or null for the original order:
 * - norm: by ‖xᵢ‖, largest first;
 * - pc1: by the first principal coordinate (rows of one direction end up together);
 * - angle: by the angle of (PC1, PC2) around the mean — a cheap grouping that puts rows of
 *   one cluster next to each other when the clusters separate in the first two PCs (it is not
 *   hierarchical clustering).
 * Rows with NaN/Inf go last. ('cluster' is computed in the worker: clusterOrder.ts.)
 */
export function displayOrder(
  mode: Exclude<EmbeddingsOrder, 'cluster'>,
  norms: ArrayLike<number>,
  proj: ArrayLike<number>,
  k: number,
): number[] | null {
  const n = norms.length;
  if (mode === 'original') return null;
  if (mode === 'norm') return argsort(norms, true);
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = proj[i * k];
    const y = k > 1 ? proj[i * k + 1] : 0;
    key[i] = mode === 'pc1' ? x : Math.atan2(y, x);
  }
  return argsort(key, mode === 'pc1');
}

export const ORDER_NAMES: Record<EmbeddingsOrder, string> = {
  original: 'original',
  norm: 'sorted by norm',
  pc1: 'sorted by PC 1',
  angle: 'grouped by PC 1–2 angle',
  cluster: 'clustered (spherical k-means)',
};

/** Equal-width histogram of the finite values: `bins` counts between lo and hi. */
export function histogram(
  values: ArrayLike<number>,
  bins: number,
): { lo: number; hi: number; counts: number[] } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (lo > hi) return { lo: 0, hi: 0, counts };
  const w = hi - lo;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const b = w > 0 ? Math.min(bins - 1, Math.floor(((v - lo) / w) * bins)) : 0;
    counts[b]++;
  }
  return { lo, hi, counts };
}

/**
 * A point of the 3-D scatter on screen: rotated by `yaw` about the vertical axis, then by
 * `pitch` about the horizontal one (radians); returns (x right, y up, depth towards the viewer).
 */
export function rotate3d(
  x: number,
  y: number,
  z: number,
  yaw: number,
  pitch: number,
): [number, number, number] {
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const x1 = cy * x + sy * z;
  const z1 = -sy * x + cy * z;
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  const y2 = cp * y - sp * z1;
  const z2 = sp * y + cp * z1;
  return [x1, y2, z2];
}

/** Ten distinct colours (Tableau 10) for categories; more categories repeat them. */
export const CATEGORY_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The categories of a label column in order of first appearance, and each row's index into them. */
export function categories(values: string[]): { names: string[]; index: number[] } {
  const seen = new Map<string, number>();
  const index = values.map((v) => {
    let k = seen.get(v);
    if (k === undefined) {
      k = seen.size;
      seen.set(v, k);
    }
    return k;
  });
  return { names: [...seen.keys()], index };
}

/** The line naming zero and NaN/Inf rows. */
export function badRowsText(info: EmbeddingsInfo, l: Labels | undefined): string {
  const list = (rows: number[], total: number) => {
    const names = rows.slice(0, 8).map((i) => rowText(l, i));
    return names.join(', ') + (total > names.length ? ` and ${total - names.length} more` : '');
  };
  const z = info.zeroRows;
  const f = info.nonFiniteRows;
  if (z.length === 0 && f.length === 0) return 'No zero rows and no rows with NaN or Inf.';
  const parts: string[] = [];
  if (z.length)
    parts.push(
      `${z.length} zero row${z.length === 1 ? '' : 's'} (cosine 0 with every row): ${list(z, z.length)}`,
    );
  if (f.length)
    parts.push(
      `${f.length} row${f.length === 1 ? '' : 's'} with NaN or Inf (left out): ${list(f, f.length)}`,
    );
  return parts.join('. ') + '.';
}

/** The line summing up the near-duplicate pairs. */
export function duplicatesText(d: DuplicatePairs): string {
  if (d.count === 0) return `No pairs of rows with cosine > ${d.threshold}.`;
  const shown = d.pairs.length < d.count ? ` (the ${d.pairs.length} most similar listed)` : '';
  return `${d.count.toLocaleString('en-US')} pair${d.count === 1 ? '' : 's'} of rows with cosine > ${d.threshold}${shown}.`;
}

/** The shape line under the title. */
export function shapeLine(info: EmbeddingsInfo): string {
  return `${info.rows.toLocaleString('en-US')} vectors × ${info.cols} dimensions`;
}
