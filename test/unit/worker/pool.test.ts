/**
 * The compute worker's thread pool (src/worker/pool.ts) in this process: one helper thread over
 * the shared WebAssembly memory. Partitioned jobs must give the same bits as the serial path
 * (each output row is computed by the same kernel code whatever the split), and NumPy's product
 * to float32/float64 rounding; cancellation must stop a job within a fraction of a second; a
 * crashed or killed helper must fail the job with a clear error, and the next job must work.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonJson, runPython, tempDir } from '../../helpers/python';
import { attention } from '../../../src/core/attention/attention';
import { attentionWeightsF32 } from '../../../src/core/linalg/attentionKernel';
import { matmul, matmulF32, matmulTransB } from '../../../src/core/linalg/gemm';
import { cosineSimilarity } from '../../../src/core/linalg/cosineSimilarity';
import { singularValues, svd } from '../../../src/core/linalg/svd';
import { symmetricEigen } from '../../../src/core/linalg/symmetricTridiagonalQL';
import {
  parallelExecutor,
  setParallelExecutor,
  threadsFor,
} from '../../../src/core/linalg/parallel';
import { setLevel2Pooling } from '../../../src/core/linalg/pooledLevel2';
import { engine } from '../../../src/core/linalg/wasm/kernels';
import { WorkerPool, closePool, ensurePool } from '../../../src/worker/pool';

function rand(n: number, seed: number): Float64Array {
  let x = seed;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = (x / 2147483648) * 4 - 2;
  }
  return out;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i} ${a[i]} ≠ ${b[i]}`);
}

describe('worker pool (two threads over shared memory)', function () {
  this.timeout(120_000);
  let pool: WorkerPool;

  before(async () => {
    // the pool's thread scripts are built next to worker.js in dist/
    const p = ensurePool(1, join(__dirname, '../../../../dist'));
    assert.ok(p, 'pool starts (shared WebAssembly memory available)');
    pool = p;
    assert.ok(await pool.ready(), 'helper ready');
    assert.equal(threadsFor(engine()), 2);
  });
  after(async () => {
    await closePool();
  });

  /**
   * Runs fn serially (executor removed) and pooled. With `helper`, the pooled run is repeated
   * until the helper thread has run some of its tasks, and that run is returned: on a busy
   * machine this thread may claim every task of a run before the helper wakes, and a
   * comparison in which no helper took part would prove nothing.
   */
  function both<T>(fn: () => T, helper = true): { serial: T; pooled: T } {
    const x = parallelExecutor()!;
    const p = pool as unknown as { threads: number };
    const desc = Object.getOwnPropertyDescriptor(WorkerPool.prototype, 'threads')!;
    Object.defineProperty(p, 'threads', { get: () => 1, configurable: true });
    let serial: T;
    const before = pool.tasksTaken();
    try {
      serial = fn();
    } finally {
      delete (p as { threads?: number }).threads;
    }
    assert.deepEqual(pool.tasksTaken(), before, 'the serial run used no pool thread');
    assert.equal(desc.get!.call(x), 2);
    let pooled = fn();
    if (!helper) return { serial, pooled };
    const end = Date.now() + 30_000;
    while (pool.tasksTaken()[1] === before[1] && Date.now() < end) pooled = fn();
    assert.ok(pool.tasksTaken()[1] > before[1], 'the helper thread ran some of the tasks');
    return { serial, pooled };
  }

  it('f32 and f64 matmul (odd sizes) give the serial bits and match NumPy', () => {
    const dir = tempDir();
    const m = 203;
    const k = 77;
    const n = 131;
    const a = rand(m * k, 3);
    const b = rand(k * n, 4);
    const { serial, pooled } = both(() => ({
      f64: matmul({ rows: m, cols: k, data: a }, { rows: k, cols: n, data: b }).data,
      f32: matmulF32(Float32Array.from(a), Float32Array.from(b), m, k, n),
      tb: matmulTransB({ rows: m, cols: k, data: a }, { rows: n, cols: k, data: rand(n * k, 5) })
        .data,
    }));
    sameBits(pooled.f64, serial.f64, 'f64');
    sameBits(pooled.f32, serial.f32, 'f32');
    sameBits(pooled.tb, serial.tb, 'A·Bᵀ');
    writeFileSync(join(dir, 'ab.bin'), Buffer.from(a.buffer));
    writeFileSync(join(dir, 'b.bin'), Buffer.from(b.buffer));
    runPython(
      `import numpy as np, sys
a = np.fromfile(sys.argv[1] + '/ab.bin').reshape(${m}, ${k}); b = np.fromfile(sys.argv[1] + '/b.bin').reshape(${k}, ${n})
(a @ b).tofile(sys.argv[1] + '/c64.bin'); (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float64).tofile(sys.argv[1] + '/c32.bin')`,
      [dir],
    );
    const c64 = new Float64Array(readFileSync(join(dir, 'c64.bin')).buffer.slice(0));
    const c32 = new Float64Array(readFileSync(join(dir, 'c32.bin')).buffer.slice(0));
    // |Δ| ≤ k·eps·max|a|·max|b|·(…): 77 terms of |a_ip b_pj| ≤ 4
    for (let i = 0; i < c64.length; i++) {
      assert.ok(Math.abs(pooled.f64[i] - c64[i]) <= k * 4 * 2.3e-16 * 4, `f64 ${i}`);
      assert.ok(Math.abs(pooled.f32[i] - c32[i]) <= k * 4 * 1.2e-7 * 4, `f32 ${i}`);
    }
  });

  it('f32 matmul with B packed once (k over several packed blocks, split over the threads) gives the serial bits and matches NumPy', () => {
    const dir = tempDir();
    const m = 211;
    const k = 600; // three KC = 256 blocks of packed B: the pack job has tasks for both threads
    const n = 37; // not a multiple of the 8-column panels
    const a = Float32Array.from(rand(m * k, 13));
    const b = Float32Array.from(rand(k * n, 14));
    const { serial, pooled } = both(() => matmulF32(a, b, m, k, n));
    sameBits(pooled, serial, 'f32 packed B');
    writeFileSync(join(dir, 'a.bin'), Buffer.from(a.buffer));
    writeFileSync(join(dir, 'b.bin'), Buffer.from(b.buffer));
    runPython(
      `import numpy as np, sys
a = np.fromfile(sys.argv[1] + '/a.bin', dtype=np.float32).reshape(${m}, ${k}).astype(np.float64)
b = np.fromfile(sys.argv[1] + '/b.bin', dtype=np.float32).reshape(${k}, ${n}).astype(np.float64)
(a @ b).tofile(sys.argv[1] + '/c.bin')`,
      [dir],
    );
    const c = new Float64Array(readFileSync(join(dir, 'c.bin')).buffer.slice(0));
    // float32 accumulation of 600 terms |a b| ≤ 4: |Δ| ≤ k·eps32·4
    for (let i = 0; i < c.length; i++)
      assert.ok(Math.abs(pooled[i] - c[i]) <= k * 1.2e-7 * 4, `f32 ${i}: ${pooled[i]} vs ${c[i]}`);
  });

  it('cosine similarity matrix (pooled GEMM) matches NumPy to 1e-13', () => {
    const m = 157;
    const n = 33;
    const a = rand(m * n, 9);
    a.fill(0, 5 * n, 6 * n); // a zero row: similarity 0
    const ref = pythonJson<number[]>(
      `import numpy as np, json, sys
a = np.array(json.loads(sys.argv[1])).reshape(${m}, ${n})
nr = np.linalg.norm(a, axis=1); x = a / np.where(nr > 0, nr, 1)[:, None]
print(json.dumps((x @ x.T).flatten().tolist()))`,
      [JSON.stringify(Array.from(a))],
    );
    const { serial, pooled } = both(() => cosineSimilarity({ rows: m, cols: n, data: a }).data);
    sameBits(pooled, serial, 'cosine');
    for (let i = 0; i < ref.length; i++)
      assert.ok(Math.abs(pooled[i] - ref[i]) <= 1e-13, `cosine ${i}: ${pooled[i]} vs ${ref[i]}`);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < i; j++) assert.equal(pooled[i * m + j], pooled[j * m + i]);
  });

  it('attention with weights and streaming attention (float32) give the serial bits', () => {
    for (const [T, S, H, d, causal] of [
      [301, 257, 3, 64, false],
      [222, 222, 2, 32, true],
      [97, 131, 12, 16, true],
    ] as const) {
      const t = (seed: number, rows: number) => ({
        shape: [rows, H * d],
        data: Float32Array.from(rand(rows * H * d, seed)),
      });
      const q = t(1, T);
      const k = t(2, S);
      const v = t(3, S);
      const { serial, pooled } = both(() => ({
        w: attention(q, k, v, { heads: H, causal }),
        s: attention(q, k, v, { heads: H, causal, weights: false }),
      }));
      sameBits(pooled.w.weights!, serial.w.weights!, 'weights');
      sameBits(pooled.w.output!, serial.w.output!, 'output');
      sameBits(pooled.w.entropy, serial.w.entropy, 'entropy');
      sameBits(pooled.w.rowSums!, serial.w.rowSums!, 'row sums');
      sameBits(pooled.s.output!, serial.s.output!, 'streaming output');
      sameBits(pooled.s.entropy, serial.s.entropy, 'streaming entropy');
    }
  });

  it('attention with weights, value width 13 and an additive −∞ mask, causal: serial bits on 1 and 2 threads', () => {
    const T = 143;
    const S = 167;
    const d = 24;
    const dv = 13; // value panels of 8 with a padded tail
    const q = Float32Array.from(rand(T * d, 21));
    const k = Float32Array.from(rand(S * d, 22));
    const v = Float32Array.from(rand(S * dv, 23));
    const mask = Float32Array.from(rand(T * S, 24), (x) => (x > 1.6 ? -Infinity : x));
    const { serial, pooled } = both(() =>
      attentionWeightsF32(q, k, v, T, S, d, dv, { mask, causal: true }),
    );
    sameBits(pooled!.weights!, serial!.weights!, 'weights');
    sameBits(pooled!.output!, serial!.output!, 'output');
    sameBits(pooled!.entropy, serial!.entropy, 'entropy');
    sameBits(pooled!.rowSums, serial!.rowSums, 'row sums');
    for (let i = 0; i < T; i++) {
      const rs = serial!.rowSums[i];
      assert.ok(rs === 0 || Math.abs(rs - 1) <= 1e-5, `row ${i} sums to ${rs}`);
      for (let j = i + 1; j < S; j++) assert.equal(serial!.weights![i * S + j], 0);
    }
  });

  it("full SVD on the pool's shared engine (D&C merges and blocked reflectors as pooled GEMMs) gives the serial bits; A = U·S·Vᵀ", () => {
    for (const [m, n] of [
      [300, 211],
      [90, 260],
    ]) {
      const a = rand(m * n, m + n);
      const { serial, pooled } = both(
        () => svd({ rows: m, cols: n, data: a }, { full: true }),
        true, // the D&C's merges and the back-transformation run GEMM tasks on the helper
      );
      sameBits(pooled.S, serial.S, 'S');
      sameBits(pooled.U.data, serial.U.data, 'U');
      sameBits(pooled.Vt.data, serial.Vt.data, 'Vt');
      // reconstruction: |A − U·S·Vᵀ| ≤ 50·max(m,n)·eps·σ_max elementwise
      const k = pooled.S.length;
      const U = pooled.U;
      const V = pooled.Vt;
      let worst = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let x = 0;
          for (let p = 0; p < k; p++) x += U.data[i * U.cols + p] * pooled.S[p] * V.data[p * n + j];
          worst = Math.max(worst, Math.abs(x - a[i * n + j]));
        }
      assert.ok(worst <= 50 * Math.max(m, n) * 2.2e-16 * pooled.S[0], `|A − USVᵀ| ${worst}`);
    }
  });

  it('symmetric eigenvalues (blocked reduction, pooled rank-2k update and, switched on, symmetric products) give the serial bits and match NumPy', () => {
    // the blocked path starts at 256, the banded product at 362 rows; 421 is no multiple of
    // the 32-column panel
    const n = 421;
    const b = rand(n * n, 15);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j] + b[j * n + i];
    setLevel2Pooling(true);
    let r: { serial: Float64Array; pooled: Float64Array };
    try {
      r = both(() => symmetricEigen({ rows: n, cols: n, data: a }).values);
    } finally {
      setLevel2Pooling(false, true); // the default
    }
    const { serial, pooled } = r;
    sameBits(pooled, serial, 'eigenvalues');
    const dir = tempDir('matrix-lens-pool-sym-');
    writeFileSync(join(dir, 'a.bin'), Buffer.from(a.buffer));
    const ref = pythonJson<number[]>(
      `import numpy as np, json, sys\nn = ${n}\na = np.fromfile(sys.argv[1]).reshape(n, n)\nprint(json.dumps(np.linalg.eigvalsh(a).tolist()))`,
      [join(dir, 'a.bin')],
    );
    const norm = Math.max(Math.abs(ref[0]), Math.abs(ref[n - 1]));
    for (let i = 0; i < n; i++)
      assert.ok(Math.abs(pooled[i] - ref[i]) <= 10 * n * 2 ** -52 * norm, `λ${i}`);
  });

  it('symmetric eigenvalues, each panel one SPMD job (both threads claim row bands of every column product): serial bits on random, graded, clustered, repeated, zero, tiny and huge inputs, odd sizes; match NumPy', () => {
    // 256 is where the blocked path starts; products of ≥ 128 rows are split in 4 bands;
    // 389 and 613 are no multiple of the 32-column panel
    const dir = tempDir('matrix-lens-pool-spmd-');
    const cases = pythonJson<{ name: string; n: number; w: number[] }[]>(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(7)
def sym(b): return (b + b.T) / 2
out = []
def add(name, a):
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.tofile(os.path.join(d, name + '.bin'))
    out.append(dict(name=name, n=a.shape[0], w=np.linalg.eigvalsh(a).tolist()))
add('random 256', sym(rng.standard_normal((256, 256))))
add('random 613', sym(rng.standard_normal((613, 613))))
g = np.logspace(-30, 30, 389); add('graded 389', sym(rng.standard_normal((389, 389))) * np.sqrt(np.outer(g, g)))
q, _ = np.linalg.qr(rng.standard_normal((401, 401)))
add('clustered 401', sym((q * np.concatenate([1 + 1e-12 * np.arange(250), rng.standard_normal(151)])) @ q.T))
add('repeated 300', sym((q[:300, :300] * np.repeat([-2.0, 0.0, 3.0], 100)) @ q[:300, :300].T))
u = rng.standard_normal((333, 4)); add('rank 4 333', u @ u.T)
add('zero 290', np.zeros((290, 290)))
add('tiny 385', sym(rng.standard_normal((385, 385))) * 1e-300)
add('huge 385', sym(rng.standard_normal((385, 385))) * 1e300)
print(json.dumps(out))
`,
      [dir],
    );
    for (const c of cases) {
      const buf = readFileSync(join(dir, `${c.name}.bin`));
      const a = new Float64Array(buf.buffer, buf.byteOffset, c.n * c.n).slice();
      const { serial, pooled } = both(
        () => symmetricEigen({ rows: c.n, cols: c.n, data: a }).values,
      );
      sameBits(pooled, serial, c.name);
      const norm = Math.max(Math.abs(c.w[0]), Math.abs(c.w[c.n - 1]));
      for (let i = 0; i < c.n; i++)
        assert.ok(Math.abs(pooled[i] - c.w[i]) <= 10 * c.n * 2 ** -52 * norm, `${c.name}: λ${i}`);
    }
  });

  it('singular values (blocked bidiagonalization, pooled GEMM and, switched on, matrix-vector products) give the serial bits and match NumPy', () => {
    const [m, n] = [433, 389]; // blocked from 160 columns; no multiple of the 32-column panel
    const a = rand(m * n, 16);
    setLevel2Pooling(true);
    let r: { serial: Float64Array; pooled: Float64Array };
    try {
      r = both(() => singularValues({ rows: m, cols: n, data: a }));
    } finally {
      setLevel2Pooling(false, true); // the default
    }
    const { serial, pooled } = r;
    sameBits(pooled, serial, 'singular values');
    const dir = tempDir('matrix-lens-pool-sv-');
    writeFileSync(join(dir, 'a.bin'), Buffer.from(a.buffer));
    const ref = pythonJson<number[]>(
      `import numpy as np, json, sys\na = np.fromfile(sys.argv[1]).reshape(${m}, ${n})\nprint(json.dumps(np.linalg.svd(a, compute_uv=False).tolist()))`,
      [join(dir, 'a.bin')],
    );
    for (let i = 0; i < n; i++)
      assert.ok(Math.abs(pooled[i] - ref[i]) <= 8 * m * 2 ** -52 * ref[0], `σ${i}`);
  });

  /** tasks run by all threads since `before` (a {@link WorkerPool.tasksTaken} reading) */
  const tasksSince = (before: number[]) =>
    pool.tasksTaken().reduce((sum, t, i) => sum + t - before[i], 0);

  it("per-task completions: every task handed to `done` once, on this thread, before run returns (the helper's too)", () => {
    for (const n of [1, 2, 7, 40]) {
      const before = pool.tasksTaken();
      const seen: number[] = [];
      const end = Date.now() + 30_000;
      // repeat until the helper ran some (a busy machine may leave it all to this thread)
      do {
        seen.length = 0;
        pool.run({
          kernel: '__sleep',
          tasks: Array.from({ length: n }, () => [3]),
          done: (t) => seen.push(t),
        });
        assert.deepEqual(
          [...seen].sort((x, y) => x - y),
          Array.from({ length: n }, (_, i) => i),
          `${n} tasks: each index once`,
        );
      } while (n > 1 && pool.tasksTaken()[1] === before[1] && Date.now() < end);
      if (n > 1) assert.ok(pool.tasksTaken()[1] > before[1], 'the helper ran some of the tasks');
    }
    // more tasks than the control table holds: consecutive sub-jobs, indices of the whole job
    const big: number[] = [];
    pool.run({
      kernel: '__sleep',
      tasks: Array.from({ length: 4096 + 37 }, () => [0]),
      done: (t) => big.push(t),
    });
    assert.equal(big.length, 4096 + 37);
    assert.equal(new Set(big).size, 4096 + 37);
    assert.equal(Math.max(...big), 4096 + 36);
  });

  it('per-task completions stop at a cancel, a failing `done` fails the job, a crashed helper fails it; each task at most once', async () => {
    const tasks = Array.from({ length: 200 }, () => [5]);
    let seen: number[] = [];
    let polls = 0;
    assert.throws(
      () =>
        pool.run({ kernel: '__sleep', tasks, done: (t) => seen.push(t) }, () => {
          if (++polls >= 4) throw new Error('cancelled (test)');
        }),
      /cancelled \(test\)/,
    );
    assert.equal(new Set(seen).size, seen.length, 'no task twice');
    assert.ok(seen.length < 200, `${seen.length} of 200 handed over after the cancel`);
    // the callback's own error (e.g. a copy that failed) is the job's error
    seen = [];
    assert.throws(
      () =>
        pool.run({
          kernel: '__sleep',
          tasks: tasks.slice(0, 20),
          done: (t) => {
            seen.push(t);
            if (seen.length === 3) throw new Error('copy failed (test)');
          },
        }),
      /copy failed \(test\)/,
    );
    assert.equal(seen.length, 3, 'nothing handed over after the failing call');
    seen = [];
    assert.throws(
      () =>
        pool.run({ kernel: '__crashHelper', tasks: tasks.slice(0, 20), done: (t) => seen.push(t) }),
      /helper thread of the compute worker stopped during the computation/,
    );
    assert.equal(new Set(seen).size, seen.length, 'no task twice');
    assert.ok(await pool.ready(), 'helper respawned');
    // the next job hands over all of its tasks again
    seen = [];
    pool.run({ kernel: '__sleep', tasks: tasks.slice(0, 9), done: (t) => seen.push(t) });
    assert.deepEqual(
      [...seen].sort((x, y) => x - y),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
  });

  it('attention with weights copies each finished query block out while the others run: same bits into a fresh result, a reused one and at an offset', () => {
    const T = 263; // query blocks of a multiple of 5 rows with a short last one
    const S = 301;
    const d = 40;
    const dv = 24;
    const q = Float32Array.from(rand(T * d, 31));
    const k = Float32Array.from(rand(S * d, 32));
    const v = Float32Array.from(rand(S * dv, 33));
    const reuse = new Float32Array(T * S + 11).fill(NaN);
    const o = new Float64Array(3 * T * dv).fill(NaN);
    const { serial, pooled } = both(() => {
      const fresh = attentionWeightsF32(q, k, v, T, S, d, dv, {})!;
      const into = attentionWeightsF32(q, k, v, T, S, d, dv, {
        weightsOut: reuse,
        weightsOffset: 11,
        outputOut: o,
        outputOffset: 5,
        outputStride: 3 * dv,
      })!;
      assert.equal(into.weights, undefined);
      assert.equal(into.output, undefined);
      return { fresh, w: reuse.slice(11), o: o.slice() };
    });
    sameBits(pooled.fresh.weights!, serial.fresh.weights!, 'fresh weights');
    sameBits(pooled.fresh.output!, serial.fresh.output!, 'output');
    sameBits(pooled.w, serial.fresh.weights!, 'weights into reused storage');
    for (let i = 0; i < T; i++)
      for (let c = 0; c < dv; c++) {
        assert.equal(pooled.o[5 + i * 3 * dv + c], serial.fresh.output![i * dv + c]);
        assert.ok(Number.isNaN(pooled.o[5 + i * 3 * dv + dv + c]), 'stride gaps untouched');
      }
  });

  it('cancel stops a pooled job: no task starts once poll has thrown', () => {
    // 400 tasks of 10 ms; poll throws after the 5th task this thread runs
    const tasks = Array.from({ length: 400 }, () => [10]);
    const before = pool.tasksTaken();
    let polls = 0;
    assert.throws(
      () =>
        pool.run({ kernel: '__sleep', tasks }, () => {
          if (++polls >= 5) throw new Error('cancelled (test)');
        }),
      /cancelled \(test\)/,
    );
    // this thread ran 5; the helper finishes the task it holds and starts no other once the job
    // is closed (it runs at the same pace, so about as many as this thread ran)
    const ran = tasksSince(before);
    assert.ok(ran >= 5 && ran < 100, `${ran} of 400 tasks ran`);
    // and a real computation: a 1536² f32 product cancelled from its progress callback
    const n = 1536;
    const a = Float32Array.from(rand(n * n, 7));
    let calls = 0;
    assert.throws(
      () =>
        matmulF32(a, a, n, n, n, () => {
          if (++calls === 1) throw new Error('cancelled (matmul)');
        }),
      /cancelled \(matmul\)/,
    );
    assert.equal(calls, 1, 'no progress after the cancel');
  });

  it('a helper that crashes mid-job fails the job clearly; the next job works', async () => {
    const tasks = Array.from({ length: 20 }, () => [20]);
    assert.throws(
      () => pool.run({ kernel: '__crashHelper', tasks }),
      /helper thread of the compute worker stopped during the computation \(exit code 70\)/,
    );
    // the next job works at once (on this thread while the helper respawns) …
    const n = 150;
    const a = rand(n * n, 11);
    const ref = matmul({ rows: n, cols: n, data: a }, { rows: n, cols: n, data: a }).data;
    assert.ok(await pool.ready(), 'helper respawned');
    assert.equal(pool.threads, 2);
    // … and on both threads once the helper is back
    sameBits(
      matmul({ rows: n, cols: n, data: a }, { rows: n, cols: n, data: a }).data,
      ref,
      'after',
    );
  });

  it('symmetric eigenvalues: a helper killed during the reduction fails it clearly (or it completes exactly); cancel works between panels; the next run works', async () => {
    const n = 700;
    const b = rand(n * n, 21);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j] + b[j * n + i];
    const m = { rows: n, cols: n, data: a };
    const x = parallelExecutor()!;
    setParallelExecutor(undefined);
    let ref: Float64Array;
    try {
      ref = symmetricEigen(m).values;
    } finally {
      setParallelExecutor(x);
    }
    // the kill lands wherever it lands (timing): each run either completes with the serial
    // bits or fails with the pool's error; none may hang or return wrong values
    for (const afterMs of [0, 10, 30]) {
      pool.killHelper(0, afterMs);
      for (let r = 0; r < 4; r++) {
        try {
          sameBits(symmetricEigen(m).values, ref, `killed after ${afterMs} ms, completed`);
        } catch (e) {
          assert.match(
            String(e),
            /helper thread of the compute worker stopped during the computation/,
          );
        }
      }
      assert.ok(await pool.ready(), 'helper respawned');
    }
    // cancel: the progress callback (called between panels once 50 ms have passed on the
    // clock, here a clock that moves 100 ms per reading) throws on its first call
    let calls = 0;
    const now = Date.now;
    let clock = now();
    Date.now = () => (clock += 100);
    try {
      assert.throws(
        () =>
          symmetricEigen(m, {
            progress: () => {
              if (++calls === 1) throw new Error('cancelled (eigen)');
            },
          }),
        /cancelled \(eigen\)/,
      );
    } finally {
      Date.now = now;
    }
    assert.equal(calls, 1, 'no progress after the cancel');
    sameBits(symmetricEigen(m).values, ref, 'after the kills and the cancel');
  });

  it('a helper killed (terminated) mid-job fails the job clearly; the next job works', async () => {
    pool.killHelper(0, 30);
    const tasks = Array.from({ length: 100 }, () => [10]);
    const before = pool.tasksTaken();
    assert.throws(
      () => pool.run({ kernel: '__sleep', tasks }),
      /helper thread of the compute worker stopped during the computation/,
    );
    // the job stopped early: this thread noticed the lost helper and ran no more tasks
    const ran = tasksSince(before);
    assert.ok(ran < 100, `${ran} of 100 tasks ran`);
    assert.ok(await pool.ready(), 'helper respawned');
    pool.run({ kernel: '__sleep', tasks: [[1], [1], [1], [1]] });
  });
});

describe('worker pool start-up', function () {
  this.timeout(60_000);

  it('started() waits until no helper is still starting, so the first job gets every thread', async () => {
    const p = new WorkerPool(1, join(__dirname, '../../../../dist'));
    try {
      // just constructed: the helper thread cannot have loaded its kernels yet
      assert.deepEqual(p.helperStates(), [0]);
      assert.equal(p.threads, 1);
      await p.started();
      assert.deepEqual(p.helperStates(), [1]);
      assert.equal(p.threads, 2);
    } finally {
      await p.close();
    }
  });
});
