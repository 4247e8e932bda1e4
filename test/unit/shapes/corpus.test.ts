/**
 * The shape checker against the real NumPy/PyTorch: every corpus program is executed under a
 * line tracer (see trace.ts); the checker must agree exactly with every shape it claims to know,
 * know ≥ 95% of them, flag ≥ 90% of the runtime shape errors on the raising line, and report no
 * error on programs that run.
 */
import assert from 'node:assert/strict';
import { loadAnalyzer } from './load';
import { loadCorpus, type Program } from './corpus';
import { shapeMatches } from './compare';
import { tracePrograms, type TraceResult } from './trace';
import type { ShapeResult } from '../../../src/core/shapes';

describe('shape checker vs NumPy/PyTorch (corpus)', function () {
  this.timeout(120_000);
  let programs: Program[];
  let traces: TraceResult[];
  let results: ShapeResult[];

  before(async () => {
    programs = loadCorpus();
    traces = tracePrograms(programs.map((p) => p.source));
    const a = await loadAnalyzer();
    results = programs.map((p) => a.analyze(p.source));
  });

  it('agrees with the runtime on every shape it claims, knows ≥ 95%, flags ≥ 90% of errors, no false alarms', () => {
    let total = 0;
    let known = 0;
    let symbolic = 0;
    let dtypeChecked = 0;
    const disagree: string[] = [];
    const dtypeBad: string[] = [];
    const unknown: string[] = [];
    let errorPrograms = 0;
    let flagged = 0;
    const missed: string[] = [];
    const falseAlarms: string[] = [];
    programs.forEach((p, i) => {
      const t = traces[i];
      const r = results[i];
      const id = `${p.file}#${p.name}`;
      const errs = r.diagnostics.filter((d) => d.severity === 'error');
      if (t.error) {
        errorPrograms++;
        const hit = errs.some((d) => d.line + 1 === t.error?.line);
        const early = errs.filter((d) => d.line + 1 < (t.error?.line ?? 0));
        if (hit && early.length === 0) flagged++;
        else
          missed.push(
            `${id}: runtime ${t.error.type} on line ${t.error.line} (${t.error.message}); checker: ${errs.map((d) => `${d.line + 1}: ${d.message}`).join(' | ') || 'nothing'}`,
          );
        for (const d of early)
          falseAlarms.push(
            `${id}: line ${d.line + 1}: ${d.message} (runtime error only on line ${t.error.line})`,
          );
      } else {
        for (const d of errs) falseAlarms.push(`${id}: line ${d.line + 1}: ${d.message}`);
      }
      const bind = new Map<string, number>();
      for (const rec of t.records) {
        total++;
        const where = `${id} line ${rec.line} ${rec.name}`;
        const e = r.shapes.find((s) => s.line + 1 === rec.line && s.name === rec.name);
        if (!e || e.shape === null) {
          unknown.push(`${where}: runtime ${JSON.stringify(rec.shape)}`);
          continue;
        }
        known++;
        const sym = e.shape.some((d) => typeof d === 'string');
        if (sym) symbolic++;
        if (!shapeMatches(e.shape, rec.shape, rec.frame, bind))
          disagree.push(
            `${where}: checker ${JSON.stringify(e.shape)} (${e.derivation}) vs runtime ${JSON.stringify(rec.shape)}`,
          );
        if (e.dtype && rec.dtype) {
          dtypeChecked++;
          if (e.dtype !== rec.dtype)
            dtypeBad.push(`${where}: checker ${e.dtype} vs runtime ${rec.dtype}`);
        }
      }
    });
    const pct = (a: number, b: number): string => (b ? ((100 * a) / b).toFixed(1) : '100.0') + '%';
    console.log(
      `      corpus: ${programs.length} programs, ${total} runtime shapes; known ${known} (${pct(known, total)}, ${symbolic} symbolic), ` +
        `exact agreement ${pct(known - disagree.length, known)}; dtypes checked ${dtypeChecked}, agree ${pct(dtypeChecked - dtypeBad.length, dtypeChecked)}; ` +
        `runtime errors ${errorPrograms}, flagged on the right line ${flagged} (${pct(flagged, errorPrograms)}); false alarms ${falseAlarms.length}`,
    );
    if (unknown.length) console.log('      unknown:\n        ' + unknown.join('\n        '));
    if (missed.length) console.log('      missed:\n        ' + missed.join('\n        '));
    assert.deepEqual(disagree, [], 'shape disagreements');
    assert.deepEqual(dtypeBad, [], 'dtype disagreements');
    assert.deepEqual(falseAlarms, [], 'false alarms');
    assert.ok(known / total >= 0.95, `knows ${pct(known, total)} < 95%`);
    assert.ok(flagged / errorPrograms >= 0.9, `flags ${pct(flagged, errorPrograms)} < 90%`);
    assert.ok(errorPrograms >= 60 && total >= 700, 'corpus too small');
  });
});
