/**
 * The blocked bidiagonalization (dgebrd/dlabrd shape, used by the SVD from 160 columns) against
 * NumPy's LAPACK: singular values against numpy.linalg.svd(compute_uv=False) on sizes that are
 * not multiples of the 32-column panel, tall and wide, and on inputs that stress the reflectors:
 * zero rows and columns (τ = 0), rank deficiency, repeated and clustered singular values, rows
 * graded over 1e±30, huge/tiny overall scale. Both engines (WebAssembly SIMD and the
 * TypeScript fallback). The reduction itself is checked for what the vectors path needs: the
 * reflectors it leaves (LAPACK layout, tauq/taup) rebuild A = Q·B·Pᵀ through formQt/formPt, and
 * small panels with a short unblocked tail agree with the unblocked reduction.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { pythonJson, tempDir } from '../../helpers/python';
import { singularValues, svd } from '../../../src/core/linalg';
import { bidiagonalizeBlocked } from '../../../src/core/linalg/blockedBidiagonalization';
import { bidiagonalSvd } from '../../../src/core/linalg/bidiagonalQR';
import {
  bidiagonalize,
  formPt,
  formQt,
} from '../../../src/core/linalg/householderBidiagonalization';
import { useWasmKernels, withEngine } from '../../../src/core/linalg/wasm/kernels';

const EPS = 2 ** -52;

interface Case {
  name: string;
  m: number;
  n: number;
  /** numpy.linalg.svd(a, compute_uv=False), descending */
  s: number[];
}

describe('singular values: blocked bidiagonalization vs numpy.linalg.svd', function () {
  this.timeout(180_000);
  const dir = tempDir('matrix-lens-gebrd-');
  let cases: Case[];

  before(() => {
    cases = pythonJson<Case[]>(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(16)
out = []
def add(name, a):
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.tofile(os.path.join(d, name + '.bin'))
    s = np.linalg.svd(a, compute_uv=False)
    out.append(dict(name=name, m=a.shape[0], n=a.shape[1], s=s.tolist()))
for (m, n) in ((193, 193), (301, 229), (229, 301), (390, 161)):
    add('random %dx%d' % (m, n), rng.standard_normal((m, n)))
m, n = 260, 211
z = rng.standard_normal((m, n)); z[:, 40] = 0; z[:, 77:90] = 0; z[5, :] = 0; z[150:170, :] = 0
add('zero rows and columns', z)
add('rank 7', rng.standard_normal((m, 7)) @ rng.standard_normal((7, n)))
q1, _ = np.linalg.qr(rng.standard_normal((m, n))); q2, _ = np.linalg.qr(rng.standard_normal((n, n)))
sv = np.ones(n); sv[:60] = 3.0; sv[60:120] = 1 + 1e-12 * np.arange(60); sv[120:] = np.logspace(0, -8, n - 120)
add('repeated and clustered', (q1 * sv) @ q2.T)
g = np.logspace(-30, 30, m); add('rows graded 1e-30..1e30', rng.standard_normal((m, n)) * g[:, None])
add('huge', rng.standard_normal((200, 180)) * 1e300)
add('tiny', rng.standard_normal((200, 180)) * 1e-300)
print(json.dumps(out))
`,
      [dir],
    );
  });

  const load = (c: Case) => {
    const data = new Float64Array(c.m * c.n);
    const buf = readFileSync(join(dir, `${c.name}.bin`));
    data.set(new Float64Array(buf.buffer, buf.byteOffset, c.m * c.n));
    return { rows: c.m, cols: c.n, data };
  };

  for (const wasm of [true, false])
    it(`singular values match LAPACK to 8·max(m,n)·eps·σ_max (${wasm ? 'WebAssembly' : 'TypeScript'} engine)`, () => {
      assert.ok(cases.length >= 10);
      const prev = useWasmKernels(wasm);
      try {
        for (const c of cases) {
          const s = singularValues(load(c));
          assert.equal(s.length, Math.min(c.m, c.n));
          let worst = 0;
          for (let i = 0; i < s.length; i++) worst = Math.max(worst, Math.abs(s[i] - c.s[i]));
          const tol = 8 * Math.max(c.m, c.n) * EPS * c.s[0];
          assert.ok(worst <= tol, `${c.name}: max |Δσ| ${worst} vs σ_max ${c.s[0]}`);
        }
      } finally {
        useWasmKernels(prev);
      }
    });

  it('the full SVD through the blocked reduction: A = U·S·Vᵀ and σ match LAPACK', () => {
    for (const name of ['random 301x229', 'random 229x301', 'zero rows and columns']) {
      const c = cases.find((x) => x.name === name);
      assert.ok(c);
      const a = load(c);
      const { U, S, Vt } = svd(a);
      const k = S.length;
      let worst = 0;
      for (let r = 0; r < c.m; r++)
        for (let j = 0; j < c.n; j++) {
          let v = 0;
          for (let p = 0; p < k; p++) v += U.data[r * k + p] * S[p] * Vt.data[p * c.n + j];
          worst = Math.max(worst, Math.abs(v - a.data[r * c.n + j]));
        }
      assert.ok(worst <= 20 * Math.max(c.m, c.n) * EPS * c.s[0], `${name}: ${worst}`);
      for (let i = 0; i < k; i++)
        assert.ok(Math.abs(S[i] - c.s[i]) <= 8 * Math.max(c.m, c.n) * EPS * c.s[0]);
    }
  });
});

describe('blocked bidiagonalization: reflectors in LAPACK layout', () => {
  it('rebuilds A = Q·B·Pᵀ and has the unblocked reduction’s σ for any panel and tail', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 70 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(1, 1e-30, 1e30),
        (n, extra, nb, tail, seed, scale) => {
          const m = n + extra;
          let x = seed;
          const a = new Float64Array(m * n).map(() => {
            x = (x * 16807) % 2147483647;
            return (x / 2147483647 - 0.5) * scale;
          });
          withEngine((eng) => {
            const b = bidiagonalizeBlocked(eng, a, m, n, undefined, nb, tail);
            const u = bidiagonalize(eng, a, m, n);
            // the bidiagonals' entries may differ by rounding amplified late in the reduction;
            // their singular values may not
            const sb = b.d.slice();
            const su = u.d.slice();
            bidiagonalSvd(sb, b.e.slice(), undefined, undefined);
            bidiagonalSvd(su, u.e.slice(), undefined, undefined);
            for (let i = 0; i < n; i++)
              assert.ok(Math.abs(sb[i] - su[i]) <= 8 * m * EPS * su[0], `σ${i}`);
            const Q = formQt(b, n);
            const P = formPt(b);
            const f = eng.f64;
            for (let r = 0; r < m; r++)
              for (let j = 0; j < n; j++) {
                let v = 0;
                for (let i = 0; i < n; i++) {
                  const bij = b.d[i] * f[P + i * n + j];
                  const e = i < n - 1 ? b.e[i] * f[P + (i + 1) * n + j] : 0;
                  v += f[Q + i * m + r] * (bij + e);
                }
                assert.ok(Math.abs(v - a[r * n + j]) <= 32 * m * EPS * scale, `(${r}, ${j})`);
              }
          });
        },
      ),
      { numRuns: 60, seed: 60 },
    );
  });

  it('rejects a wide input (the driver transposes first)', () => {
    withEngine((eng) =>
      assert.throws(() => bidiagonalizeBlocked(eng, new Float64Array(6), 2, 3), /m ≥ n/),
    );
  });
});
