/**
 * The linear-algebra engine against NumPy/LAPACK (and mpmath where NumPy itself is not
 * accurate enough), computed in the test run. Each check states its tolerance;
 * eps = 2^-52 throughout.
 */
import assert from 'node:assert/strict';
import { orthogonalityError, svdResidual } from '../../helpers/svdCheck';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { pythonJson, tempDir } from '../../helpers/python';
import { readNpy } from '../../../src/core/formats/npy';
import { LensError } from '../../../src/core/errors';
import {
  Matrix,
  analyzeMatrix,
  cosineSimilarity,
  fromRawArray,
  fromRows,
  generalEigen,
  histogram,
  matmul,
  matmulF32,
  numpyRank,
  pca,
  randomizedSvd,
  singularValues,
  sliceToMatrix,
  svd,
  symmetricEigen,
  transpose,
} from '../../../src/core/linalg';
import { svd2x2 } from '../../../src/core/linalg/bidiagonalQR';

const EPS = 2 ** -52;

interface Case {
  name: string;
  a: number[][];
  dtype: string;
  sv: number[];
  rank: number;
  dtypeRank: number;
  norms: { fro: number; nuc: number; spectral: number; one: number; inf: number };
  eig?: [number, number][];
  eigh?: number[];
  cond: number;
  /** tolerance factor for eigenvalues relative to ‖A‖_F (sensitive cases get more) */
  eigTol: number;
}

const toM = (rows: number[][]): Matrix =>
  rows.length === 0 ? { rows: 0, cols: 0, data: new Float64Array(0) } : fromRows(rows);

/** greedy nearest matching of two multisets of complex numbers; returns max distance */
function multisetDistance(a: [number, number][], b: [number, number][]): number {
  assert.equal(a.length, b.length);
  const used = new Array<boolean>(b.length).fill(false);
  let worst = 0;
  // match the most isolated first: sort a by real then imag
  for (const [re, im] of a) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < b.length; j++) {
      if (used[j]) continue;
      const dd = Math.hypot(re - b[j][0], im - b[j][1]);
      if (dd < bd) {
        bd = dd;
        best = j;
      }
    }
    used[best] = true;
    worst = Math.max(worst, bd);
  }
  return worst;
}

