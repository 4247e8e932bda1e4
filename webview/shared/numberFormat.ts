/** Number formats shared by the panels' tables, tooltips and axes. Pure (unit-tested in Node). */

/** 6 significant digits; exponent form below 1e-4 and from 1e9 (tables, tooltips). */
export function fmt6(x: number | null): string {
  if (x === null || Number.isNaN(x)) return 'NaN';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e9) return x.toExponential(5).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(6)));
}

/** 4 significant digits; exponent form below 1e-3 and from 1e6 (axes, bars). */
export function fmt4(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return x.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}
