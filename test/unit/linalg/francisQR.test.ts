/**
 * The Francis double-shift QR (LAPACK dlahqr's driver: Ahues–Tisseur deflation, exceptional
 * shifts every 10 sweeps without a deflation, dlanv2's 2×2 standard form) against NumPy's
 * eigvals (LAPACK dgeev) on the inputs that stall a plain double-shift QR: many repeated
 * defective eigenvalues (Jordan 2- and 3-blocks, n = 60 and 240, as given and after a random
 * orthogonal similarity), companion matrices of polynomials with repeated roots, the Wilkinson,
 * Clement and Frank matrices, nilpotent shift matrices, block-diagonal matrices of exactly
 * equal blocks, graded matrices, zero and 1×1/2×2 cases; NaN/±Inf give the numeric error.
 *
 * Our eigenvalues and NumPy's are matched as multisets (a perfect matching in the graph of
 * pairs closer than the tolerance). The tolerance per eigenvalue follows its conditioning:
 * a simple (or semisimple) λ moves by at most κ·‖E‖ under a perturbation E, so with a
 * backward error ‖E‖ ≲ n·eps·‖A‖_F: tol = 100·n·eps·‖A‖_F·κ (κ = ‖y‖·‖x‖/|yᴴx| from NumPy's
 * eigenvectors, or from the block's own for equal blocks). An eigenvalue in a Jordan block of
 * size k moves by ‖E‖^(1/k) (the k-th root of the perturbation): both LAPACK's and ours are only
 * accurate to about (n·eps)^(1/k)·‖A‖ (√eps·‖A‖ for 2-blocks), so there
 * tol = 10·(n·eps)^(1/k)·‖A‖_F. Every case also bounds the number of sweeps (hessenbergSchur's
 * stats on the Hessenberg form of A): the total and the most between two deflations. No timing.
 * Both engines: WebAssembly (its SIMD sweep kernel) and the TypeScript fallback.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonJson, tempDir } from '../../helpers/python';
import { generalEigen } from '../../../src/core/linalg';
import {
  hessenbergForm,
  hessenbergSchur,
  standardize2x2,
} from '../../../src/core/linalg/hessenbergFrancisQR';
import { useWasmKernels } from '../../../src/core/linalg/wasm/kernels';
import { LensError } from '../../../src/core/errors';

const EPS = 2 ** -52;

interface Case {
  name: string;
  n: number;
  re: number[];
  im: number[];
  tol: number[];
  /** the most sweeps allowed in all, and between two deflations */
  maxSweeps: number;
  maxRun: number;
}

/**
 * Whether ours (ar, ai) and the reference (br, bi) match as multisets: a perfect matching of
 * pairs with |λ − μ| ≤ tol[μ] (augmenting paths, Kuhn's algorithm). Returns the first reference
 * eigenvalue left unmatched, or undefined.
 */
function unmatched(
  ar: ArrayLike<number>,
  ai: ArrayLike<number>,
  br: number[],
  bi: number[],
  tol: number[],
): string | undefined {
  const n = br.length;
  if (ar.length !== n) return `${ar.length} eigenvalues for ${n}`;
  const adj: number[][] = [];
  for (let j = 0; j < n; j++) {
    const row: number[] = [];
    for (let i = 0; i < n; i++) if (Math.hypot(ar[i] - br[j], ai[i] - bi[j]) <= tol[j]) row.push(i);
    adj.push(row);
  }
  const owner = new Int32Array(n).fill(-1); // ours i → reference j
  let seen = new Uint8Array(n);
  const augment = (j: number): boolean => {
    for (const i of adj[j]) {
      if (seen[i]) continue;
      seen[i] = 1;
      if (owner[i] < 0 || augment(owner[i])) {
        owner[i] = j;
        return true;
      }
    }
    return false;
  };
  for (let j = 0; j < n; j++) {
    seen = new Uint8Array(n);
    if (!augment(j)) return `NumPy's λ ${br[j]} + ${bi[j]}i (tol ${tol[j]}) has no partner`;
  }
  return undefined;
}