describe('linalg engine vs NumPy/LAPACK', function () {
  this.timeout(60_000);
  const dir = tempDir('matrix-lens-linalg-');
  let cases: Case[];
  let extra: {
    hilbertMp: number;
    lowrank: { a: number[][]; sv: number[] };
    pca: { a: number[][]; ratio: number[]; var: number[] };
    cos: { x: number[][]; c: number[][] };
    hist: { counts: number[]; edges: number[]; data: number[] };
    mm: { a: number[][]; b: number[][]; c: number[][] };
  };

  before(() => {
    const out = pythonJson<{ cases: Case[]; extra: typeof extra }>(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(42)
def orth(n):
    q, _ = np.linalg.qr(rng.standard_normal((n, n))); return q
def kahan(n, th):
    s, c = np.sin(th), np.cos(th)
    R = np.triu(-c * np.ones((n, n)), 1) + np.eye(n)
    return np.diag(s ** np.arange(n)) @ R
def sym(x):
    return (x + x.T) / 2
n12 = 12
cases = {
  'random 8x8': (rng.standard_normal((8, 8)), 1e3),
  'tall 30x12': (rng.standard_normal((30, 12)), None),
  'wide 9x25': (rng.standard_normal((9, 25)), None),
  'hilbert 12': (1.0 / (np.arange(n12)[:, None] + np.arange(n12) + 1.0), 1e3),
  'rank-deficient 40x30 r7': (rng.standard_normal((40, 7)) @ rng.standard_normal((7, 30)), None),
  'graded 20x20': (orth(20) @ np.diag(10.0 ** -np.arange(20)) @ orth(20), 1e3),
  'kahan 30': (kahan(30, 1.2), 1e6),
  'jordan 5 (defective)': (2 * np.eye(5) + np.diag(np.ones(4), 1), 1e-2 / np.finfo(float).eps / 5),
  'complex eigenvalues 10x10': (rng.standard_normal((10, 10)) + 3 * (np.eye(10, k=1) - np.eye(10, k=-1)), 1e3),
  'rotation 2x2': (np.array([[0.0, -1.0], [1.0, 0.0]]), 1e3),
  'clustered symmetric 16': (sym(orth(16) @ np.diag(np.r_[np.ones(8), np.ones(8) + 1e-10]) @ orth(16).T), 1e3),
  'symmetric 25': (sym(rng.standard_normal((25, 25))), 1e3),
  'zero 5x4': (np.zeros((5, 4)), None),
  'zero 3x3': (np.zeros((3, 3)), 1e3),
  '1x1': (np.array([[-3.5]]), 1e3),
  'row 1x6': (rng.standard_normal((1, 6)), None),
  'float32 15x10': (rng.standard_normal((15, 10)).astype(np.float32), None),
  'float32 near-rank-deficient 12x12': ((rng.standard_normal((12, 6)) @ rng.standard_normal((6, 12)) + 1e-9 * rng.standard_normal((12, 12))).astype(np.float32), 1e6),
  'int64 9x9': (rng.integers(-5, 6, size=(9, 9)), 1e3),
  'uint8 rank-2': (np.outer(np.arange(1, 7), np.ones(5)).astype(np.uint8) + np.eye(6, 5, dtype=np.uint8), None),
}
out = []
for name, (a, eigtol) in cases.items():
    f = a.astype(np.float64)
    np.save(os.path.join(d, name.replace(' ', '_') + '.npy'), a)
    s = np.linalg.svd(f, compute_uv=False)
    m, n = f.shape
    eps_dt = np.finfo(a.dtype).eps if a.dtype.kind == 'f' else np.finfo(np.float64).eps
    c = dict(name=name, a=f.tolist(), dtype=str(a.dtype), sv=s.tolist(),
        rank=int(np.linalg.matrix_rank(f)), dtypeRank=int((s > s.max() * max(m, n) * eps_dt).sum()) if s.size else 0,
        norms=dict(fro=float(np.linalg.norm(f, 'fro')), nuc=float(np.linalg.norm(f, 'nuc')), spectral=float(np.linalg.norm(f, 2)),
                   one=float(np.linalg.norm(f, 1)), inf=float(np.linalg.norm(f, np.inf))),
        cond=float(s.max() / s.min()) if s.min() > 0 else None, eigTol=eigtol or 0)
    if m == n:
        w = np.linalg.eigvals(f)
        c['eig'] = [[float(x.real), float(x.imag)] for x in w]
        if np.array_equal(f, f.T): c['eigh'] = np.linalg.eigvalsh(f).tolist()
    out.append(c)
# low rank + noise for the randomized SVD
L = rng.standard_normal((300, 12)) @ np.diag(2.0 ** -np.arange(12)) @ rng.standard_normal((12, 200)) * 10 + 1e-6 * rng.standard_normal((300, 200))
X = rng.standard_normal((50, 6)) @ np.diag([5, 3, 2, 1, .5, .1])
Xc = X - X.mean(0)
sx = np.linalg.svd(Xc, compute_uv=False)
R = rng.standard_normal((7, 5)); R[3] = 0
Cn = R / np.maximum(np.linalg.norm(R, axis=1, keepdims=True), 1e-300); Cos = Cn @ Cn.T; Cos[3, :] = 0; Cos[:, 3] = 0
hd = np.r_[rng.standard_normal(1000), [0.1, 0.2, 0.30000000000000004]]
hc, he = np.histogram(hd, bins=17)
A = rng.standard_normal((37, 53)); B = rng.standard_normal((53, 29))
extra = dict(hilbertMp=1.0674898e-16,  # mpmath, 60 digits, σ_min of the float64-rounded Hilbert 12
  lowrank=dict(a=L.tolist(), sv=np.linalg.svd(L, compute_uv=False).tolist()),
  pca=dict(a=X.tolist(), ratio=(sx**2 / (sx**2).sum()).tolist(), var=(sx**2 / 49).tolist()),
  cos=dict(x=R.tolist(), c=Cos.tolist()), hist=dict(counts=hc.tolist(), edges=he.tolist(), data=hd.tolist()),
  mm=dict(a=A.tolist(), b=B.tolist(), c=(A @ B).tolist()))
print(json.dumps(dict(cases=out, extra=extra)))
`,
      [dir],
    );
    cases = out.cases;
    extra = out.extra;
  });

  it('singular values: |Δσᵢ| ≤ 8·max(m,n)·eps·σ_max, and rank equals numpy.linalg.matrix_rank', () => {
    for (const c of cases) {
      const a = toM(c.a);
      const s = singularValues(a);
      assert.equal(s.length, c.sv.length, c.name);
      const smax = c.sv[0] ?? 0;
      const tol = 8 * Math.max(a.rows, a.cols) * EPS * smax;
      for (let i = 0; i < s.length; i++)
        assert.ok(
          Math.abs(s[i] - c.sv[i]) <= tol,
          `${c.name}: σ${i} ${s[i]} vs ${c.sv[i]} (tol ${tol})`,
        );
      for (let i = 1; i < s.length; i++) assert.ok(s[i] <= s[i - 1], `${c.name}: descending`);
      assert.equal(numpyRank(s, a.rows, a.cols).rank, c.rank, `${c.name}: rank`);
    }
  });

  it('Hilbert 12: σ_min within 10% of the 60-digit value 1.0675e-16 (relative accuracy of the zero-shift QR)', () => {
    const c = cases.find((x) => x.name === 'hilbert 12')!;
    const s = singularValues(toM(c.a));
    const smin = s[s.length - 1];
    assert.ok(Math.abs(smin - extra.hilbertMp) <= 0.1 * extra.hilbertMp, `σ_min = ${smin}`);
    assert.equal(numpyRank(s, 12, 12).rank, 11);
  });

  it('thin and full SVD: ‖A − U·S·Vᵀ‖_max ≤ 20·max(m,n)·eps·σ_max, ‖UᵀU − I‖, ‖VVᵀ − I‖ ≤ 20·max(m,n)·eps', () => {
    for (const c of cases)
      for (const full of [false, true]) {
        const a = toM(c.a);
        const { U, S, Vt } = svd(a, { full });
        const m = a.rows;
        const n = a.cols;
        const k = Math.min(m, n);
        assert.deepEqual(
          [U.rows, U.cols, Vt.rows, Vt.cols],
          full ? [m, m, n, n] : [m, k, k, n],
          c.name,
        );
        const smax = S[0] ?? 0;
        const tol = 20 * Math.max(m, n) * EPS;
        const err = svdResidual(a, U, S, Vt);
        assert.ok(
          err <= tol * Math.max(smax, 1e-300) || err === 0,
          `${c.name} full=${full}: reconstruction ${err}`,
        );
        assert.ok(
          orthogonalityError(U) <= tol,
          `${c.name} full=${full}: UᵀU ${orthogonalityError(U)}`,
        );
        assert.ok(
          orthogonalityError(Vt, true) <= tol,
          `${c.name} full=${full}: VVᵀ ${orthogonalityError(Vt, true)}`,
        );
      }
  });

  it('2×2 SVD kernel (dlasv2) diagonalizes [f g; 0 h] to ≤ 4·eps·σ_max', () => {
    for (const [f, g, h] of [
      [1, 2, 3],
      [3, -2, 1],
      [1e-20, 1, 1],
      [2, 0, -3],
      [-1, 5, 1e-3],
      [1, 1e30, 1],
    ]) {
      const [mn, mx, snr, csr, snl, csl] = svd2x2(f, g, h);
      const b11 = csl * f - 0 + snl * 0;
      void b11;
      // L·B·R with L = [csl snl; -snl csl], R = [csr -snr; snr csr]
      const LB = [
        [csl * f, csl * g + snl * h],
        [-snl * f, -snl * g + csl * h],
      ];
      const M = [
        [LB[0][0] * csr + LB[0][1] * snr, -LB[0][0] * snr + LB[0][1] * csr],
        [LB[1][0] * csr + LB[1][1] * snr, -LB[1][0] * snr + LB[1][1] * csr],
      ];
      const tol = 4 * EPS * Math.abs(mx);
      assert.ok(Math.abs(M[0][0] - mx) <= tol && Math.abs(M[1][1] - mn) <= tol, `${f},${g},${h}`);
      assert.ok(
        Math.abs(M[0][1]) <= tol && Math.abs(M[1][0]) <= tol,
        `${f},${g},${h}: off-diagonal`,
      );
    }
  });

  it('norms match numpy.linalg.norm to 1e-12 relative', () => {
    for (const c of cases) {
      const r = analyzeMatrix(toM(c.a), 'float64', { eigenvalues: false });
      for (const k of ['fro', 'nuc', 'spectral', 'one', 'inf'] as const) {
        const ref = c.norms[k];
        assert.ok(
          Math.abs(r.norms[k] - ref) <= 1e-12 * Math.max(ref, 1e-300) || r.norms[k] === ref,
          `${c.name} ${k}`,
        );
      }
    }
  });

  it('general eigenvalues: multiset distance ≤ eigTol·n·eps·‖A‖_F (eigTol per case, larger for non-normal), conjugate pairs exact', () => {
    for (const c of cases) {
      if (!c.eig) continue;
      const a = toM(c.a);
      const { re, im } = generalEigen(a);
      const ours: [number, number][] = Array.from(re, (r, i) => [r, im[i]]);
      const tol = c.eigTol * a.rows * EPS * Math.max(c.norms.fro, 1e-300);
      const dist = multisetDistance(ours, c.eig);
      assert.ok(dist <= tol || dist === 0, `${c.name}: eigenvalue distance ${dist} (tol ${tol})`);
      for (let i = 0; i < re.length; i++)
        if (im[i] !== 0) {
          const partner = ours.findIndex(([r, m], j) => j !== i && r === re[i] && m === -im[i]);
          assert.ok(partner >= 0, `${c.name}: λ=${re[i]}+${im[i]}i has no exact conjugate`);
        }
    }
  });

  it('general eigenvectors: ‖Av − λv‖₂ ≤ 1e3·n·eps·‖A‖_F with ‖v‖₂ = 1', () => {
    for (const c of cases) {
      if (!c.eig) continue;
      const a = toM(c.a);
      const n = a.rows;
      const r = generalEigen(a, { vectors: true });
      const vr = r.vectorsRe!.data;
      const vi = r.vectorsIm!.data;
      const tol = 1e3 * n * EPS * Math.max(c.norms.fro, 1e-300);
      for (let j = 0; j < n; j++) {
        let res = 0;
        let nv = 0;
        for (let i = 0; i < n; i++) {
          let sr = 0;
          let si = 0;
          for (let k = 0; k < n; k++) {
            sr += a.data[i * n + k] * vr[k * n + j];
            si += a.data[i * n + k] * vi[k * n + j];
          }
          const lr = r.re[j] * vr[i * n + j] - r.im[j] * vi[i * n + j];
          const li = r.re[j] * vi[i * n + j] + r.im[j] * vr[i * n + j];
          res += (sr - lr) ** 2 + (si - li) ** 2;
          nv += vr[i * n + j] ** 2 + vi[i * n + j] ** 2;
        }
        if (c.norms.fro === 0) continue;
        assert.ok(Math.abs(nv - 1) <= 1e-12, `${c.name}: ‖v${j}‖ = ${Math.sqrt(nv)}`);
        assert.ok(
          Math.sqrt(res) <= tol,
          `${c.name}: residual v${j} ${Math.sqrt(res)} (tol ${tol})`,
        );
      }
    }
  });

  it('symmetric eigen: |Δλᵢ| ≤ 10·n·eps·‖A‖₂ vs eigvalsh, ‖Av − λv‖ ≤ 100·n·eps·‖A‖₂, ‖ZᵀZ − I‖ ≤ 100·n·eps', () => {
    let seen = 0;
    for (const c of cases) {
      if (!c.eigh) continue;
      seen++;
      const a = toM(c.a);
      const n = a.rows;
      const { values, vectors } = symmetricEigen(a, { vectors: true });
      const nrm = c.norms.spectral;
      for (let i = 0; i < n; i++)
        assert.ok(
          Math.abs(values[i] - c.eigh[i]) <= 10 * n * EPS * nrm,
          `${c.name}: λ${i} ${values[i]} vs ${c.eigh[i]}`,
        );
      const z = vectors!.data;
      for (let j = 0; j < n; j++) {
        let res = 0;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a.data[i * n + k] * z[k * n + j];
          res += (s - values[j] * z[i * n + j]) ** 2;
        }
        assert.ok(
          Math.sqrt(res) <= 100 * n * EPS * Math.max(nrm, 1e-300) || nrm === 0,
          `${c.name}: residual ${j}`,
        );
        for (let l = j; l < n; l++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += z[i * n + j] * z[i * n + l];
          assert.ok(
            Math.abs(s - (j === l ? 1 : 0)) <= 100 * n * EPS,
            `${c.name}: orthogonality ${j},${l}`,
          );
        }
      }
    }
    assert.ok(seen >= 4);
  });

  it('analyzeMatrix on the saved .npy files: rank, dtype rank, shapes, eigenvalues, stable/effective rank, Eckart–Young', () => {
    for (const c of cases) {
      const raw = readNpy(readFileSync(join(dir, c.name.replace(/ /g, '_') + '.npy')));
      const m = fromRawArray(raw);
      const r = analyzeMatrix(m, raw.dtype);
      assert.deepEqual(r.shape, [c.a.length, c.a[0].length], c.name);
      assert.equal(r.rank, c.rank, `${c.name}: rank`);
      assert.equal(r.dtypeRank, c.dtypeRank, `${c.name}: dtype rank (${raw.dtype})`);
      assert.match(r.rankRule, /numpy/);
      const smax = c.sv[0];
      assert.ok(
        Math.abs(r.rankTolerance - smax * Math.max(m.rows, m.cols) * EPS) <= 1e-13 * smax ||
          smax === 0,
      );
      // |Δcond| ≤ 10·n·eps·cond² (σ_min is only accurate to n·eps·σ_max)
      if (c.cond === null) assert.equal(r.cond, Infinity, c.name);
      else if (c.cond < 1e6)
        assert.ok(
          Math.abs(r.cond - c.cond) <= 10 * m.rows * EPS * c.cond * c.cond,
          `${c.name}: cond ${r.cond} vs ${c.cond}`,
        );
      // Eckart–Young: lowRankError[k]² = Σ_{i≥k} σᵢ² (relative 1e-12 of ‖A‖_F)
      const sv = c.sv;
      for (let k = 0; k <= sv.length; k++) {
        let s = 0;
        for (let i = k; i < sv.length; i++) s += sv[i] ** 2;
        assert.ok(
          Math.abs(r.lowRankError[k] - Math.sqrt(s)) <=
            1e-12 * Math.max(c.norms.fro, 1e-300) + 1e-300,
          `${c.name} k=${k}`,
        );
      }
      if (smax > 0) {
        assert.ok(
          Math.abs(r.stableRank - (c.norms.fro / smax) ** 2) <= 1e-12 * r.stableRank,
          c.name,
        );
        const tot = sv.reduce((x, y) => x + y, 0);
        const h = -sv.reduce((acc, s) => (s > 0 ? acc + (s / tot) * Math.log(s / tot) : acc), 0);
        assert.ok(Math.abs(r.effectiveRank - Math.exp(h)) <= 1e-9 * Math.exp(h), c.name);
      }
      if (c.eig) {
        assert.ok(r.eigenvalues && r.eigenvalues.length === c.eig.length, c.name);
        const rho = Math.max(...c.eig.map(([x, y]) => Math.hypot(x, y)));
        const tol = Math.max(c.eigTol * m.rows * EPS * c.norms.fro, 1e-300);
        assert.ok(Math.abs(r.spectralRadius! - rho) <= tol, `${c.name}: spectral radius`);
        assert.equal(r.symmetric, !!c.eigh, `${c.name}: symmetric flag`);
      } else assert.equal(r.eigenvalues, undefined);
    }
  });

  it('float32 storage: dtype rank uses eps(float32) = 2^-23 and can be lower than NumPy rank', () => {
    const c = cases.find((x) => x.name.startsWith('float32 near'))!;
    const raw = readNpy(readFileSync(join(dir, c.name.replace(/ /g, '_') + '.npy')));
    const r = analyzeMatrix(fromRawArray(raw), raw.dtype);
    assert.equal(r.rank, c.rank);
    assert.equal(r.dtypeRank, c.dtypeRank);
    assert.ok(r.dtypeRank < r.rank, `dtype rank ${r.dtypeRank} vs rank ${r.rank}`);
    assert.match(r.dtypeRankRule, /float32/);
  });

  it('randomized SVD (q=2, p=10): top-10 σ of a decaying low-rank matrix to 1e-8 relative; forced in analyzeMatrix', () => {
    const a = toM(extra.lowrank.a);
    const r = randomizedSvd(a, 10);
    for (let i = 0; i < 10; i++)
      assert.ok(
        Math.abs(r.S[i] - extra.lowrank.sv[i]) <= 1e-8 * extra.lowrank.sv[i],
        `σ${i} ${r.S[i]} vs ${extra.lowrank.sv[i]}`,
      );
    // U S Vt reconstructs A to the 11th singular value scale
    const an = analyzeMatrix(a, 'float64', { randomized: true, topK: 12 });
    assert.equal(an.singularValues.length, 12);
    assert.ok(an.approximate);
    assert.equal(an.rank, 12); // all 12 top values are above tolerance: a lower bound
    const U = r.U!;
    const Vt = r.Vt!;
    let err = 0;
    for (let i = 0; i < a.rows; i++)
      for (let j = 0; j < a.cols; j++) {
        let s = 0;
        for (let l = 0; l < 10; l++) s += U.data[i * 10 + l] * r.S[l] * Vt.data[l * a.cols + j];
        err = Math.max(err, Math.abs(s - a.data[i * a.cols + j]));
      }
    assert.ok(err <= 10 * extra.lowrank.sv[10], `reconstruction ${err}`);
  });

  it('PCA explained variance (ratio) and cosine similarity match NumPy to 1e-12', () => {
    const p = pca(toM(extra.pca.a), { components: true });
    for (let i = 0; i < p.explainedVarianceRatio.length; i++) {
      assert.ok(Math.abs(p.explainedVarianceRatio[i] - extra.pca.ratio[i]) <= 1e-12);
      assert.ok(Math.abs(p.explainedVariance[i] - extra.pca.var[i]) <= 1e-12 * extra.pca.var[0]);
    }
    const c = cosineSimilarity(toM(extra.cos.x));
    for (let a = 0; a < 7; a++)
      for (let b = 0; b < 7; b++)
        assert.ok(Math.abs(c.data[a * 7 + b] - extra.cos.c[a][b]) <= 1e-12, `cos ${a},${b}`);
  });

  it('cosine similarity of rows (zero rows → 0) and histogram match NumPy', () => {
    const x = fromRows([
      [1, 2, 0],
      [0, 0, 0],
      [-2, 1, 3],
      [2, 4, 0],
    ]);
    const c = cosineSimilarity(x);
    assert.ok(Math.abs(c.data[0 * 4 + 3] - 1) <= 1e-15);
    assert.equal(c.data[1 * 4 + 2], 0);
    assert.ok(Math.abs(c.data[0 * 4 + 2] - 0) <= 1e-15);
    const h = histogram(extra.hist.data, 17);
    assert.deepEqual(Array.from(h.counts), extra.hist.counts);
    for (let i = 0; i < h.edges.length; i++)
      assert.ok(Math.abs(h.edges[i] - extra.hist.edges[i]) <= 1e-12);
  });

  it('matmul (float64 and float32) matches A@B: |Δ| ≤ k·eps·‖a‖·‖b‖ (f32: 2^-23)', () => {
    const a = toM(extra.mm.a);
    const b = toM(extra.mm.b);
    const c = matmul(a, b);
    const k = a.cols;
    for (let i = 0; i < c.rows; i++)
      for (let j = 0; j < c.cols; j++)
        assert.ok(Math.abs(c.data[i * c.cols + j] - extra.mm.c[i][j]) <= k * EPS * 20);
    const c32 = matmulF32(Float32Array.from(a.data), Float32Array.from(b.data), a.rows, k, b.cols);
    for (let i = 0; i < c.rows; i++)
      for (let j = 0; j < c.cols; j++)
        assert.ok(Math.abs(c32[i * c.cols + j] - extra.mm.c[i][j]) <= k * 2 ** -23 * 20);
    assert.deepEqual(transpose(transpose(a)), a);
  });

  it('refuses complex input (unsupported) and non-finite input (numeric, with counts)', () => {
    const cplx = {
      dtype: 'complex128' as const,
      shape: [2, 2],
      fortranOrder: false,
      littleEndian: true,
      bytes: new Uint8Array(64),
    };
    assert.throws(
      () => fromRawArray(cplx),
      (e: unknown) => e instanceof LensError && e.code === 'unsupported',
    );
    const bad = fromRows([
      [1, NaN, Infinity],
      [NaN, 2, -Infinity],
    ]);
    assert.throws(
      () => singularValues(bad),
      (e: unknown) =>
        e instanceof LensError &&
        e.code === 'numeric' &&
        /2 NaN and 2 Inf values; decompositions need finite numbers/.test(e.message),
    );
    const nd = {
      dtype: 'float64' as const,
      shape: [2, 2, 3],
      fortranOrder: false,
      littleEndian: true,
      bytes: new Uint8Array(new Float64Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).buffer),
    };
    assert.throws(() => fromRawArray(nd), /2-D/);
    assert.deepEqual(Array.from(sliceToMatrix(nd, [1]).data), [6, 7, 8, 9, 10, 11]);
  });

  it('progress is reported and a throwing callback cancels a long decomposition', () => {
    const n = 300;
    const a = {
      rows: n,
      cols: n,
      data: new Float64Array(n * n).map((_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13),
    };
    let calls = 0;
    assert.throws(
      () =>
        generalEigen(a, {
          vectors: true,
          progress: () => {
            if (++calls >= 2) throw new LensError('cancelled', 'cancelled');
          },
        }),
      (e: unknown) => e instanceof LensError && e.code === 'cancelled',
    );
    const fr: number[] = [];
    singularValues(a, (f) => fr.push(f));
    assert.ok(fr.length >= 1 && fr[fr.length - 1] === 1);
  });
});
