/** "Nice" axis ticks (1, 2, 5 × 10^k steps) covering [lo, hi], at most about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  // halves first: hi − lo overflows for ranges wider than 1.8e308
  const raw = ((hi * 0.5 - lo * 0.5) / Math.max(1, count)) * 2;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const out: number[] = [];
  if (!Number.isFinite(step) || !(step > 0)) return [lo, hi];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}
