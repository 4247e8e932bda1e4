// The GEMM floor of WebAssembly SIMD on this machine (issue 15): the best f32 register tile we
// can build in wasm SIMD against OpenBLAS's sgemm on one thread, both with their operands in
// cache, plus our exp kernel's rate.
//   node scripts/bench-floor.mjs [--reps 7]
// 1. Compiles three register tiles (5×8, 6×8, 4×12 accumulators of f32x4: mul + add) with
//    AssemblyScript and times each over a 256-deep k loop with A and B in L1 (best of --reps,
//    GFLOP/s from the larger of wall and CPU time). Then the same tiles with relaxed-SIMD FMA
//    (f32x4.relaxed_madd) in a child `node --experimental-wasm-relaxed-simd` (Node 20's V8
//    refuses the opcodes without that flag; the script says whether it did).
// 2. Times `A @ B` in the pip NumPy with OpenBLAS (OPENBLAS_NUM_THREADS=1, OPENBLAS_CORETYPE
//    and OPENBLAS_L2_SIZE unset for that command) at 256×240×256 (in cache), 1024³ and
//    2048×64×2048 (the attention's QKᵀ shape).
// 3. Our vectorized exp (expNegF32Array of the shipped kernels) in ns per value, in cache.
// Prints the floor: OpenBLAS one thread / (our best tile × 2 threads).
import asc from 'assemblyscript/asc';
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const argv = process.argv.slice(2);
const REPS = argv.includes('--reps') ? Number(argv[argv.indexOf('--reps') + 1]) : 7;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** AssemblyScript source of an R×(4·C) tile over kc (A packed [kc][R], B packed [kc][4·C]). */
function tileSource(name, R, C, relaxed) {
  const acc = [];
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) acc.push(`c${r}${c}`);
  const madd = (r, c) =>
    relaxed
      ? `c${r}${c} = f32x4.relaxed_madd(a, b${c}, c${r}${c});`
      : `c${r}${c} = f32x4.add(c${r}${c}, f32x4.mul(a, b${c}));`;
  let body = '';
  for (let c = 0; c < C; c++) body += `const b${c} = v128.load(pb, ${16 * c});\n`;
  for (let r = 0; r < R; r++) {
    body += `a = f32x4.splat(load<f32>(pa, ${4 * r}));\n`;
    for (let c = 0; c < C; c++) body += madd(r, c) + '\n';
  }
  const sum = acc.reduce((s, x) => `f32x4.add(${s}, ${x})`);
  return `export function ${name}(kc: i32, pa0: usize, pb0: usize, c: usize, reps: i32): void {
  for (let rep = 0; rep < reps; rep++) {
    ${acc.map((x) => `let ${x} = f32x4.splat(0);`).join(' ')}
    let pa = pa0;
    let pb = pb0;
    let a = f32x4.splat(0);
    for (let p = 0; p < kc; p++) {
      ${body}
      pa += ${4 * R};
      pb += ${16 * C};
    }
    v128.store(c, ${sum});
  }
}
`;
}

const TILES = [
  ['k5x8', 5, 2],
  ['k6x8', 6, 2],
  ['k4x12', 4, 3],
];

async function compile(relaxed) {
  const src = TILES.map(([n, R, C]) => tileSource(n, R, C, relaxed)).join('\n');
  let wasm;
  const { error, stderr } = await asc.main(
    [
      'tiles.ts',
      '--outFile',
      'tiles.wasm',
      '-O3',
      '--runtime',
      'stub',
      '--noAssert',
      '--initialMemory',
      '4',
      '--enable',
      'simd',
      ...(relaxed ? ['--enable', 'relaxed-simd'] : []),
    ],
    {
      readFile: (name) => (name === 'tiles.ts' ? src : null),
      writeFile(name, contents) {
        if (name.endsWith('.wasm')) wasm = Buffer.from(contents);
      },
      listFiles: () => [],
    },
  );
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  return wasm;
}

// the timing loop, run in this process (plain SIMD) or in a child with the relaxed-SIMD flag
const TIMER = `
const wasm = Buffer.from(process.argv[1], 'base64');
const reps = Number(process.argv[2]);
const tiles = JSON.parse(process.argv[3]);
let inst;
try { inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), {}); }
catch (e) { console.log(JSON.stringify({ error: String(e.message).split('\\n')[0] })); process.exit(0); }
const f = new Float32Array(inst.exports.memory.buffer);
for (let i = 0; i < 16384; i++) f[4096 + i] = Math.random();
const out = {};
for (const [name, R, C] of tiles) {
  const fn = inst.exports[name]; const kc = 256, n = 2000;
  fn(kc, 16384, 24576, 0, 200);
  let best = 0;
  for (let t = 0; t < reps; t++) {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    fn(kc, 16384, 24576, 0, n);
    const wall = (performance.now() - t0) / 1e3; const u = process.cpuUsage(c0);
    best = Math.max(best, (2 * R * 4 * C * kc * n) / Math.max(wall, (u.user + u.system) / 1e6) / 1e9);
  }
  out[name] = best;
}
console.log(JSON.stringify(out));
`;

