/** Number formatting shared by the tables and the charts of the results panel. */

/** 6 significant digits, exponent form for very large/small magnitudes; '—' for a missing value. */
export function fmt(x: number | null | undefined, digits = 6): string {
  // webview messages are JSON: ±Infinity and NaN arrive as null
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e9) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
}

/** Short axis tick labels: 3 significant digits, exponent form outside 1e-3…1e5. */
export function tick(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(3)));
  const e = Math.floor(Math.log10(a) + 1e-9);
  const m = x / 10 ** e;
  return Math.abs(Math.abs(m) - 1) < 1e-9
    ? `${m < 0 ? '-' : ''}1e${e}`
    : `${Number(m.toPrecision(2))}e${e}`;
}

export function complexText(re: number, im: number): string {
  if (im === 0) return fmt(re);
  return `${fmt(re)} ${im < 0 ? '-' : '+'} ${fmt(Math.abs(im))}i`;
}
