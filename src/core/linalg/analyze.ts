/**
 * One call that answers "what is this matrix like": rank (NumPy's rule and a dtype-aware
 * rule), singular values, condition number, norms, low-rank structure, and for square
 * matrices the eigenvalues and spectral radius. Exact SVD below a size threshold, the
 * randomized top-k SVD (block Krylov, Musco–Musco) above it or on request.
 */
import { DType } from '../array/dtype';
import { LensError } from '../errors';
import { Matrix, assertFinite } from './matrix';
import { singularValues } from './svd';
import { randomizedSvd } from './randomizedSvd';
import { Norms, frobeniusNorm, infNorm, norms, oneNorm } from './norms';
import {
  conditionNumber,
  dtypeRank,
  effectiveRank,
  lowRankErrors,
  numpyRank,
  stableRank,
} from './lowRank';
import { isSymmetric, symmetricEigen } from './symmetricTridiagonalQL';
import { generalEigen } from './hessenbergFrancisQR';
import { Progress, Ticker } from './progress';
import { MarchenkoPasturFit, marchenkoPasturFit } from './marchenkoPastur';
import { PowerLawFit, powerLawAlpha } from './powerLawAlpha';

/** Krylov blocks of the randomized top-k SVD (2·8 − 1 products with A or Aᵀ). */
const KRYLOV_BLOCKS = 8;

export interface AnalyzeOptions {
  /** eigenvalues for square matrices (default true up to `eigenLimit`) */
  eigenvalues?: boolean;
  /** largest n for automatic eigenvalues (default 2048) */
  eigenLimit?: number;
  /** force (true) or forbid (false) the randomized SVD; default: automatic */
  randomized?: boolean;
  /** automatic randomized SVD when min(m, n) exceeds this (default 2048) */
  randomizedAbove?: number;
  /** singular values kept by the randomized SVD (default 64) */
  topK?: number;
  progress?: Progress;
}

export interface MatrixAnalysis {
  shape: [number, number];
  rank: number;
  rankTolerance: number;
  rankRule: string;
  dtypeRank: number;
  dtypeRankTolerance: number;
  dtypeRankRule: string;
  /** descending; with the randomized SVD only the top k */
  singularValues: number[];
  cond: number;
  norms: Norms;
  effectiveRank: number;
  stableRank: number;
  /** lowRankError[k] = ‖A − A_k‖_F for k = 0..len(singularValues) */
  lowRankError: number[];
  /** square only: [re, im] sorted by descending modulus, conjugate pairs adjacent (+im first) */
  eigenvalues?: [number, number][];
  symmetric: boolean;
  spectralRadius?: number;
  /** set when the singular values come from the randomized SVD: rank, cond, nuc and
   *  effectiveRank are then lower bounds / estimates over the top k only */
  approximate?: { method: string; k: number };
  /** noise-aware rank (all singular values needed: absent with the randomized SVD) */
  marchenkoPastur?: MarchenkoPasturFit;
  /** power-law exponent of the ESD tail of WᵀW (absent with < 10 nonzero σ or randomized) */
  powerLaw?: PowerLawFit;
}

