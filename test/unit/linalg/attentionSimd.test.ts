import assert from 'node:assert/strict';
import { attention } from '../../../src/core/attention/attention';
import { Engine, installEngine, wasmKernels } from '../../../src/core/linalg/wasm/kernels';

/**
 * Runs `fn` with the WebAssembly engine wrapped so that the kernel exports it calls are
 * recorded: the test then knows which route attention() took, not only that the numbers agree.
 */
function kernelsCalledBy<T>(fn: () => T): { result: T; kernels: Set<string> } {
  const wasm = wasmKernels();
  assert.ok(wasm && wasm.kind === 'wasm', 'the SIMD WebAssembly engine is available');
  const kernels = new Set<string>();
  const spy = new Proxy(wasm, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (key === 'call' && typeof v === 'function')
        return (name: string, args: readonly number[]) => {
          kernels.add(name);
          return (v as Engine['call'])!.call(target, name, args);
        };
      if (typeof v === 'function')
        return (...a: unknown[]) => {
          kernels.add(String(key));
          return (v as (...x: unknown[]) => unknown).apply(target, a);
        };
      return v;
    },
  });
  installEngine(spy);
  try {
    return { result: fn(), kernels };
  } finally {
    installEngine(undefined);
  }
}

/** attention() routes float32, output-only, unmasked inputs through the SIMD streaming kernel. */
describe('attention: float32 SIMD route agrees with the float64 path', () => {
  function rand(n: number, seed: number): Float64Array {
    let x = seed;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      out[i] = (x / 2147483648) * 4 - 2;
    }
    return out;
  }
  for (const [T, S, H, d, causal] of [
    [37, 37, 3, 8, true],
    [5, 70, 2, 16, false],
    [1, 1, 1, 1, false],
    [130, 130, 1, 64, true],
  ] as const) {
    it(`T=${T} S=${S} H=${H} d=${d}${causal ? ' causal' : ''}: |Δout| ≤ 2e-5·max|V|, |Δentropy| ≤ 1e-4`, () => {
      const q = rand(T * H * d, 1);
      const k = rand(S * H * d, 2);
      const v = rand(S * H * d, 3);
      const t = (data: ArrayLike<number>, rows: number) => ({ shape: [rows, H * d], data });
      const exact = attention(t(q, T), t(k, S), t(v, S), { heads: H, causal, weights: false });
      // inputs rounded to float32 for both, so only the arithmetic differs
      const q32 = Float32Array.from(q);
      const k32 = Float32Array.from(k);
      const v32 = Float32Array.from(v);
      const ref = attention(
        t(Float64Array.from(q32), T),
        t(Float64Array.from(k32), S),
        t(Float64Array.from(v32), S),
        { heads: H, causal, weights: false },
      );
      const { result: fast, kernels } = kernelsCalledBy(() =>
        attention(t(q32, T), t(k32, S), t(v32, S), { heads: H, causal, weights: false }),
      );
      // the route taken: the streaming SIMD kernel ran
      assert.ok(kernels.has('attnStreamF32'), `SIMD kernel called (${[...kernels].join(', ')})`);
      assert.deepEqual(fast.outputShape, exact.outputShape);
      let worst = 0;
      for (let i = 0; i < ref.output!.length; i++)
        worst = Math.max(worst, Math.abs(fast.output![i] - ref.output![i]));
      assert.ok(worst <= 2e-5 * 2, `max |Δout| ${worst}`);
      for (let i = 0; i < ref.entropy.length; i++)
        assert.ok(Math.abs(fast.entropy[i] - ref.entropy[i]) <= 1e-4, `entropy ${i}`);
    });
  }
});
