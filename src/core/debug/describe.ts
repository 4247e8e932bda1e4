/**
 * Text for live values: `float32[8, 16, 64]` and the one-line health summary the Tensors view,
 * the debug hover and inline values show. Pure: the numbers come from the debuggee helper.
 */
import { jsonNumber, type HelperMeta, type HelperStats } from '../../protocol/debug';

/** `float32[8, 16, 64]` (and `float32[]` for 0-d). */
export function shapeLabel(meta: Pick<HelperMeta, 'dtype' | 'shape'>): string {
  return `${meta.dtype}[${meta.shape.join(', ')}]`;
}

/** 4 significant digits, no trailing zeros; ±Inf/NaN spelled out. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '−Inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x).replace(/^-/, '−');
  const a = Math.abs(x);
  const s = a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(3) : x.toPrecision(4);
  return s
    .replace(/(\.\d*?)0+(e|$)/, '$1$2')
    .replace(/\.(e|$)/, '$1')
    .replace(/^-/, '−');
}

/** `min −1.2 max 3.4 mean 0.01 · NaN 0 +Inf 0 −Inf 0 zeros 12` */
export function healthLine(s: HelperStats): string {
  const range =
    s.finite > 0
      ? `min ${fmt(jsonNumber(s.min))} max ${fmt(jsonNumber(s.max))} mean ${fmt(jsonNumber(s.mean))}`
      : s.n === 0
        ? 'empty'
        : 'no finite values';
  return `${range} · NaN ${s.nan} +Inf ${s.posinf} −Inf ${s.neginf} zeros ${s.zeros}`;
}

/** `shape · device` details for a row: `cuda:0 · requires_grad`. */
export function placement(meta: HelperMeta): string {
  const parts = [meta.kind === 'list' ? 'list' : meta.device];
  if (meta.requiresGrad) parts.push('requires_grad');
  return parts.join(' · ');
}

/** Human size: 64 MiB. */
export function bytesLabel(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = n;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? x : x.toFixed(x >= 10 ? 0 : 1)} ${units[i]}`;
}

/** A file name for an expression: `self.weight` → `self.weight`, `batch['x']` → `batch_x_`. */
export function safeFileStem(expr: string): string {
  const s = expr
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 80);
  return s || 'value';
}

/**
 * Does a statically inferred shape text (`32, 3072`, `x.0, 64`, `5,`) agree with the live
 * shape? Symbolic dimensions match any size; the ranks must be equal.
 */
export function shapesAgree(inferred: string, live: readonly number[]): boolean {
  const dims = inferred
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  if (dims.length !== live.length) return false;
  return dims.every((d, i) => !/^\d+$/.test(d) || Number(d) === live[i]);
}

/** `(32, 3072)` / `(5,)` / `()`, as Python prints a shape. */
export function pyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
