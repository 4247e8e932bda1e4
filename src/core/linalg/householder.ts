/**
 * Householder reflectors and plane rotations shared by the reductions.
 * Reference: LAPACK dlarfg (reflector generation), dlartg (plane rotation), dnrm2 (scaled
 * 2-norm); Golub & Van Loan, Matrix Computations (4th ed.), §5.1.
 */

/** ‖x[off : off+len : stride]‖₂ without overflow or harmful underflow. */
export function norm2(x: Float64Array, off: number, len: number, stride = 1): number {
  let s = 0;
  for (let i = 0, p = off; i < len; i++, p += stride) s += x[p] * x[p];
  if (s > 1e-280 && s < 1e280) return Math.sqrt(s);
  if (s === 0) {
    // may still be nonzero values whose squares underflowed
    let any = false;
    for (let i = 0, p = off; i < len; i++, p += stride) if (x[p] !== 0) any = true;
    if (!any) return 0;
  }
  let scale = 0;
  for (let i = 0, p = off; i < len; i++, p += stride) scale = Math.max(scale, Math.abs(x[p]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let t = 0;
  for (let i = 0, p = off; i < len; i++, p += stride) {
    const v = x[p] / scale;
    t += v * v;
  }
  return scale * Math.sqrt(t);
}

/** √(a² + b²) without overflow (Math.hypot is slow in V8). */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const mx = x > y ? x : y;
  if (mx === 0) return 0;
  if (mx > 1e-150 && mx < 1e150) return Math.sqrt(x * x + y * y);
  const mn = x > y ? y : x;
  const r = mn / mx;
  return mx * Math.sqrt(1 + r * r);
}

/**
 * Generates a reflector H = I − τ v vᵀ (v₀ = 1) with H·[α; x] = [β; 0], in place:
 * x[off+stride*k] (k = 1..len-1) is overwritten with v[k], x[off] with β. Returns τ
 * (0 when x[1:] is already zero: H = I). Follows dlarfg's sign convention β = −sign(α)‖·‖.
 */
export function householder(x: Float64Array, off: number, len: number, stride = 1): number {
  if (len <= 1) return 0;
  let alpha = x[off];
  let xnorm = norm2(x, off + stride, len - 1, stride);
  if (xnorm === 0) return 0;
  let beta = -(alpha >= 0 ? 1 : -1) * hypot(alpha, xnorm);
  // β below safmin/eps: 1/(α − β) would overflow (Inf·0 = NaN in v). Scale x up by powers of
  // two until β is representable with room, as dlarfg does, and β back down at the end (the
  // reductions of exactly rank-deficient matrices end on such remnants, ~1e-300)
  let knt = 0;
  if (Math.abs(beta) < SAFMIN_EPS) {
    do {
      knt++;
      for (let i = 1, p = off + stride; i < len; i++, p += stride) x[p] *= RSAFMIN_EPS;
      beta *= RSAFMIN_EPS;
      alpha *= RSAFMIN_EPS;
    } while (Math.abs(beta) < SAFMIN_EPS && knt < 20);
    xnorm = norm2(x, off + stride, len - 1, stride);
    beta = -(alpha >= 0 ? 1 : -1) * hypot(alpha, xnorm);
  }
  const tau = (beta - alpha) / beta;
  const scale = 1 / (alpha - beta);
  for (let i = 1, p = off + stride; i < len; i++, p += stride) x[p] *= scale;
  for (let j = 0; j < knt; j++) beta *= SAFMIN_EPS;
  x[off] = beta;
  return tau;
}

/** dlarfg's threshold dlamch('S')/dlamch('E') = 2^-969 and its inverse (exact powers of two). */
const SAFMIN_EPS = 2 ** -969;
const RSAFMIN_EPS = 2 ** 969;

/** Plane rotation (c, s, r) with [c s; −s c]·[f; g] = [r; 0] (dlartg). */
export function givens(f: number, g: number, out: Float64Array): void {
  if (g === 0) {
    out[0] = 1;
    out[1] = 0;
    out[2] = f;
  } else if (f === 0) {
    out[0] = 0;
    out[1] = 1;
    out[2] = g;
  } else if (Math.abs(f) < GIVENS_TINY && Math.abs(g) < GIVENS_TINY) {
    // dlartg's scaled branch: from an r rounded to a subnormal (a few bits), c² + s² could be
    // far from 1; scaling by a power of two is exact, so c and s get full precision
    const fs = f * GIVENS_UP;
    const gs = g * GIVENS_UP;
    let r = hypot(fs, gs);
    if (f < 0) r = -r;
    out[0] = fs / r;
    out[1] = gs / r;
    out[2] = r / GIVENS_UP;
  } else {
    let r = hypot(f, g);
    if (f < 0) r = -r;
    out[0] = f / r;
    out[1] = g / r;
    out[2] = r;
  }
}

/** givens() scales inputs below this by GIVENS_UP (normal inputs keep their bits) */
const GIVENS_TINY = 2 ** -1000;
const GIVENS_UP = 2 ** 600;
