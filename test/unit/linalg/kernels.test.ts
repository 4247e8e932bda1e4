import * as assert from 'node:assert/strict';
import {
  generalEigen,
  matmul,
  matmulF32,
  matmulTransB,
  matrix,
  singularValues,
  streamingAttentionF32,
  svd,
  symmetricEigen,
} from '../../../src/core/linalg';
import { hessenbergSchur } from '../../../src/core/linalg/hessenbergFrancisQR';
import {
  Engine,
  engine,
  tsKernels,
  useWasmKernels,
  wasmKernels,
} from '../../../src/core/linalg/wasm/kernels';

/** Deterministic pseudo-random numbers in [-1, 1) (xorshift). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 31 - 1;
  };
}

function fill(e: Engine, at: number, n: number, r: () => number): void {
  for (let i = 0; i < n; i++) e.f64[at + i] = r();
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const SIZES = [1, 3, 7, 129];

/** Runs the same kernel call on both engines (same inputs) and returns the two heaps' outputs. */
function both(
  len: number,
  init: (e: Engine, base: number, r: () => number) => void,
  call: (e: Engine, base: number) => number | void,
  out: [number, number],
): { w: Float64Array; t: Float64Array; rw: number | void; rt: number | void } {
  const res: { heap: Float64Array; ret: number | void }[] = [];
  for (const e of [wasmKernels()!, tsKernels()]) {
    const mk = e.mark();
    const base = e.alloc64(len);
    init(e, base, rng(7));
    const ret = call(e, base);
    res.push({ heap: e.f64.slice(base + out[0], base + out[0] + out[1]), ret });
    e.release(mk);
  }
  return { w: res[0].heap, t: res[1].heap, rw: res[0].ret, rt: res[1].ret };
}

