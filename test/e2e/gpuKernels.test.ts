import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { histogram, matmulF32, matrix, singularValues } from '../../src/core/linalg';
import { attentionWeightsF32, streamingAttentionF32 } from '../../src/core/linalg/attentionKernel';
import { gaussianSource } from '../../src/core/linalg/randomizedSvd';
import { GpuHarnessPage, openGpuHarness } from './gpuHarnessPage';

/**
 * Issue 15: every WebGPU kernel (webview/gpu) in a real headless Chromium with
 * --enable-unsafe-webgpu (SwiftShader on machines without a GPU) against the CPU engine
 * (src/core/linalg) on random and adversarial inputs: NaN, ±Inf, zeros, 1e±30 magnitudes, sizes
 * that are not multiples of the tiles. The largest error of each kernel is printed and written
 * to test-results/gpu-kernel-errors.json.
 */
const EPS32 = 2 ** -24;
const errors: Record<string, number> = {};
function record(name: string, e: number): void {
  errors[name] = Math.max(errors[name] ?? 0, e);
  console.log(`      max error ${name}: ${e.toExponential(2)}`);
}

function b64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}
function f32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
function randn(n: number, seed: number, scale = 1): Float32Array {
  const g = gaussianSource(seed);
  return Float32Array.from({ length: n }, () => g() * scale);
}
function transpose(a: Float32Array, r: number, c: number): Float32Array {
  const t = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}

/** |A|·|B| in float64: the scale of each entry's rounding error (Higham, Thm 3.5 / §3.5). */
function absProduct(a: Float32Array, b: Float32Array, m: number, k: number, n: number) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const x = Math.abs(a[i * k + p]);
      for (let j = 0; j < n; j++) out[i * n + j] += x * Math.abs(b[p * n + j]);
    }
  return out;
}

/**
 * GPU vs CPU GEMM: the same non-finite class (NaN, same-signed Inf) everywhere, exact zeros where
 * |A||B| is 0, and otherwise |g − c| ≤ 2·k·2⁻²⁴·(|A||B|)ᵢⱼ (each float32 sum is within k·u of
 * the exact one). Returns the largest |g − c|/(|A||B|)ᵢⱼ.
 */
function compareGemm(g: Float32Array, c: Float32Array, abs: Float64Array, k: number): number {
  assert.equal(g.length, c.length);
  let worst = 0;
  for (let i = 0; i < c.length; i++) {
    const x = g[i];
    const y = c[i];
    if (Number.isNaN(y)) assert.ok(Number.isNaN(x), `entry ${i}: CPU NaN, GPU ${x}`);
    else if (!Number.isFinite(y)) assert.equal(x, y, `entry ${i}`);
    else {
      assert.ok(Number.isFinite(x), `entry ${i}: CPU ${y}, GPU ${x}`);
      if (abs[i] === 0) assert.equal(Math.abs(x), 0, `entry ${i}`);
      else worst = Math.max(worst, Math.abs(x - y) / abs[i]);
    }
  }
  assert.ok(worst <= 2 * k * EPS32, `error ${worst} above 2k·u = ${2 * k * EPS32}`);
  return worst;
}

/** Random m×k and k×n with NaN, ±Inf, zero rows/columns, 1e±30 rows and columns. */
function adversarialPair(m: number, k: number, n: number, seed: number) {
  const a = randn(m * k, seed);
  const b = randn(k * n, seed + 1);
  a[3 * k + 7] = NaN; // row 3 of C: NaN
  for (let p = 0; p < k; p++) a[5 * k + p] = 0; // row 5: zeros (0·Inf = NaN in column 9)
  b[2 * n + 9] = Infinity; // column 9: ±Inf by the sign of A[:,2]
  b[4 * n + 11] = -Infinity;
  for (let p = 0; p < k; p++) {
    a[10 * k + p] *= 1e30;
    a[11 * k + p] *= 1e-30;
    a[12 * k + p] = 1e30; // row 12 × column 30 overflows to +Inf
    b[p * n + 20] *= 1e-30;
    b[p * n + 21] *= 1e30;
    b[p * n + 30] = 1e30;
    b[p * n + 40] = 0;
  }
  return { a, b };
}

