import { CliCommand, UsageError, parseArgs } from '../command';
import { NamedArray, loadEntry, parseMaxBytes, splitSpec, withArrayFile } from '../load';
import { LensError, errorMessage, isLensError } from '../../core/errors';
import { listNames, quoteName, safeJson } from '../../core/text';
import { adoptRawArray, analyzeMatrix, matrixEigenvalues, sliceToMatrix } from '../../core/linalg';
import type { MatrixAnalysis } from '../../core/linalg';
import { sliceLabel } from '../../core/view/matrixSlice';

const OPS = ['rank', 'svd', 'norms', 'eig', 'lowrank'] as const;
type Op = (typeof OPS)[number];
const DEFAULT_OPS: Op[] = ['rank', 'svd', 'norms', 'eig'];

function notMatrix(name: string, shape: readonly number[]): LensError {
  return new LensError(
    `${name ? quoteName(name) : 'array'}: analyze needs a 2-D array, got ${shape.length}-D shape [${shape.join(', ')}]`,
    'unsupported',
  );
}

/** JSON has no ±Infinity/NaN: they become null (with the reason documented in usage). */
function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Parts of the output that need the singular values (the SVD is the costly step). */
const SV_OPS: readonly Op[] = ['rank', 'svd', 'norms', 'lowrank'];

function analyzeOne(a: NamedArray, ops: Set<Op>, explicitOps: boolean): Record<string, unknown> {
  const { raw, name } = a;
  const { shape, dtype } = raw;
  if (shape.length < 2) throw notMatrix(name, shape);
  const needSv = SV_OPS.some((o) => ops.has(o));
  let note: string | undefined;
  if (shape.length > 2)
    note = `analyzed the first 2-D slice ${sliceLabel(shape)} of shape [${shape.join(', ')}]`;
  // the file's bytes are this call's alone: float64 data is viewed in place (no decoded copy
  // beside the bytes), anything else is decoded and its bytes let go before the decomposition
  const m = shape.length === 2 ? adoptRawArray(raw) : sliceToMatrix(raw);
  a.raw = { ...raw, bytes: new Uint8Array(0) };
  const out: Record<string, unknown> = { name, shape, dtype };
  if (note) out.note = note;
  if (!needSv) {
    // eigenvalues alone: no SVD (for a symmetric matrix, only the tridiagonal path runs)
    if (m.rows !== m.cols)
      throw new LensError(
        `${name ? quoteName(name) : 'array'}: eigenvalues need a square matrix, got shape [${shape.join(', ')}]`,
        'unsupported',
      );
    Object.assign(out, matrixEigenvalues(m));
    return out;
  }
  // eigenvalues asked for by name are computed at any size; by default only up to the
  // automatic limit (analyzeMatrix's eigenLimit)
  const r: MatrixAnalysis = analyzeMatrix(m, dtype, {
    eigenvalues: ops.has('eig') ? (explicitOps ? true : undefined) : false,
  });
  if (r.approximate) out.approximate = r.approximate;
  if (ops.has('rank')) {
    Object.assign(out, {
      rank: r.rank,
      rankTolerance: r.rankTolerance,
      rankRule: r.rankRule,
      dtypeRank: r.dtypeRank,
      dtypeRankTolerance: r.dtypeRankTolerance,
      dtypeRankRule: r.dtypeRankRule,
    });
  }
  if (ops.has('svd')) Object.assign(out, { singularValues: r.singularValues, cond: num(r.cond) });
  if (ops.has('norms'))
    Object.assign(out, {
      norms: r.norms,
      effectiveRank: r.effectiveRank,
      stableRank: r.stableRank,
    });
  if (ops.has('rank') && r.marchenkoPastur) {
    const mp = r.marchenkoPastur;
    Object.assign(out, {
      signalRank: mp.signalRank,
      noiseSigma: mp.noiseSigma,
      mpEdge: mp.mpEdge,
      spikes: mp.spikes,
      signalThreshold: mp.threshold,
      signalRule: mp.method,
    });
  }
  if (ops.has('rank') && r.powerLaw)
    Object.assign(out, {
      alpha: r.powerLaw.alpha,
      alphaXmin: r.powerLaw.xmin,
      alphaTail: r.powerLaw.tail,
      alphaRule: r.powerLaw.method,
    });
  if (ops.has('lowrank')) out.lowRankError = r.lowRankError;
  if (ops.has('eig') && r.eigenvalues)
    Object.assign(out, {
      eigenvalues: r.eigenvalues,
      spectralRadius: r.spectralRadius,
      symmetric: r.symmetric,
    });
  return out;
}

