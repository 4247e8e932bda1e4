/**
 * What changed in a watched array between two stops: Δ = now − before (cell by cell, as
 * float64), how many cells changed, max |Δ| and a symmetric colour range; NaN-aware (a cell
 * that is NaN at both stops is unchanged). Pure: used by the pin panel and unit-tested
 * against NumPy.
 */

export interface DeltaStats {
  /** cells whose value differs (NaN→NaN counts as equal, NaN↔number as changed). */
  changed: number;
  /** max |Δ| over cells where both values are finite (0 when none changed). */
  maxAbs: number;
  /** symmetric colour range [−r, r] for the Δ heatmap (r = maxAbs, 1 when nothing changed). */
  range: [number, number];
  /** cells that became NaN / ±Inf at this stop. */
  newNan: number;
  newInf: number;
}

/** Δ = now − before; equal shapes only (the caller reports a shape change instead). */
export function delta(
  now: ArrayLike<number>,
  before: ArrayLike<number>,
): { delta: Float64Array; stats: DeltaStats } {
  if (now.length !== before.length)
    throw new Error(`shape changed: ${before.length} → ${now.length} elements`);
  const d = new Float64Array(now.length);
  let changed = 0;
  let maxAbs = 0;
  let newNan = 0;
  let newInf = 0;
  for (let i = 0; i < now.length; i++) {
    const a = now[i];
    const b = before[i];
    const an = a !== a;
    const bn = b !== b;
    if (an || bn) {
      d[i] = NaN;
      if (an !== bn) changed++;
      if (an && !bn) newNan++;
      continue;
    }
    if (a !== b) changed++;
    const ai = a === Infinity || a === -Infinity;
    if (ai && a !== b) newInf++;
    const x = a - b;
    d[i] = x;
    if (Number.isFinite(x)) {
      const ax = Math.abs(x);
      if (ax > maxAbs) maxAbs = ax;
    }
  }
  const r = maxAbs > 0 ? maxAbs : 1;
  return { delta: d, stats: { changed, maxAbs, range: [-r, r], newNan, newInf } };
}

/** Where NaN/Inf was first seen in a pinned value: "NaN first seen at stop 7, line 42". */
export interface FirstSeen {
  stop: number;
  line: number;
}

export class NonFiniteTracker {
  nan: FirstSeen | undefined;
  inf: FirstSeen | undefined;

  /** Records one stop's counts (from the debuggee's statistics). */
  observe(
    stop: number,
    line: number,
    counts: { nan: number; posinf: number; neginf: number },
  ): void {
    if (!this.nan && counts.nan > 0) this.nan = { stop, line };
    if (!this.inf && counts.posinf + counts.neginf > 0) this.inf = { stop, line };
  }

  describe(): string {
    const parts: string[] = [];
    if (this.nan) parts.push(`NaN first seen at stop ${this.nan.stop}, line ${this.nan.line}`);
    if (this.inf) parts.push(`Inf first seen at stop ${this.inf.stop}, line ${this.inf.line}`);
    return parts.length ? parts.join('; ') : 'no NaN or Inf so far';
  }
}

/** The last `capacity` snapshots of a pin, oldest first. */
export class StopHistory<T> {
  private readonly items: T[] = [];
  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('history capacity must be at least 1');
  }
  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): T | undefined {
    return this.items[i < 0 ? this.items.length + i : i];
  }
  all(): readonly T[] {
    return this.items;
  }
}
