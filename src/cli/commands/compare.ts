import { CliCommand, UsageError, parseArgs } from '../command';
import { loadArray, withArrayFile } from '../load';
import { ArrayComparison, compareArrays } from '../../core/compare/compareArrays';
import { CheckpointRow, compareCheckpoints } from '../../core/compare/checkpointDiff';

/** JSON has no ±Infinity/NaN: they become null. */
function num(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

function row(
  name: string | undefined,
  c: ArrayComparison & { error?: string },
): Record<string, unknown> {
  const d = c.delta;
  const s = c.spectrum;
  const out: Record<string, unknown> = {
    ...(name !== undefined ? { name } : {}),
    shapeEqual: c.shapeEqual,
    shapeA: c.shapeA,
    shapeB: c.shapeB,
    dtypeA: c.dtypeA,
    dtypeB: c.dtypeB,
    maxAbs: d ? d.maxAbs : null,
    maxRel: d ? d.maxRel : null,
    allclose: d ? d.allclose : false,
    firstMismatch: d ? d.firstMismatch : null,
    changed: d ? d.changed : null,
    mismatched: d ? d.mismatched : null,
    relFro: num(c.relFro),
    deltaRank: s ? s.deltaRank : null,
    deltaRank99: s ? s.deltaRank99 : null,
  };
  if (d && d.nanOnlyA + d.nanOnlyB + d.infOnlyA + d.infOnlyB > 0)
    Object.assign(out, {
      nanOnlyA: d.nanOnlyA,
      nanOnlyB: d.nanOnlyB,
      infOnlyA: d.infOnlyA,
      infOnlyB: d.infOnlyB,
    });
  if (s) {
    out.deltaSingularValues = s.singularValues.slice(0, 32);
    out.deltaRankTolerance = s.tolerance;
    if (s.approximate) out.deltaApproximate = s.approximate;
  }
  if (c.angles) out.principalAngles = c.angles;
  if (c.message) out.message = c.message;
  if (c.error) out.error = c.error;
  return out;
}

const g = (x: unknown): string =>
  typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(4)) : String(x);

function text(r: Record<string, unknown>): string {
  const head = r.name !== undefined ? `${String(r.name)}: ` : '';
  if (r.error) return `${head}error: ${String(r.error)}\n`;
  if (!r.shapeEqual) return `${head}${String(r.message)}\n`;
  const lines = [
    `${head}${String(r.dtypeA)}/${String(r.dtypeB)}[${(r.shapeA as number[]).join(', ')}] ${r.allclose ? 'allclose' : `NOT allclose (first at [${(r.firstMismatch as number[]).join(', ')}], ${g(r.mismatched)} cells)`}; max|Δ| ${g(r.maxAbs)}, max rel ${g(r.maxRel)}, changed ${g(r.changed)}, ‖Δ‖/‖A‖ ${g(r.relFro)}`,
  ];
  if (r.nanOnlyA !== undefined)
    lines.push(
      `  NaN only in A ${g(r.nanOnlyA)}, only in B ${g(r.nanOnlyB)}; Inf only in A ${g(r.infOnlyA)}, only in B ${g(r.infOnlyB)}`,
    );
  if (r.deltaRank !== null)
    lines.push(
      `  rank of Δ ${g(r.deltaRank)}${r.deltaApproximate ? ' (at least; top-k randomized SVD)' : ''}; 99 % of ‖Δ‖²_F in the top ${r.deltaRank99 === null ? '>k' : g(r.deltaRank99)}`,
    );
  const pa = r.principalAngles as { k: number; left: number[] } | undefined;
  if (pa) lines.push(`  principal angles (top ${pa.k}, degrees): ${pa.left.map(g).join(' ')}`);
  return lines.join('\n') + '\n';
}

export const compareCommand: CliCommand = {
  name: 'compare',
  usage: 'compare A[#ARRAY] B[#ARRAY] [--rtol R] [--atol A] [--angles K] [--json]',
  summary: 'A vs B: max |Δ|, allclose, rank of Δ; every shared tensor of two checkpoints',
  async run(args, ctx) {
    const { positionals, flags, options } = parseArgs(args, {
      flags: ['--json'],
      options: ['--rtol', '--atol', '--angles'],
    });
    if (positionals.length !== 2) throw new UsageError('compare takes two FILE[#ARRAY] arguments');
    const number = (key: string, dflt: number): number => {
      const v = options.get(key);
      if (v === undefined) return dflt;
      const x = Number(v);
      if (!Number.isFinite(x) || x < 0) throw new UsageError(`${key} needs a non-negative number`);
      return x;
    };
    const opts = {
      rtol: number('--rtol', 1e-5),
      atol: number('--atol', 1e-8),
      anglesK: Math.floor(number('--angles', 0)),
    };
    const [specA, specB] = positionals;
    const named = (s: string) => s.lastIndexOf('#') > 0;
    const counts =
      named(specA) || named(specB)
        ? [1, 1]
        : await Promise.all(
            [specA, specB].map((f) => withArrayFile(f, (x) => Promise.resolve(x.entries.length))),
          );
    if (counts[0] === 1 && counts[1] === 1) {
      const [a, b] = [await loadArray(specA), await loadArray(specB)];
      const r = row(undefined, compareArrays(a.raw, b.raw, opts));
      ctx.out(flags.has('--json') ? JSON.stringify({ a: specA, b: specB, ...r }) + '\n' : text(r));
      return r.allclose ? 0 : 1;
    }
    const diff = await withArrayFile(specA, (fa) =>
      withArrayFile(specB, (fb) => compareCheckpoints(fa.entries, fb.entries, opts)),
    );
    const rows = diff.rows.map((x: CheckpointRow) => row(x.name, x));
    const ok = rows.every((r) => r.allclose) && !diff.onlyA.length && !diff.onlyB.length;
    if (flags.has('--json'))
      ctx.out(
        JSON.stringify({
          a: specA,
          b: specB,
          allclose: ok,
          arrays: rows,
          onlyA: diff.onlyA,
          onlyB: diff.onlyB,
        }) + '\n',
      );
    else {
      for (const r of rows) ctx.out(text(r));
      if (diff.onlyA.length) ctx.out(`only in ${specA}: ${diff.onlyA.join(', ')}\n`);
      if (diff.onlyB.length) ctx.out(`only in ${specB}: ${diff.onlyB.join(', ')}\n`);
      ctx.out(
        `${rows.length} shared tensors, ${rows.filter((r) => !r.allclose).length} not allclose\n`,
      );
    }
    return ok ? 0 : 1;
  },
};