function timeTiles(wasm, flags) {
  const r = spawnSync(
    process.execPath,
    [...flags, '-e', TIMER, wasm.toString('base64'), String(REPS), JSON.stringify(TILES)],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const load0 = loadavg();
const plain = timeTiles(await compile(false), []);
const relaxedWasm = await compile(true);
const relaxedNoFlag = timeTiles(relaxedWasm, []);
const relaxed = timeTiles(relaxedWasm, ['--experimental-wasm-relaxed-simd']);

// 2. OpenBLAS one thread
const py = process.env.MATRIX_LENS_BENCH_PYTHON ?? 'python3';
const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
const ob = JSON.parse(
  execFileSync(
    py,
    [
      '-c',
      `
import time, json, numpy as np
rng = np.random.default_rng(1); out = {}
for m, k, n in [(256, 256, 240), (1024, 1024, 1024), (2048, 64, 2048)]:
    A = rng.standard_normal((m, k)).astype(np.float32); B = rng.standard_normal((k, n)).astype(np.float32)
    A @ B; best = 1e9
    for _ in range(${REPS} * (20 if m == 256 else 1)):
        c = time.process_time(); t = time.perf_counter(); A @ B
        best = min(best, max(time.perf_counter() - t, time.process_time() - c))
    out[f'{m}x{k}x{n}'] = 2 * m * n * k / best / 1e9
print(json.dumps(dict(gflops=out, numpy=np.__version__)))
`,
    ],
    { encoding: 'utf8', env },
  ),
);

// 3. our exp kernel (the shipped module)
const bundle = await esbuild.build({
  entryPoints: [resolve(root, 'src/core/linalg/wasm/kernels.wasm.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
});
const { KERNELS_WASM_BASE64 } = await import(
  'data:text/javascript;base64,' + Buffer.from(bundle.outputFiles[0].text).toString('base64')
);
const k = new WebAssembly.Instance(
  new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64')),
  {},
).exports;
const N = 4096;
const px = (k.heapBase() + 15) & ~15;
if (k.memory.buffer.byteLength < px + 8 * N) k.memory.grow(1);
const xs = new Float32Array(k.memory.buffer, px, N);
for (let i = 0; i < N; i++) xs[i] = -87 * Math.random() ** 3;
let expNs = Infinity;
for (let r = 0; r < REPS; r++) {
  const c0 = process.cpuUsage();
  for (let q = 0; q < 256; q++) k.expNegF32Array(px, px + 4 * N, N);
  const u = process.cpuUsage(c0);
  expNs = Math.min(expNs, ((u.user + u.system) * 1e3) / (256 * N));
}

const fmt = (o) =>
  o.error ? `refused (${o.error})` : TILES.map(([n]) => `${n} ${o[n].toFixed(1)}`).join(', ');
const best = Math.max(...TILES.map(([n]) => plain[n]));
const obPeak = ob.gflops['256x256x240'];
const threads = Math.min(2, availableParallelism());
console.log(`load average ${load0.map((x) => x.toFixed(2)).join(' ')} → ${loadavg()
  .map((x) => x.toFixed(2))
  .join(' ')}; Node ${process.version} (V8 ${process.versions.v8})
wasm SIMD f32 tiles, GFLOP/s one thread, operands in L1:
  mul+add:                      ${fmt(plain)}
  relaxed_madd, no flag:        ${fmt(relaxedNoFlag)}
  relaxed_madd, with the flag:  ${fmt(relaxed)}
OpenBLAS sgemm one thread (NumPy ${ob.numpy}), GFLOP/s: ${Object.entries(ob.gflops)
  .map(([s, g]) => `${s} ${g.toFixed(1)}`)
  .join(', ')}
our exp (expNegF32Array, in cache): ${expNs.toFixed(2)} ns per value
floor (OpenBLAS in cache / our best tile × ${threads} threads): ${(obPeak / (best * threads)).toFixed(2)}× (one thread ${(obPeak / best).toFixed(2)}×)`);