describe('SIMD WebAssembly kernels vs the TypeScript path', function () {
  this.timeout(60_000); // the TS-engine runs are slow on a loaded 2-core machine
  before(function () {
    if (!wasmKernels()) this.skip(); // no WebAssembly SIMD here: only the TS path exists
  });

  it('loads the wasm engine by default and can switch to the TS engine', () => {
    assert.equal(engine().kind, 'wasm');
    const prev = useWasmKernels(false);
    assert.equal(engine().kind, 'ts');
    useWasmKernels(prev);
  });

  it('dgemm (any strides, alpha) on odd sizes matches the TS engine', () => {
    for (const m of SIZES)
      for (const n of SIZES)
        for (const k of [1, 7, 129, 300]) {
          for (const transB of [false, true]) {
            const A = 0;
            const B = m * k;
            const C = B + k * n;
            const r = both(
              C + m * n,
              (e, o, rnd) => fill(e, o, C + m * n, rnd),
              (e, o) =>
                e.dgemm(
                  m,
                  n,
                  k,
                  -0.5,
                  o + A,
                  k,
                  1,
                  o + B,
                  transB ? 1 : n,
                  transB ? k : 1,
                  o + C,
                  n,
                ),
              [C, m * n],
            );
            assert.ok(maxAbsDiff(r.w, r.t) <= 1e-13 * k, `dgemm ${m}×${n}×${k} transB=${transB}`);
          }
        }
  });

  it('sgemm on odd sizes matches the TS engine to float32 accuracy', () => {
    for (const m of SIZES)
      for (const n of [1, 3, 8, 9, 129])
        for (const k of [1, 7, 129, 300]) {
          const e = wasmKernels()!;
          const t = tsKernels();
          const r = rng(m * 1000 + n * 10 + k);
          const a = Float32Array.from({ length: m * k }, r);
          const b = Float32Array.from({ length: k * n }, r);
          const out: Float32Array[] = [];
          for (const eng of [e, t]) {
            const mk = eng.mark();
            const ia = eng.alloc32(m * k);
            const ib = eng.alloc32(k * n);
            const ic = eng.alloc32(m * n);
            eng.f32.set(a, ia);
            eng.f32.set(b, ib);
            eng.f32.fill(0.25, ic, ic + m * n);
            eng.sgemm(m, n, k, ia, k, 1, ib, n, 1, ic, n);
            out.push(eng.f32.slice(ic, ic + m * n));
            eng.release(mk);
          }
          assert.ok(maxAbsDiff(out[0], out[1]) <= 4 * k * 2 ** -23, `sgemm ${m}×${n}×${k}`);
        }
  });

  it('level-1/2 kernels (dot, axpy, gemvT, gemvN, ger, reflRight, gerReflRight(Acc), symvLower, syr2SymvLower, rot) match', () => {
    for (const rows of SIZES)
      for (const cols of SIZES) {
        const ld = cols + 2;
        const M = rows * ld;
        const x = M;
        const y = x + Math.max(rows, cols) + 1;
        const z = y + Math.max(rows, cols) + 1;
        const pn = z + Math.max(rows, cols) + 1;
        const len = pn + rows + 1;
        const init = (e: Engine, o: number, r: () => number) => fill(e, o, len, r);
        const tol = 1e-13 * (rows + cols);
        const check = (name: string, call: (e: Engine, o: number) => number | void) => {
          const r = both(len, init, call, [0, len]);
          assert.ok(maxAbsDiff(r.w, r.t) <= tol, `${name} ${rows}×${cols}`);
          if (typeof r.rw === 'number')
            assert.ok(Math.abs(r.rw - (r.rt as number)) <= tol, `${name} ${rows}×${cols}`);
        };
        check('dot', (e, o) => e.dot(o + 1, o + x, cols));
        check('axpy', (e, o) => e.axpy(0.7, o + x, o + 1, cols));
        check('gemvT', (e, o) => e.gemvT(o, ld, rows, cols, o + x, o + y));
        check('gemvN', (e, o) => e.gemvN(o, ld, rows, cols, o + x, o + y));
        check('ger', (e, o) => e.ger(o + 1, ld, rows, cols, -1.3, o + x, o + y));
        check('reflRight', (e, o) => e.reflRight(o, ld, rows, cols, o + x, 1.1));
        check('gerReflRight', (e, o) =>
          e.gerReflRight(o + 1, ld, rows, cols, -0.4, o + x, o + y, o + z, 0.9),
        );
        check('gerReflRightAcc', (e, o) =>
          e.gerReflRightAcc(o + 1, ld, rows, cols, -0.4, o + x, o + y, o + z, 0.9, o + pn),
        );
        check('rot', (e, o) => e.rot(o, o + ld, cols, 0.6, 0.8));
        if (rows === cols) {
          check('symvLower', (e, o) => e.symvLower(o, ld, rows, o + x, o + y));
          check('syr2SymvLower', (e, o) =>
            e.syr2SymvLower(o, ld, rows, o + x, o + y, o + z, o + pn),
          );
        }
      }
  });

  it('decompositions and products agree between the wasm and TS engines on odd sizes', () => {
    for (const [m, n] of [
      [1, 1],
      [3, 3],
      [7, 3],
      [3, 7],
      [7, 7],
      [129, 7],
      [37, 129],
      [129, 129],
    ]) {
      const r = rng(m * 131 + n);
      const a = matrix(m, n, Array.from({ length: m * n }, r));
      const b = matrix(n, m, Array.from({ length: m * n }, r));
      const sq = matrix(n, n, Array.from({ length: n * n }, r));
      const sym = matrix(n, n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) sym.data[i * n + j] = sq.data[i * n + j] + sq.data[j * n + i];
      const run = () => ({
        mm: matmul(a, b).data,
        mt: matmulTransB(a, a).data,
        mf: matmulF32(Float32Array.from(a.data), Float32Array.from(b.data), m, n, m),
        sv: singularValues(a),
        full: svd(a, { full: true }),
        sy: symmetricEigen(sym, { vectors: true }),
        ge: generalEigen(sq).re.slice().sort(),
      });
      const w = run();
      const prev = useWasmKernels(false);
      let t: ReturnType<typeof run>;
      try {
        t = run();
      } finally {
        useWasmKernels(prev);
      }
      const scale = Math.max(m, n) * 1e-13 * (1 + w.sv[0]);
      const what = `${m}×${n}`;
      assert.ok(maxAbsDiff(w.mm, t.mm) <= scale, `matmul ${what}`);
      assert.ok(maxAbsDiff(w.mt, t.mt) <= scale, `matmulTransB ${what}`);
      assert.ok(maxAbsDiff(w.mf, t.mf) <= 1e-5 * n, `matmulF32 ${what}`);
      assert.ok(maxAbsDiff(w.sv, t.sv) <= scale, `singular values ${what}`);
      assert.ok(maxAbsDiff(w.full.S, t.full.S) <= scale, `svd S ${what}`);
      // vectors are unique up to sign (distinct random singular values): compare |U|, |Vᵀ|
      const abs = (x: Float64Array) => x.map(Math.abs);
      assert.ok(maxAbsDiff(abs(w.full.U.data), abs(t.full.U.data)) <= 1e-8, `svd U ${what}`);
      assert.ok(maxAbsDiff(abs(w.full.Vt.data), abs(t.full.Vt.data)) <= 1e-8, `svd Vt ${what}`);
      assert.ok(maxAbsDiff(w.sy.values, t.sy.values) <= scale * 4, `symmetric eigen ${what}`);
      assert.ok(
        maxAbsDiff(abs(w.sy.vectors!.data), abs(t.sy.vectors!.data)) <= 1e-8,
        `symmetric vectors ${what}`,
      );
      assert.ok(maxAbsDiff(w.ge, t.ge) <= 1e-9 * (1 + w.sv[0]), `general eigen ${what}`);
    }
  });

  it('vectorized exp (expNegF32Array): 2.5e-7 relative over [−87, 0]; −∞, < −87 → 0; NaN stays NaN', () => {
    const e = wasmKernels()!;
    const mk = e.mark();
    try {
      const special = [0, -0, -1e-30, -1e-7, -0.5, -Math.LN2, -1, -10, -50, -86.99, -87.01, -100];
      const tail = [-Infinity, NaN, -1e30];
      const r = rng(11);
      const xs = [...special, ...Array.from({ length: 4001 }, () => -87 * r() ** 3), ...tail];
      const n = xs.length; // odd: the vector loop and the scalar tail both run
      const x = e.alloc32(n);
      const y = e.alloc32(n);
      e.f32.set(Float32Array.from(xs), x);
      e.call!('expNegF32Array', [x * 4, y * 4, n]);
      let worst = 0;
      for (let i = 0; i < n - tail.length; i++) {
        const xi = e.f32[x + i];
        const want = Math.exp(xi);
        const got = e.f32[y + i];
        if (xi < -87) assert.equal(got, 0, `exp(${xi}) flushes to 0`);
        else worst = Math.max(worst, Math.abs(got - want) / want);
      }
      assert.ok(worst <= 2.5e-7, `max relative error ${worst}`);
      assert.equal(e.f32[y], 1);
      assert.equal(e.f32[y + 1], 1);
      assert.equal(e.f32[y + n - 3], 0, 'exp(−∞) = 0');
      assert.ok(Number.isNaN(e.f32[y + n - 2]), 'exp(NaN) = NaN');
      assert.equal(e.f32[y + n - 1], 0, 'exp(−1e30) = 0');
    } finally {
      e.release(mk);
    }
  });

  it('streaming attention f32 (odd T, S, d, dv; causal) matches the float64 TS path', () => {
    for (const T of [1, 3, 7, 129])
      for (const S of [1, 7, 129])
        for (const [d, dv] of [
          [3, 1],
          [64, 64],
          [7, 13],
        ])
          for (const causal of [false, true]) {
            const r = rng(T * 7 + S * 3 + d);
            const q = Float32Array.from({ length: T * d }, () => 2 * r());
            const k = Float32Array.from({ length: S * d }, () => 2 * r());
            const v = Float32Array.from({ length: S * dv }, r);
            const w = streamingAttentionF32(q, k, v, T, S, d, dv, { causal });
            const prev = useWasmKernels(false);
            let t: ReturnType<typeof streamingAttentionF32>;
            try {
              t = streamingAttentionF32(q, k, v, T, S, d, dv, { causal });
            } finally {
              useWasmKernels(prev);
            }
            const what = `T=${T} S=${S} d=${d} dv=${dv} causal=${causal}`;
            assert.ok(maxAbsDiff(w.output, t.output) <= 2e-6, what);
            assert.ok(maxAbsDiff(w.entropy, t.entropy) <= 1e-5, what);
          }
  });

  it('Francis QR sweep kernel (deferred column updates) is bit-identical to the TS loop', () => {
    for (const n of [1, 2, 3, 7, 64, 129]) {
      const r = rng(n + 5);
      const h = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = Math.max(0, i - 1); j < n; j++) h[i * n + j] = r();
      for (const vectors of [false, true]) {
        const w = hessenbergSchur(h, n, { kernel: true, vectors });
        const t = hessenbergSchur(h, n, { kernel: false, vectors });
        assert.deepEqual(w.re, t.re, `re n=${n}`);
        assert.deepEqual(w.im, t.im, `im n=${n}`);
        assert.deepEqual(w.h, t.h, `Schur form n=${n}`);
        if (vectors) assert.deepEqual(w.V, t.V, `Schur vectors n=${n}`);
      }
    }
  });
});
