/**
 * Which stops of a pinned value keep their full values: a byte budget per pin, the oldest
 * dropped first, the latest always kept (even alone over the budget), and only stops still in
 * the pin's history. Pure bookkeeping; the values themselves are whatever the caller stores
 * (the bytes as they crossed from the debuggee).
 */

/** Bytes of full values one pin may keep across its stops. */
export const PIN_RETAIN_BYTES = 256 * 1024 * 1024;

export interface Retained<V> {
  stop: number;
  bytes: number;
  value: V;
}

export class StopRetention<V> {
  private items: Retained<V>[] = [];

  constructor(readonly budget: number = PIN_RETAIN_BYTES) {
    if (!(budget >= 0)) throw new Error('retention budget must be a byte count');
  }

  /**
   * Keeps `value` for `stop` (replacing one already kept for it) and drops the oldest others
   * until the total fits the budget. Returns the stops dropped.
   */
  add(stop: number, bytes: number, value: V): number[] {
    this.items = this.items.filter((r) => r.stop !== stop);
    this.items.push({ stop, bytes, value });
    const dropped: number[] = [];
    let total = this.totalBytes;
    while (total > this.budget && this.items.length > 1) {
      const old = this.items.shift()!;
      total -= old.bytes;
      dropped.push(old.stop);
    }
    return dropped;
  }

  /** Keeps only the stops in `stops` (the pin's history moved on). */
  keepOnly(stops: Iterable<number>): void {
    const keep = new Set(stops);
    this.items = this.items.filter((r) => keep.has(r.stop));
  }

  get(stop: number): Retained<V> | undefined {
    return this.items.find((r) => r.stop === stop);
  }

  has(stop: number): boolean {
    return this.items.some((r) => r.stop === stop);
  }

  /** retained stops, oldest first. */
  stops(): number[] {
    return this.items.map((r) => r.stop);
  }

  get totalBytes(): number {
    let t = 0;
    for (const r of this.items) t += r.bytes;
    return t;
  }

  clear(): void {
    this.items = [];
  }
}

/** The default pair to compare: the previous retained stop vs the latest. */
export function defaultPair(stops: readonly number[]): [number, number] | undefined {
  if (stops.length < 2) return undefined;
  return [stops[stops.length - 2], stops[stops.length - 1]];
}