describe('Francis QR (dlahqr driver) vs eigvals on defective, repeated and graded inputs', function () {
  this.timeout(600_000);
  const dir = tempDir('matrix-lens-francis-');
  let cases: Case[];

  before(() => {
    cases = pythonJson<Case[]>(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(7)
eps = 2.0 ** -52
out = []
def fro(a):
    mx = float(np.abs(a).max()) if a.size else 0.0
    return mx * float(np.linalg.norm(a / mx)) if mx > 0 else 0.0
def kappa(a):
    w, x = np.linalg.eig(a)
    y = np.linalg.inv(x)
    return w, np.linalg.norm(y, axis=1) * np.linalg.norm(x, axis=0)
def add(name, a, exact=None, sizes=None, kap=None, run=60):
    # exact: the true eigenvalues, sizes: their Jordan block sizes (1: use kappa)
    a = np.ascontiguousarray(a, dtype=np.float64)
    n = a.shape[0]
    a.tofile(os.path.join(d, name + '.bin'))
    f = fro(a)
    w = np.linalg.eigvals(a)
    if exact is None:
        w, k = kappa(a) if kap is None else (w, None)
        if kap is not None:
            k = np.array([kap[np.argmin(np.abs(kap[:, 0] - z)), 1].real for z in w])
        tol = 100 * n * eps * f * k
        tol[~np.isfinite(tol)] = 10 * np.sqrt(n * eps) * f
    else:
        exact = np.asarray(exact, dtype=complex); sizes = np.asarray(sizes)
        tol = np.array([10 * (n * eps) ** (1.0 / sizes[np.argmin(np.abs(exact - z))]) * f for z in w])
    tol = np.maximum(tol, 1e-300)
    out.append(dict(name=name, n=n, re=w.real.tolist(), im=w.imag.tolist(), tol=tol.tolist(),
                    maxSweeps=8 * n + 40, maxRun=run))
def jordan(lam, k):
    m = len(lam) * k
    a = np.kron(np.diag(lam), np.eye(k)) + np.kron(np.eye(len(lam)), np.diag(np.ones(k - 1), 1))
    return a, np.repeat(lam, k), np.full(m, k)
def orth(n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))
# the reported failure: 120 Jordan 2-blocks with random eigenvalues at n = 240, rotated
for seed in (0, 1, 2):
    r = np.random.default_rng(seed)
    a, ex, sz = jordan(r.standard_normal(120), 2)
    q, _ = np.linalg.qr(r.standard_normal((240, 240)))
    add('120 Jordan 2-blocks, random similarity, seed %d' % seed, q @ a @ q.T, ex, sz)
for n in (60, 240):
    for k in (2, 3):
        lam = rng.permutation(np.linspace(-3, 3, n // k))
        a, ex, sz = jordan(lam, k)
        add('%d Jordan %d-blocks n=%d' % (n // k, k, n), a, ex, sz)
        q = orth(n)
        add('%d Jordan %d-blocks n=%d, orthogonal similarity' % (n // k, k, n), q @ a @ q.T, ex, sz)
# derogatory: 5 eigenvalues, each in many Jordan blocks of sizes 1..4 (multiplicity ~48),
# rotated; tolerance from the largest block of each value. Sweeps between deflations measured
# up to 109 on 20 such seeds (the clusters deflate one by one), hence the larger bound
vals = rng.standard_normal(5)
a = np.zeros((240, 240)); ex = []; kmax = {}
m = 0
while m < 240:
    k = min(int(rng.integers(1, 5)), 240 - m); v = vals[int(rng.integers(0, 5))]
    a[m:m + k, m:m + k] = np.diag(np.full(k, v)) + np.diag(np.ones(k - 1), 1)
    kmax[v] = max(kmax.get(v, 1), k); m += k
vs = sorted(kmax)
add('derogatory Jordan blocks of sizes 1-4, 5 values, n=240, orthogonal similarity',
    (lambda q: q @ a @ q.T)(orth(240)), vs, [kmax[v] for v in vs], run=200)
# companion matrices of polynomials with repeated roots
for roots, mult in (([1.0, -2.0, 0.5, 3.0], [3, 2, 4, 1]), ([0.7, -0.3], [5, 5]), ([2.0], [8])):
    rr = np.repeat(roots, mult)
    c = np.poly(rr)
    m = len(rr)
    comp = np.zeros((m, m)); comp[0, :] = -c[1:]; comp[1:, :-1] += np.eye(m - 1)
    add('companion, roots %s multiplicities %s' % (roots, mult), comp, rr, np.repeat(mult, mult))
# Wilkinson W21+ (pairs 1e-14 apart), Clement (Kac), Frank
w = np.diag(np.abs(np.arange(-10.0, 11.0))) + np.diag(np.ones(20), 1) + np.diag(np.ones(20), -1)
add('Wilkinson W21+', w)
for n in (20, 41):
    k = np.arange(1.0, n)
    add('Clement %d' % n, np.diag(n - k, 1) + np.diag(k, -1))
for n in (12, 20):
    i, j = np.indices((n, n))
    add('Frank %d' % n, np.where(j >= i - 1, n - np.maximum(i, j), 0).astype(float))
# nilpotent shift matrices: exact zero eigenvalues (upper: already triangular)
for n in (8, 30):
    s = np.diag(np.ones(n - 1), -1)
    add('lower shift %d' % n, s, np.zeros(n), [n] * n)
    add('upper shift %d' % n, s.T, np.zeros(n), [n] * n)
    q = orth(n)
    add('shift %d, orthogonal similarity' % n, q @ s @ q.T, np.zeros(n), [n] * n)
# cyclic permutations: orthogonal Hessenberg, the standard shifts leave them fixed (only the
# exceptional shifts move them)
for n in (3, 10, 100):
    add('cyclic permutation %d' % n, np.roll(np.eye(n), 1, axis=0))
# block-diagonal of exactly equal blocks (semisimple repeated eigenvalues, complex and real)
for bs, reps in ((4, 30), (3, 40), (2, 60)):
    b = rng.standard_normal((bs, bs))
    wb, kb = kappa(b)
    kap = np.stack([wb, kb], axis=1)
    a = np.kron(np.eye(reps), b)
    add('%d equal %dx%d blocks' % (reps, bs, bs), a, kap=kap)
    q = orth(bs * reps)
    add('%d equal %dx%d blocks, orthogonal similarity' % (reps, bs, bs), q @ a @ q.T, kap=kap)
# graded
n = 60
g = 10.0 ** (-np.arange(n) / 4)
add('graded rows and columns 1e-15 60', rng.standard_normal((n, n)) * np.outer(g, g))
add('graded Hessenberg 60', np.triu(rng.standard_normal((n, n)), -1) * np.outer(1 / g, g))
add('random 100', rng.standard_normal((100, 100)))
# zero and tiny cases
add('zero 50', np.zeros((50, 50)), np.zeros(50), [1] * 50)
add('1x1', np.array([[-2.5]]))
add('2x2 rotation', np.array([[0.0, 1.0], [-1.0, 0.0]]))
add('2x2 Jordan', np.array([[3.0, 1.0], [0.0, 3.0]]), [3.0, 3.0], [2, 2])
add('2x2 lower Jordan', np.array([[3.0, 0.0], [1.0, 3.0]]), [3.0, 3.0], [2, 2])
add('2x2 close real', np.array([[1.0, 1e-9], [1e-9, 1.0 + 1e-12]]))
add('2x2 real', np.array([[1.0, 2.0], [3.0, 4.0]]))
print(json.dumps(out))
`,
      [dir],
    );
  });

  const load = (c: Case): Float64Array => {
    const buf = readFileSync(join(dir, `${c.name}.bin`));
    const data = new Float64Array(c.n * c.n);
    data.set(new Float64Array(buf.buffer, buf.byteOffset, c.n * c.n));
    return data;
  };

  for (const wasm of [true, false]) {
    const engine = wasm ? 'WebAssembly' : 'TypeScript';

    it(`eigenvalues match eigvals as multisets to their conditioning (${engine} engine)`, () => {
      assert.ok(cases.length >= 40);
      const prev = useWasmKernels(wasm);
      try {
        for (const c of cases) {
          const e = generalEigen({ rows: c.n, cols: c.n, data: load(c) });
          const miss = unmatched(e.re, e.im, c.re, c.im, c.tol);
          assert.equal(miss, undefined, `${c.name}: ${miss}`);
          // conjugate pairs come out exact, +imag first
          for (let i = 0; i < c.n; i++)
            if (e.im[i] > 0) {
              assert.equal(e.re[i + 1], e.re[i], c.name);
              assert.equal(e.im[i + 1], -e.im[i], c.name);
              i++;
            } else assert.equal(e.im[i], 0, `${c.name}: a lone complex λ`);
        }
      } finally {
        useWasmKernels(prev);
      }
    });

    it(`the sweeps stay bounded on every case and the 2×2 blocks are standard (${engine} engine)`, () => {
      const prev = useWasmKernels(wasm);
      try {
        for (const c of cases) {
          const h = hessenbergForm(load(c), c.n, { blocked: true });
          const s = hessenbergSchur(h, c.n, { kernel: wasm });
          const what = `${c.name}: ${s.stats.sweeps} sweeps, ${s.stats.maxRun} between deflations`;
          assert.ok(s.stats.sweeps <= c.maxSweeps, what);
          assert.ok(s.stats.maxRun <= c.maxRun, what);
          const n = c.n;
          for (let i = 0; i < n; i++) {
            if (s.im[i] !== 0) {
              // a conjugate pair: equal diagonal, off-diagonals of opposite sign, im = √(|b|·|c|)
              const a = s.h[i * n + i];
              const b = s.h[i * n + i + 1];
              const cc = s.h[(i + 1) * n + i];
              assert.equal(s.h[(i + 1) * n + i + 1], a, what);
              assert.ok(b * cc < 0, what);
              assert.equal(s.re[i], a, what);
              assert.equal(s.im[i], Math.sqrt(Math.abs(b)) * Math.sqrt(Math.abs(cc)), what);
              i++;
            } else {
              // a real eigenvalue: the diagonal entry of a triangular spot
              assert.equal(s.re[i], s.h[i * n + i], what);
              if (i + 1 < n) assert.equal(s.h[(i + 1) * n + i], 0, what);
            }
          }
        }
      } finally {
        useWasmKernels(prev);
      }
    });
  }

  it('the sweep kernel and the TypeScript sweep give the same bits on the defective cases', () => {
    for (const c of cases) {
      if (!/Jordan|companion|shift/.test(c.name)) continue;
      const h = hessenbergForm(load(c), c.n, { blocked: false });
      for (const vectors of [false, true]) {
        const w = hessenbergSchur(h, c.n, { kernel: true, vectors });
        const t = hessenbergSchur(h, c.n, { kernel: false, vectors });
        assert.deepEqual(w.re, t.re, c.name);
        assert.deepEqual(w.im, t.im, c.name);
        assert.deepEqual(w.stats, t.stats, c.name);
        if (vectors) assert.deepEqual(w.V, t.V, c.name);
      }
    }
  });

  it('eigenvectors of equal blocks, Jordan blocks and repeated-root companions: ‖Av − λv‖ ≤ 1e3·n·eps·‖A‖_F', () => {
    for (const c of cases) {
      if (!/equal|companion, roots \[1|Clement 20|Frank 12|seed 0|3-blocks n=60, orth/.test(c.name))
        continue;
      const a = load(c);
      const n = c.n;
      const r = generalEigen({ rows: n, cols: n, data: a }, { vectors: true });
      let fro = 0;
      for (const v of a) fro += v * v;
      const tol = 1e3 * n * EPS * Math.sqrt(fro);
      const vr = r.vectorsRe!.data;
      const vi = r.vectorsIm!.data;
      for (let j = 0; j < n; j++) {
        let res = 0;
        for (let i = 0; i < n; i++) {
          let sr = 0;
          let si = 0;
          for (let k = 0; k < n; k++) {
            sr += a[i * n + k] * vr[k * n + j];
            si += a[i * n + k] * vi[k * n + j];
          }
          sr -= r.re[j] * vr[i * n + j] - r.im[j] * vi[i * n + j];
          si -= r.re[j] * vi[i * n + j] + r.im[j] * vr[i * n + j];
          res += sr * sr + si * si;
        }
        assert.ok(Math.sqrt(res) <= tol, `${c.name} column ${j}: residual ${Math.sqrt(res)}`);
      }
    }
  });

  it('2×2 standard form (dlanv2): similarity, form and eigenvalues on random and edge blocks', () => {
    const blocks: number[][] = [
      [0, 0, 0, 0],
      [1, 2, 0, 3],
      [1, 0, 2, 3],
      [2, 1, -1, 2],
      [2, -1, 1, 2],
      [3, 1, 0, 3],
      [3, 0, 1, 3],
      [1, 1e-9, 1e-9, 1 + 1e-12],
      [1, 1e-300, -1e-300, 1],
      [1e300, 1e300, -1e300, 1e300],
      [1e-300, 3e-300, 2e-300, -1e-300],
      [0, 1, 1e-20, 0],
      [5, 4, 4, 5],
    ];
    let seed = 11;
    const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;
    for (let t = 0; t < 200; t++) blocks.push([rnd(), rnd(), rnd(), rnd()]);
    const io = new Float64Array(9);
    for (const [a, b, c, d] of blocks) {
      io.set([a, b, c, d]);
      standardize2x2(io);
      const [a2, b2, c2, d2, r1, i1, r2, cs, sn] = io;
      const what = `[${a} ${b}; ${c} ${d}] → [${a2} ${b2}; ${c2} ${d2}] cs ${cs} sn ${sn}`;
      assert.ok(Math.abs(cs * cs + sn * sn - 1) <= 4 * EPS, what);
      // G·[a2 b2; c2 d2]·Gᵀ = [a b; c d], G = [cs −sn; sn cs]
      const m = Math.max(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d));
      const g = [
        [cs, -sn],
        [sn, cs],
      ];
      const t2 = [
        [a2, b2],
        [c2, d2],
      ];
      const orig = [
        [a, b],
        [c, d],
      ];
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          let v = 0;
          for (let k = 0; k < 2; k++) for (let l = 0; l < 2; l++) v += g[i][k] * t2[k][l] * g[j][l];
          assert.ok(Math.abs(v - orig[i][j]) <= 8 * EPS * m, `${what}: entry ${i},${j} ${v}`);
        }
      if (c2 === 0) {
        assert.equal(i1, 0, what);
        assert.equal(r1, a2, what);
        assert.equal(r2, d2, what);
      } else {
        assert.equal(a2, d2, what);
        assert.ok(b2 !== 0 && c2 !== 0 && Math.sign(b2) !== Math.sign(c2), what);
        assert.equal(r1, r2, what);
        assert.ok(i1 > 0, what);
      }
      // the eigenvalues: trace and determinant kept
      const tr = a + d;
      assert.ok(Math.abs(r1 + r2 - tr) <= 8 * EPS * m, `${what}: trace`);
      if (m === 0) continue;
      const det = (a / m) * (d / m) - (b / m) * (c / m);
      const det2 = (r1 / m) * (r2 / m) + (i1 / m) * (i1 / m);
      assert.ok(Math.abs(det2 - det) <= 16 * EPS, `${what}: determinant ${det2} vs ${det}`);
    }
  });

  it('a tiny subdiagonal beside a unit superdiagonal and equal diagonal is not deflated (Ahues–Tisseur)', () => {
    // [1 1; δ 1] has λ = 1 ± √δ: the plain test |δ| ≤ eps·(|1| + |1|) would deflate it and give
    // 1, 1 (an error of √δ = 3e-9); here the product δ·1 is weighed against the diagonal gap (0)
    for (const n of [2, 6]) {
      for (const kernel of [true, false]) {
        const h = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = Math.max(0, i - 1); j < n; j++)
            h[i * n + j] = i === j ? 1 + (n - 1 - i) : 0.5;
        h[(n - 2) * n + n - 2] = 1;
        h[(n - 1) * n + n - 1] = 1;
        h[(n - 2) * n + n - 1] = 1;
        h[(n - 1) * n + n - 2] = 1e-17;
        for (let i = 1; i < n - 1; i++) h[i * n + i - 1] = 0; // the other blocks are split off
        const s = hessenbergSchur(h, n, { kernel });
        const near1 = Array.from(s.re)
          .filter((r) => Math.abs(r - 1) < 1e-6)
          .sort((a, b) => a - b);
        assert.equal(near1.length, 2, `n=${n}: ${Array.from(s.re).join(' ')}`);
        const d = Math.sqrt(1e-17);
        assert.ok(Math.abs(near1[0] - (1 - d)) <= 1e-15, `n=${n}: ${near1[0]}`);
        assert.ok(Math.abs(near1[1] - (1 + d)) <= 1e-15, `n=${n}: ${near1[1]}`);
      }
    }
  });

  it('matrices mixing zeros, tiny (1e-30…1e-310), subnormal and normal entries: each λ is an eigenvalue of A + E with ‖E‖_F ≤ 4·n·eps·‖A‖_F (σ_min(A − λI) by NumPy)', () => {
    // the rotations, shifts and balancing meet subnormal products here; a backward error, not
    // a distance to NumPy's λ, since these matrices can be arbitrarily ill-conditioned.
    // Measured when written (5,000 such matrices, n = 2…21): ours ≤ 1.34·n·eps, NumPy ≤ 1.80.
    let x = 5;
    const rnd = () => (x = (x * 48271) % 2147483647) / 2147483647;
    const entry = (): number => {
      const u = rnd();
      const v =
        u < 0.35
          ? 0
          : u < 0.55
            ? (1 + 9 * rnd()) * 10 ** -(30 + Math.floor(rnd() * 280))
            : u < 0.6
              ? rnd() * 2 ** -1060
              : 1 + 999 * rnd();
      return rnd() < 0.5 ? -v : v;
    };
    const cases = Array.from({ length: 300 }, (_, i) => {
      const n = 2 + Math.floor(rnd() * 9);
      const a = Array.from({ length: n * n }, entry);
      // half on each engine: WebAssembly's sweep kernel and the TypeScript sweep
      const prev = useWasmKernels(i % 2 === 0);
      try {
        const r = generalEigen({ rows: n, cols: n, data: Float64Array.from(a) });
        return { n, a, re: Array.from(r.re), im: Array.from(r.im) };
      } finally {
        useWasmKernels(prev);
      }
    });
    const file = join(tempDir(), 'mixed.json');
    writeFileSync(file, JSON.stringify(cases));
    const worst = pythonJson<{ ours: number; numpy: number; at: number }>(
      `
import json, sys, numpy as np
cases = json.load(open(sys.argv[1]))
eps = 2.0 ** -52
def backward(a, lam):
    n = a.shape[0]
    return max(np.linalg.svd(a - l * np.eye(n), compute_uv=False)[-1] for l in lam) / (n * eps)
ours, numpy, at = 0.0, 0.0, -1
for i, c in enumerate(cases):
    n = c['n']; a = np.array(c['a']).reshape(n, n); f = np.linalg.norm(a)
    if f == 0: continue
    b = backward(a / f, (np.array(c['re']) + 1j * np.array(c['im'])) / f)
    if b > ours: ours, at = b, i
    numpy = max(numpy, backward(a / f, np.linalg.eigvals(a) / f))
print(json.dumps(dict(ours=ours, numpy=numpy, at=at)))
`,
      [file],
    );
    assert.ok(
      worst.ours <= 4,
      `case ${worst.at}: ${worst.ours.toFixed(2)}·n·eps (NumPy's worst ${worst.numpy.toFixed(2)})`,
    );
  });

  it('NaN and ±Inf give the numeric error at once, in generalEigen and in the QR itself', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const n of [1, 2, 7, 130]) {
        const a = new Float64Array(n * n).map((_, i) => Math.sin(i + 1));
        a[(n * n) >> 1] = bad;
        assert.throws(
          () => generalEigen({ rows: n, cols: n, data: a }),
          (e: unknown) =>
            e instanceof LensError && e.code === 'numeric' && /NaN|Inf/.test(e.message),
        );
        const h = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = Math.max(0, i - 1); j < n; j++) h[i * n + j] = 1 / (i + j + 1);
        h[(n - 1) * n + Math.max(0, n - 2)] = bad;
        for (const kernel of [true, false])
          assert.throws(
            () => hessenbergSchur(h, n, { kernel }),
            (e: unknown) => e instanceof LensError && e.code === 'numeric' && /NaN/.test(e.message),
          );
      }
    }
  });
});