export function analyzeMatrix(
  m: Matrix,
  sourceDtype: DType,
  opts: AnalyzeOptions = {},
): MatrixAnalysis {
  assertFinite(m);
  const { rows, cols } = m;
  // an empty matrix (shape (10**15, 0), (0, 10**15), …) has nothing to reduce: answer at once
  // rather than walking 10^15 empty rows or allocating per-column sums
  if (rows === 0 || cols === 0) return emptyAnalysis(rows, cols, sourceDtype);
  const t = new Ticker(opts.progress);
  const square = rows === cols;
  const symmetric = square && isSymmetric(m);
  const doEig = square && rows > 0 && (opts.eigenvalues ?? rows <= (opts.eigenLimit ?? 2048));
  const svSpan = doEig ? 0.6 : 1;
  const minDim = Math.min(rows, cols);
  const topK = opts.topK ?? 64;
  const useRandom = opts.randomized ?? minDim > (opts.randomizedAbove ?? 2048);
  let sv: Float64Array;
  let approximate: MatrixAnalysis['approximate'];
  let nrm: Norms;
  let lowRankError: number[];
  // one ticker for the whole phase: a fresh one per call would never report (it waits 50 ms
  // from its own creation), and reports are where cancellation is noticed
  const svTicker = t.sub(0, svSpan);
  const f32Products =
    sourceDtype === 'float32' || sourceDtype === 'float16' || sourceDtype === 'bfloat16';
  if (useRandom && topK < minDim) {
    // block Krylov: on slowly decaying spectra (trained weights) subspace iteration with q = 2
    // is off by ~10 % at σ₆₄; 8 Krylov blocks of k + 10 vectors are within ~1e-4 (see
    // BENCHMARKS.md, bigsvd) for about 4× the products' work
    const r = randomizedSvd(m, topK, {
      vectors: false,
      method: 'krylov',
      krylovBlocks: KRYLOV_BLOCKS,
      // float32 (or narrower) data: float32 products, exact on the data, ~1e-5 noise, twice
      // the SIMD width; far below the method's own error on such spectra
      precision: f32Products ? 'float32' : 'float64',
      progress: (f) => svTicker.tick(f),
    });
    sv = r.S;
    approximate = {
      method: `randomized block Krylov SVD (Musco–Musco, blocks of k + 10 vectors, ${KRYLOV_BLOCKS} blocks${f32Products ? ', float32 products' : ''})`,
      k: r.k,
    };
    const fro = frobeniusNorm(m);
    let nuc = 0;
    for (const s of sv) nuc += s;
    nrm = { fro, nuc, spectral: sv[0] ?? 0, one: oneNorm(m), inf: infNorm(m) };
    // ‖A − A_k‖_F² = ‖A‖_F² − Σ_{i≤k} σᵢ² (exact given exact σ)
    // (relative to ‖A‖_F, so that neither square over- or underflows)
    lowRankError = [fro];
    let acc = 0;
    for (let k = 0; k < sv.length; k++) {
      const r = fro > 0 ? sv[k] / fro : 0;
      acc += r * r;
      lowRankError.push(fro * Math.sqrt(Math.max(0, 1 - acc)));
    }
  } else {
    sv = singularValues(m, (f) => svTicker.tick(f));
    nrm = norms(m, sv);
    lowRankError = lowRankErrors(sv);
  }
  const r = numpyRank(sv, rows, cols);
  const dr = dtypeRank(sv, rows, cols, sourceDtype);
  const out: MatrixAnalysis = {
    shape: [rows, cols],
    rank: r.rank,
    rankTolerance: r.tolerance,
    rankRule: r.rule,
    dtypeRank: dr.rank,
    dtypeRankTolerance: dr.tolerance,
    dtypeRankRule: dr.rule,
    singularValues: Array.from(sv),
    cond: approximate ? NaN : conditionNumber(sv),
    norms: nrm,
    effectiveRank: effectiveRank(sv),
    stableRank: approximate
      ? nrm.spectral > 0
        ? (nrm.fro / nrm.spectral) ** 2 // ratio first: no overflow
        : 0
      : stableRank(sv),
    lowRankError,
    symmetric,
  };
  if (approximate) out.approximate = approximate;
  else if (minDim > 0) {
    out.marchenkoPastur = marchenkoPasturFit(sv, rows, cols);
    const pl = powerLawAlpha(sv.map((s) => s * s));
    if (pl) out.powerLaw = pl;
  }
  if (doEig) {
    const sub = t.sub(svSpan, 1);
    const eig = matrixEigenvalues(m, { symmetric, progress: (f) => sub.tick(f) });
    out.eigenvalues = eig.eigenvalues;
    out.spectralRadius = eig.spectralRadius;
  }
  t.done();
  return out;
}

export interface EigenvalueSummary {
  /** [re, im] sorted by descending modulus, conjugate pairs adjacent (+im first) */
  eigenvalues: [number, number][];
  spectralRadius: number;
  /** exactly symmetric: the eigenvalues came from the symmetric (tridiagonal) path */
  symmetric: boolean;
}

/**
 * The eigenvalues of a square matrix alone, without the SVD that analyzeMatrix computes:
 * the symmetric path (tridiagonal reduction + QL) when `m` is exactly symmetric, else the
 * Hessenberg Francis QR. `symmetric` may be passed when the caller already knows it.
 */
export function matrixEigenvalues(
  m: Matrix,
  opts: { symmetric?: boolean; progress?: Progress } = {},
): EigenvalueSummary {
  if (m.rows !== m.cols)
    throw new LensError(`eigenvalues need a square matrix, got ${m.rows}×${m.cols}`, 'unsupported');
  assertFinite(m);
  const symmetric = opts.symmetric ?? isSymmetric(m);
  const pairs: [number, number][] = [];
  if (symmetric) {
    const { values } = symmetricEigen(m, { progress: opts.progress });
    for (const v of values) pairs.push([v, 0]);
  } else {
    const { re, im } = generalEigen(m, { progress: opts.progress });
    for (let i = 0; i < re.length; i++) pairs.push([re[i], im[i]]);
  }
  pairs.sort(
    (a, b) => Math.hypot(b[0], b[1]) - Math.hypot(a[0], a[1]) || b[0] - a[0] || b[1] - a[1],
  );
  return {
    eigenvalues: pairs,
    spectralRadius: pairs.length ? Math.hypot(pairs[0][0], pairs[0][1]) : 0,
    symmetric,
  };
}

function emptyAnalysis(rows: number, cols: number, sourceDtype: DType): MatrixAnalysis {
  const r = numpyRank([], rows, cols);
  const dr = dtypeRank([], rows, cols, sourceDtype);
  return {
    shape: [rows, cols],
    rank: 0,
    rankTolerance: 0,
    rankRule: r.rule,
    dtypeRank: 0,
    dtypeRankTolerance: 0,
    dtypeRankRule: dr.rule,
    singularValues: [],
    cond: NaN,
    norms: { fro: 0, nuc: 0, spectral: 0, one: 0, inf: 0 },
    effectiveRank: 0,
    stableRank: 0,
    lowRankError: [0],
    symmetric: rows === cols,
    ...(rows === cols ? { eigenvalues: [], spectralRadius: 0 } : {}),
  };
}