describe('WebGPU kernels in headless Chromium against the CPU engine (e2e)', function () {
  this.timeout(600_000);
  let harness: GpuHarnessPage | undefined;
  let info: {
    name: string;
    fallback: boolean;
    timestamps: boolean;
    limits: Record<string, number>;
  };

  const call = <T>(name: string, ...args: unknown[]): Promise<T> => harness!.call<T>(name, ...args);

  before(async function () {
    harness = await openGpuHarness('ml-gpu-');
    info = await call('init');
    console.log(
      `      adapter: ${info.name}; timestamps ${info.timestamps}; ${JSON.stringify(info.limits)}`,
    );
  });

  after(async () => {
    await harness?.browser.close();
    const out = join(process.cwd(), 'test-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'gpu-kernel-errors.json'),
      JSON.stringify({ adapter: info?.name, errors }, null, 2),
    );
  });

  it('gets an adapter and a device whose limits it reports', () => {
    assert.ok(info.name.length > 0);
    assert.ok(info.limits.maxStorageBufferBindingSize >= 128 * 2 ** 20);
    assert.ok(info.limits.maxComputeInvocationsPerWorkgroup >= 256);
  });

  for (const [m, k, n] of [
    [1, 1, 1],
    [67, 45, 131],
    [128, 64, 64],
    [129, 17, 65],
  ] as const)
    it(`matmul ${m}×${k}·${k}×${n} matches matmulF32 within 2k·u of |A||B|`, async () => {
      const a = randn(m * k, m + k);
      const b = randn(k * n, n + 7);
      const r = await call<{ c: string }>('matmul', b64(a), b64(b), m, k, n, false);
      record(
        'matmul (random)',
        compareGemm(f32(r.c), matmulF32(a, b, m, k, n), absProduct(a, b, m, k, n), k),
      );
    });

  it('matmul on NaN, ±Inf, zeros and 1e±30 rows/columns keeps the CPU engine’s non-finite pattern', async () => {
    const [m, k, n] = [33, 45, 47];
    const { a, b } = adversarialPair(m, k, n, 11);
    const r = await call<{ c: string }>('matmul', b64(a), b64(b), m, k, n, false);
    const c = matmulF32(a, b, m, k, n);
    assert.ok(Number.isNaN(c[3 * n]) && c[12 * n + 30] === Infinity, 'the inputs are adversarial');
    record('matmul (adversarial)', compareGemm(f32(r.c), c, absProduct(a, b, m, k, n), k));
  });

  it('Aᵀ·B (transposed A) and the Gram matrix AᵀA match the CPU engine', async () => {
    const [m, k, n] = [70, 93, 51];
    const at = randn(k * m, 5); // Aᵀ stored k×m
    const b = randn(k * n, 6);
    const a = transpose(at, k, m);
    const r = await call<{ c: string }>('matmul', b64(at), b64(b), m, k, n, true);
    record(
      'matmul Aᵀ·B',
      compareGemm(f32(r.c), matmulF32(a, b, m, k, n), absProduct(a, b, m, k, n), k),
    );
    const { a: g } = adversarialPair(97, 45, 47, 3); // rows × cols = 97 × 45 with the adversarial rows
    const gt = transpose(g, 97, 45);
    const rg = await call<{ c: string }>('gram', b64(g), 97, 45);
    const ref = matmulF32(gt, g, 45, 97, 45);
    record('Gram AᵀA', compareGemm(f32(rg.c), ref, absProduct(gt, g, 45, 97, 45), 97));
    // symmetric as computed (the same products in the same order)
    const gc = f32(rg.c);
    for (let i = 0; i < 45; i++)
      for (let j = 0; j < i; j++)
        if (!Number.isNaN(gc[i * 45 + j])) assert.equal(gc[i * 45 + j], gc[j * 45 + i]);
  });

  interface Summary {
    count: number;
    finite: number;
    nan: number;
    posInf: number;
    negInf: number;
    min?: number;
    max?: number;
    mean?: number;
    edges: number[];
    counts: number[];
  }

  function cpuSummary(x: Float32Array, bins: number) {
    let nan = 0;
    let pinf = 0;
    let ninf = 0;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sumAbs = 0;
    for (const v of x) {
      if (Number.isNaN(v)) nan++;
      else if (v === Infinity) pinf++;
      else if (v === -Infinity) ninf++;
      else {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
        sumAbs += Math.abs(v);
      }
    }
    const finite = x.length - nan - pinf - ninf;
    return {
      nan,
      pinf,
      ninf,
      finite,
      min,
      max,
      mean: sum / finite,
      meanAbs: sumAbs / finite,
      hist: histogram(x, bins),
    };
  }

  const summaryCases: [string, () => Float32Array][] = [
    ['random 100 003 values', () => randn(100_003, 21, 3)],
    [
      'NaN, ±Inf, zeros and 1e±30',
      () => {
        const x = randn(70_001, 22);
        for (let i = 0; i < x.length; i += 97) x[i] = NaN;
        for (let i = 5; i < x.length; i += 1001) x[i] = Infinity;
        for (let i = 9; i < x.length; i += 2003) x[i] = -Infinity;
        for (let i = 13; i < x.length; i += 7) x[i] = 0;
        for (let i = 17; i < x.length; i += 501) x[i] *= 1e30;
        for (let i = 19; i < x.length; i += 503) x[i] *= 1e-30;
        return x;
      },
    ],
    [
      'values near ±3e38 (sums would overflow float32)',
      () => randn(5_000, 23).map((v) => Math.max(-3.3e38, Math.min(3.3e38, v * 1.5e38))),
    ],
    ['all 1e-30 (sums would underflow a fixed scale)', () => new Float32Array(4_099).fill(1e-30)],
    ['a constant', () => new Float32Array(1000).fill(2.5)],
    [
      'only NaN and Inf',
      () => Float32Array.from({ length: 300 }, (_, i) => (i % 3 ? NaN : -Infinity)),
    ],
    ['one value', () => Float32Array.of(-7)],
  ];
  for (const [label, make] of summaryCases)
    it(`summary (min, max, mean, NaN/Inf counts, histogram) of ${label} matches the CPU`, async () => {
      const x = make();
      const bins = 50;
      const g = await call<Summary>('summary', b64(x), bins);
      const c = cpuSummary(x, bins);
      assert.deepEqual([g.nan, g.posInf, g.negInf, g.finite], [c.nan, c.pinf, c.ninf, c.finite]);
      if (c.finite === 0) {
        assert.equal(g.min, undefined);
        assert.equal(g.mean, undefined);
        assert.deepEqual(g.counts, new Array(bins).fill(0));
        return;
      }
      assert.equal(g.min, c.min);
      assert.equal(g.max, c.max);
      const meanErr = Math.abs(g.mean! - c.mean) / c.meanAbs;
      assert.ok(meanErr <= 300 * EPS32, `mean ${g.mean} vs ${c.mean}`);
      record('summary mean (relative to mean |v|)', meanErr);
      assert.deepEqual(g.edges, Array.from(c.hist.edges));
      assert.equal(
        g.counts.reduce((s, v) => s + v, 0),
        c.finite,
      );
      // a value within float32 rounding of an inner edge may fall on either side of it
      const w = (c.hist.edges[bins] - c.hist.edges[0]) / bins;
      let nearEdge = 0;
      for (const v of x)
        if (Number.isFinite(v)) {
          const t = (v - c.hist.edges[0]) / w;
          if (
            Math.abs(t - Math.round(t)) * w <=
            4 * EPS32 * Math.max(Math.abs(v), Math.abs(c.hist.edges[0]), w)
          )
            nearEdge++;
        }
      let moved = 0;
      for (let i = 0; i < bins; i++) moved += Math.abs(g.counts[i] - c.hist.counts[i]);
      assert.ok(
        moved <= 2 * nearEdge,
        `histogram differs by ${moved} (${nearEdge} values at edges)`,
      );
      record('summary histogram (values moved across an edge)', moved / 2);
    });

  function attentionCase(
    label: string,
    H: number,
    T: number,
    S: number,
    d: number,
    dv: number,
    causal: boolean,
    qScale = 1,
    weights = true,
  ) {
    it(`attention ${label}: ${H} heads, T=${T}, S=${S}, d=${d}, dv=${dv}${causal ? ', causal' : ''} matches the CPU engine`, async () => {
      const q = randn(H * T * d, T + d, qScale);
      const k = randn(H * S * d, S + 1);
      const v = randn(H * S * dv, dv + 2);
      const r = await call<{ output: string; entropy: string; weights?: string }>(
        'attention',
        b64(q),
        b64(k),
        b64(v),
        H,
        T,
        S,
        d,
        dv,
        causal,
        weights,
      );
      const out = f32(r.output);
      const ent = f32(r.entropy);
      const w = r.weights ? f32(r.weights) : undefined;
      let eOut = 0;
      let eEnt = 0;
      let eW = 0;
      let maxScore = 0;
      for (let h = 0; h < H; h++) {
        const qh = q.subarray(h * T * d, (h + 1) * T * d);
        const kh = k.subarray(h * S * d, (h + 1) * S * d);
        const vh = v.subarray(h * S * dv, (h + 1) * S * dv);
        const c = streamingAttentionF32(qh, kh, vh, T, S, d, dv, { causal });
        let vmax = 0;
        for (const x of vh) vmax = Math.max(vmax, Math.abs(x));
        for (let i = 0; i < T * dv; i++)
          eOut = Math.max(eOut, Math.abs(out[h * T * dv + i] - c.output[i]) / vmax);
        for (let i = 0; i < T; i++) eEnt = Math.max(eEnt, Math.abs(ent[h * T + i] - c.entropy[i]));
        for (let i = 0; i < T; i++)
          for (let j = 0; j < S; j++) {
            let s = 0;
            for (let p = 0; p < d; p++) s += Math.abs(qh[i * d + p] * kh[j * d + p]);
            maxScore = Math.max(maxScore, s / Math.sqrt(d));
          }
        if (w) {
          const cw = attentionWeightsF32(qh, kh, vh, T, S, d, dv, { causal })!;
          for (let i = 0; i < T * S; i++)
            eW = Math.max(eW, Math.abs(w[h * T * S + i] - cw.weights![i]));
        }
      }
      // float32 scores carry an absolute error of about d·u·(|q|·|k|·scale), which exp turns
      // into a relative error of the weights; the sums over S keys add S·u
      const tol = 4 * EPS32 * (d * maxScore + S + 16);
      console.log(
        `      tolerance ${tol.toExponential(2)} (max |q|·|k|·scale ${maxScore.toFixed(1)})`,
      );
      assert.ok(eOut <= tol, `output error ${eOut}`);
      assert.ok(eEnt <= tol * Math.max(1, Math.log(S)), `entropy error ${eEnt}`);
      if (w) assert.ok(eW <= tol, `weights error ${eW}`);
      record(`attention output (relative to max |V|)`, eOut);
      record(`attention entropy (nats)`, eEnt);
      if (w) record(`attention weights`, eW);
    });
  }
  attentionCase('odd sizes', 3, 77, 91, 40, 24, false);
  attentionCase('causal', 4, 130, 130, 64, 64, true);
  attentionCase('saturated softmax (q ×30)', 2, 65, 33, 16, 8, false, 30);
  attentionCase('tiny logits (q ×1e-30)', 2, 20, 17, 8, 8, true, 1e-30);
  attentionCase('d=128 without weights', 8, 70, 70, 128, 128, true, 1, false);

  it('attention with a NaN query row gives that row NaN and leaves the others finite, like the CPU', async () => {
    const [T, S, d] = [9, 11, 4];
    const q = randn(T * d, 1);
    q[2 * d + 1] = NaN;
    const k = randn(S * d, 2);
    const v = randn(S * d, 3);
    const r = await call<{ output: string }>(
      'attention',
      b64(q),
      b64(k),
      b64(v),
      1,
      T,
      S,
      d,
      d,
      false,
      false,
    );
    const out = f32(r.output);
    const c = streamingAttentionF32(q, k, v, T, S, d, d);
    for (let i = 0; i < T * d; i++)
      assert.equal(Number.isNaN(out[i]), Number.isNaN(c.output[i]), `entry ${i}`);
    assert.ok(Number.isNaN(out[2 * d]));
  });

  /** m×n = (m×r Gaussian)·diag(decay^i)·(r×n Gaussian)·scale, in float32 */
  function spectrumMatrix(
    m: number,
    n: number,
    r: number,
    decay: number,
    scale: number,
    seed: number,
  ) {
    const g1 = randn(m * r, seed);
    const g2 = randn(r * n, seed + 1);
    for (let i = 0; i < m; i++) for (let p = 0; p < r; p++) g1[i * r + p] *= decay ** p * scale;
    return matmulF32(g1, g2, m, r, n);
  }
  const svdCases: [string, number, number, number, () => Float32Array][] = [
    [
      'decaying spectrum (0.8^i), odd sizes',
      301,
      190,
      20,
      () => spectrumMatrix(301, 190, 150, 0.8, 1, 31),
    ],
    ['wide, decaying (0.7^i)', 70, 333, 12, () => spectrumMatrix(70, 333, 70, 0.7, 1, 32)],
    ['rank 5 with entries near 1e30', 150, 97, 8, () => spectrumMatrix(150, 97, 5, 0.5, 1e29, 33)],
    [
      'rank 5 with entries near 1e-30',
      150,
      97,
      8,
      () => spectrumMatrix(150, 97, 5, 0.5, 1e-31, 34),
    ],
  ];
  for (const [label, m, n, k, make] of svdCases)
    it(`top-${k} singular values by GPU subspace iteration, ${label} (${m}×${n}), match the CPU engine`, async () => {
      const a = make();
      const r = await call<{ s: number[] }>('topSingularValues', b64(a), m, n, k);
      const ref = singularValues(matrix(m, n, a));
      assert.equal(r.s.length, k);
      let worst = 0;
      for (let i = 0; i < k; i++) worst = Math.max(worst, Math.abs(r.s[i] - ref[i]) / ref[0]);
      assert.ok(
        worst <= 1e-5,
        `error ${worst} of σ₁ (${r.s.slice(0, 4)} vs ${Array.from(ref.slice(0, 4))})`,
      );
      record('top-k singular values (relative to σ₁)', worst);
    });

  it('top-k singular values: zeros give zeros, NaN is refused with a message', async () => {
    const z = await call<{ s: number[] }>(
      'topSingularValues',
      b64(new Float32Array(40 * 30)),
      40,
      30,
      5,
    );
    assert.deepEqual(z.s, [0, 0, 0, 0, 0]);
    const x = randn(40 * 30, 9);
    x[17] = NaN;
    await assert.rejects(
      call('topSingularValues', b64(x), 40, 30, 5),
      /the matrix has NaN or Inf values/,
    );
  });

  it('says "too large for this GPU, using CPU" for a buffer beyond the device limits', async () => {
    const fit = await call<{ ok: boolean; reason?: string }>('tooLarge', 2 ** 29);
    assert.equal(fit.ok, false);
    assert.match(fit.reason!, /too large for this GPU .*maxBufferSize.*using CPU/);
  });

  it('routes: gpu mode runs on the GPU and says so with the adapter; cpu mode forces the CPU', async () => {
    const g = await call<{
      runs: { where: string; label: string; value: number[] }[];
      cpu: number[];
    }>('routed', 'gpu', false);
    assert.deepEqual(
      g.runs.map((r) => r.where),
      ['gpu', 'gpu'],
    );
    assert.match(
      g.runs[0].label,
      new RegExp(`^computed on GPU \\(${info.name.replace(/[()]/g, '\\$&')}\\) in [\\d.]+ ms$`),
    );
    assert.deepEqual(g.runs[0].value, g.cpu);
    const c = await call<{ runs: { where: string; label: string }[] }>('routed', 'cpu', false);
    assert.deepEqual(
      c.runs.map((r) => r.where),
      ['cpu', 'cpu'],
    );
    assert.match(c.runs[0].label, /^computed on CPU \(test CPU\) in [\d.]+ ms$/);
  });

  it('a lost device falls back to the CPU, with the same result, and says so once', async () => {
    const r = await call<{
      runs: { where: string; note?: string; value: number[] }[];
      said: string[];
      cpu: number[];
    }>('routed', 'gpu', true);
    assert.deepEqual(
      r.runs.map((x) => x.where),
      ['cpu', 'cpu'],
    );
    assert.deepEqual(r.runs[0].value, r.cpu);
    assert.equal(r.said.length, 1, JSON.stringify(r.said));
    assert.match(r.said[0], /GPU device lost .*computing on CPU from now on/);
    assert.match(r.runs[1].note ?? '', /device lost/);
  });
});
