/**
 * Property tests: every parser, fed mutated valid files (bit flips, truncations, splices)
 * and random bytes, ends in a value or a LensError, quickly, and never another exception.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLensError } from '../../../src/core/errors';
import { MemorySource } from '../../../src/core/io/source';
import { openArrayFile } from '../../../src/core/formats/open';
import { computeEntryStats } from '../../../src/core/formats/entryStats';
import { runPython } from '../../helpers/python';
import { npyFile, safetensorsFile, zipFile } from './helpers';

const RUNS = Number(process.env.MATRIX_LENS_FUZZ_RUNS ?? 10_000);
// Not a speed measure (speed lives in the benches): a gross guard that no input of a few KB makes
// a parser do work out of proportion to it (a runaway loop, an inflation bomb). Parsing these
// inputs takes well under a millisecond; 200 ms flaked on a loaded 2-core machine, so the bound
// only catches what is wrong by orders of magnitude.
const BOUND_MS = 3000;

const outcome = { ok: 0, refused: 0 };

/** Opens, loads and summarises everything; returns normally or with a LensError. */
async function exercise(name: string, bytes: Uint8Array): Promise<void> {
  try {
    const f = await openArrayFile(name, new MemorySource(bytes));
    for (const e of f.entries) {
      await e.load({ maxBytes: 64 << 20 });
      await computeEntryStats(e);
    }
    outcome.ok++;
  } catch (e) {
    if (!isLensError(e)) throw e;
    outcome.refused++;
  }
}

/** `arb` one time in four, null otherwise. */
const sometimes = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** A mutation of one of the seeds. */
const mutated = (seeds: Uint8Array[]) =>
  fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      fc.nat({ max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 7 })), { maxLength: 3 }),
      sometimes(fc.nat()),
      sometimes(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 64 }))),
      sometimes(fc.uint8Array({ maxLength: 16 })),
    )
    .map(([a, b, flips, cut, splice, insert]) => {
      let x = seeds[a].slice();
      for (const [pos, bit] of flips) if (x.length) x[pos % x.length] ^= 1 << bit;
      if (splice) {
        // replace a stretch of x with a stretch of another seed
        const other = seeds[b];
        const at = splice[0] % (x.length + 1);
        const from = splice[1] % (other.length + 1);
        const piece = other.subarray(from, from + splice[2]);
        const y = new Uint8Array(x.length + piece.length);
        y.set(x.subarray(0, at));
        y.set(piece, at);
        y.set(x.subarray(at), at + piece.length);
        x = y.subarray(0, Math.max(x.length, at + piece.length));
      }
      if (insert && x.length) {
        const at = (insert.length * 7919) % x.length;
        x.set(insert.subarray(0, x.length - at), at);
      }
      if (cut !== null) x = x.subarray(0, cut % (x.length + 1));
      return x;
    });

async function checkProperty(name: string, seeds: Uint8Array[]): Promise<void> {
  outcome.ok = outcome.refused = 0;
  const arb = fc.oneof(
    { weight: 9, arbitrary: mutated(seeds) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  );
  await fc.assert(
    fc.asyncProperty(arb, async (bytes) => {
      const t0 = performance.now();
      await exercise(name, bytes);
      const ms = performance.now() - t0;
      assert.ok(ms < BOUND_MS, `took ${ms.toFixed(0)} ms`);
    }),
    { numRuns: RUNS, seed: Number(process.env.MATRIX_LENS_FUZZ_SEED ?? 20240607) },
  );
  // both outcomes must occur, or the mutations are not exercising the parser
  assert.ok(outcome.ok >= RUNS / 100 && outcome.refused >= RUNS / 10, JSON.stringify(outcome));
}

describe('format parsers under mutation (fast-check)', function () {
  this.timeout(120_000);
  let py: { npy: Uint8Array[]; npz: Uint8Array[] };

  before(() => {
    const out = JSON.parse(
      runPython(`
import numpy as np, io, json
from numpy.lib import format as fmt
def npy(a, v=None):
    b = io.BytesIO(); fmt.write_array(b, a, version=v); return b.getvalue().hex()
def npz(f, **kw):
    b = io.BytesIO(); f(b, **kw); return b.getvalue().hex()
a = np.arange(12, dtype=np.float32).reshape(3, 4)
print(json.dumps(dict(
  npy=[npy(a), npy(np.asfortranarray(a.astype('>f8')), (2, 0)), npy(np.array([1+2j, 3j]), (3, 0)), npy(np.array(True)),
       npy(np.zeros((0, 2), np.int16)), npy(np.array([[1, -2], [3, 4]], np.int64))],
  npz=[npz(np.savez, a=a, b=np.array([1, 2, 3])), npz(np.savez_compressed, a=a, b=np.eye(3)), npz(np.savez_compressed, x=np.zeros(500))])))
`),
    ) as { npy: string[]; npz: string[] };
    const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
    py = { npy: out.npy.map(hex), npz: out.npz.map(hex) };
  });

  it(`npy: ${RUNS} mutated and random inputs`, async () => {
    await checkProperty('x.npy', [...py.npy, npyFile('<f4', [2], new Uint8Array(8))]);
  });

  it(`npz: ${RUNS} mutated and random inputs`, async () => {
    const member = npyFile('<f8', [3], new Uint8Array(24).fill(64));
    await checkProperty('x.npz', [
      ...py.npz,
      zipFile([{ name: 'm.npy', content: member, deflate: true }]),
    ]);
  });

  it(`safetensors: ${RUNS} mutated and random inputs`, async () => {
    const f = (d: string, shape: number[], n: number) => ({
      name: `t${d}`,
      dtype: d,
      shape,
      data: new Uint8Array(n).map((_, i) => i * 29),
    });
    await checkProperty('x.safetensors', [
      safetensorsFile([f('F32', [2, 2], 16), f('BF16', [3], 6), f('F8_E4M3', [4], 4)], { a: 'b' }),
      safetensorsFile([f('I64', [1], 8), f('BOOL', [0, 3], 0), f('F16', [], 2)]),
    ]);
  });
});