function fmt(x: unknown): string {
  return typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(6)) : String(x);
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: 'analyze FILE[#ARRAY] [--json] [--ops LIST] [--max-bytes N]',
  help: [
    'Analyzes each 2-D array of FILE (or only ARRAY): rank (NumPy rule and dtype-aware),',
    'singular values, condition number, norms, effective and stable rank, eigenvalues.',
    'N-D arrays use their first 2-D slice; 1-D arrays are skipped with a note.',
    '',
    '  --json           one JSON document (±Inf and NaN become null)',
    '  --ops LIST       comma-separated subset of rank,svd,norms,eig,lowrank; only what is',
    '                   asked is computed (eig alone skips the SVD; eig by name runs at any',
    '                   size, by default only up to 2048²)',
    '  --max-bytes N    largest array loaded (default 256M; K/M/G suffixes); larger ones are',
    '                   refused from their header, before reading or inflating',
    '',
    'FILE#ARRAY picks one array of an .npz/.safetensors; write a # in a file name as \\#.',
  ].join('\n'),
  summary: 'rank, singular values, condition number, norms and eigenvalues of 2-D arrays',
  async run(args, ctx) {
    const { positionals, flags, options } = parseArgs(args, {
      flags: ['--json'],
      options: ['--ops', '--max-bytes'],
    });
    if (positionals.length !== 1) throw new UsageError('analyze takes exactly one FILE[#ARRAY]');
    const spec = positionals[0];
    let ops = new Set<Op>(DEFAULT_OPS);
    const opsArg = options.get('--ops');
    if (opsArg !== undefined) {
      const list = opsArg
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = list.filter((o) => !(OPS as readonly string[]).includes(o));
      if (bad.length || !list.length)
        throw new UsageError(
          `unknown --ops ${bad.join(',') || "''"} (choose from ${OPS.join(',')})`,
        );
      ops = new Set(list as Op[]);
    }
    const maxBytes = parseMaxBytes(options.get('--max-bytes'));
    const { file, name } = splitSpec(spec);
    // headers first: an array analyze cannot use (1-D, or over --max-bytes) is refused from
    // its header, before its data is read or inflated; arrays are loaded one at a time
    const results = await withArrayFile(file, async (f) => {
      const chosen = name === undefined ? f.entries : f.entries.filter((e) => e.name === name);
      if (name !== undefined && !chosen.length)
        throw new LensError(
          `no array named ${quoteName(name)} (has: ${listNames(f.entries.map((e) => e.name))})`,
        );
      if (!chosen.length) throw new LensError('holds no arrays');
      const out: Record<string, unknown>[] = [];
      for (const e of chosen) {
        try {
          if (e.shape.length < 2) throw notMatrix(e.name, e.shape);
          const a: NamedArray = { name: e.name, raw: await loadEntry(e, maxBytes) };
          out.push(analyzeOne(a, ops, opsArg !== undefined));
        } catch (err) {
          // one array of a single-array request: bad input (exit 2); in a multi-array file, report and go on
          if (chosen.length === 1 || !isLensError(err)) throw err;
          out.push({ name: e.name, shape: e.shape, dtype: e.dtype, error: errorMessage(err) });
        }
      }
      return out;
    });
    if (flags.has('--json')) {
      ctx.out(safeJson({ file, arrays: results }) + '\n');
      return 0;
    }
    for (const r of results) {
      const head = `${r.name ? `${String(r.name)}: ` : ''}${String(r.dtype)}[${(r.shape as number[]).join(', ')}]`;
      if (r.error) {
        ctx.out(`${head}  skipped: ${String(r.error)}\n`);
        continue;
      }
      ctx.out(`${head}${r.note ? `  (${String(r.note)})` : ''}\n`);
      if (r.rank !== undefined)
        ctx.out(
          `  rank ${fmt(r.rank)} (tol ${fmt(r.rankTolerance)}; ${String(r.rankRule)})\n  dtype rank ${fmt(r.dtypeRank)} (tol ${fmt(r.dtypeRankTolerance)}; ${String(r.dtypeRankRule)})\n`,
        );
      if (r.signalRank !== undefined)
        ctx.out(
          `  signal rank ≈ ${fmt(r.signalRank)}; noise σ ≈ ${fmt(r.noiseSigma)}; Marchenko–Pastur edge ${fmt(r.mpEdge)} (${fmt(r.spikes)} above it)\n`,
        );
      if (r.alpha !== undefined)
        ctx.out(
          `  power-law α ${fmt(r.alpha)} (ESD tail of WᵀW, ${fmt(r.alphaTail)} eigenvalues ≥ ${fmt(r.alphaXmin)}; MLE, x_min by KS)\n`,
        );
      if (r.singularValues) {
        const sv = r.singularValues as number[];
        ctx.out(
          `  singular values (${sv.length}): ${sv.slice(0, 8).map(fmt).join(' ')}${sv.length > 8 ? ' …' : ''}\n  cond ${r.cond === null ? 'inf' : fmt(r.cond)}\n`,
        );
      }
      if (r.norms) {
        const n = r.norms as Record<string, number>;
        ctx.out(
          `  norms fro ${fmt(n.fro)} nuc ${fmt(n.nuc)} spectral ${fmt(n.spectral)} one ${fmt(n.one)} inf ${fmt(n.inf)}\n  effective rank ${fmt(r.effectiveRank)}, stable rank ${fmt(r.stableRank)}\n`,
        );
      }
      if (r.eigenvalues) {
        const ev = r.eigenvalues as [number, number][];
        const s = ev
          .slice(0, 6)
          .map(([re, im]) =>
            im === 0 ? fmt(re) : `${fmt(re)}${im < 0 ? '-' : '+'}${fmt(Math.abs(im))}i`,
          );
        ctx.out(
          `  eigenvalues (${ev.length}, by |λ|): ${s.join(' ')}${ev.length > 6 ? ' …' : ''}\n  spectral radius ${fmt(r.spectralRadius)}${r.symmetric ? ' (symmetric)' : ''}\n`,
        );
      }
    }
    return 0;
  },
};
