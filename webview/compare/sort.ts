/** The checkpoint table's order (pure: unit-tested without a DOM). */
import type { CheckpointRow } from '../../src/core/compare/checkpointDiff';

export type SortKey = 'name' | 'shape' | 'maxAbs' | 'relFro' | 'rank' | 'allclose';

/** The value a column sorts by: numbers (missing last), or text. */
export function sortValue(r: CheckpointRow, key: SortKey): number | string {
  switch (key) {
    case 'name':
      return r.name;
    case 'shape':
      return `${r.dtypeA}[${r.shapeA.join(', ')}]`;
    case 'maxAbs':
      return r.delta ? r.delta.maxAbs : -1;
    case 'relFro':
      return r.relFro === undefined || r.relFro === null ? -1 : r.relFro;
    case 'rank':
      return r.spectrum ? r.spectrum.deltaRank : -1;
    case 'allclose':
      return r.error ? 'error' : !r.shapeEqual ? 'shape' : r.delta?.allclose ? 'yes' : 'no';
  }
}

/** Rows in display order: numeric columns descending first (largest change on top). */
export function sortRows(
  rows: readonly CheckpointRow[],
  key: SortKey,
  descending: boolean,
): CheckpointRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    const c =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? sign * c : a.name.localeCompare(b.name);
  });
}
