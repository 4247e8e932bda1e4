/**
 * Re-analysis after edits (the parse tree edited, copied statements reused, the interpreter
 * resumed from a checkpoint) must give exactly what an analysis from scratch gives: random
 * edit sequences on the corpus and real-world programs, compared field by field, hovers
 * included. Speed is measured by `npm run bench:shapes`, not here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { newAnalyzer, ROOT } from './load';
import type { ShapeAnalyzer, ShapeResult } from '../../../src/core/shapes';

const DIRS = ['test/fixtures/shapes', 'test/fixtures/shapes/realworld'];
const FILES = DIRS.flatMap((d) =>
  readdirSync(join(ROOT, d))
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => ({ name: `${d}/${f}`, text: readFileSync(join(ROOT, d, f), 'utf8') })),
);

/**
 * What a caller can see: shapes, diagnostics, flags, and the hover at the start, middle and
 * end of every word and operator of every line (hoverAt is exact per position; these are the
 * places an editor asks about).
 */
function view(r: ShapeResult, src: string): unknown {
  const hovers: unknown[] = [];
  src.split('\n').forEach((line, row) => {
    const cols = new Set<number>();
    for (const m of line.matchAll(/\w+|[@*+\-/[\](),.=]/g)) {
      const at = m.index ?? 0;
      cols.add(at);
      cols.add(at + (m[0].length >> 1));
      cols.add(at + m[0].length);
    }
    for (const c of [...cols].sort((a, b) => a - b))
      hovers.push([row, c, r.hoverAt(row, c) ?? null]);
  });
  return {
    shapes: r.shapes,
    diagnostics: r.diagnostics,
    syntaxError: r.syntaxError,
    incomplete: r.incomplete,
    hovers,
  };
}

type Edit =
  | { op: 'insert' | 'set'; at: number; from: number }
  | { op: 'delete' | 'number' | 'indent' | 'break'; at: number; from: number };

/** Applies one line edit; lines to insert or set are taken from the same file. */
function apply(lines: string[], pool: string[], e: Edit, k: number): string[] {
  const i = e.at % (lines.length + 1);
  const line = pool[e.from % pool.length];
  const out = lines.slice();
  switch (e.op) {
    case 'insert':
      out.splice(i, 0, line);
      break;
    case 'set':
      out[i] = line;
      break;
    case 'delete':
      out.splice(i, 1);
      break;
    case 'number':
      // a size typed over: every number on the line changes
      if (i < out.length) out[i] = out[i].replace(/\b\d+\b/g, (d) => String(Number(d) + k + 1));
      break;
    case 'indent':
      if (i < out.length) out[i] = '    ' + out[i];
      break;
    case 'break':
      // half a line typed: usually a syntax error
      if (i < out.length) out[i] = out[i].slice(0, out[i].length >> 1);
      break;
  }
  return out;
}

describe('shape checker: edits re-analysed equal analysis from scratch', function () {
  this.timeout(600_000);
  let inc: ShapeAnalyzer;
  let cold: ShapeAnalyzer;
  before(async () => {
    inc = await newAnalyzer();
    cold = await newAnalyzer();
  });
  after(() => {
    inc.dispose();
    cold.dispose();
  });
  const scratch = (src: string): unknown => {
    cold.analyze(''); // nothing left to reuse
    return view(cold.analyze(src), src);
  };

  it('the same text twice, and after each edit of random sequences on every corpus file (fast-check)', () => {
    const edit: fc.Arbitrary<Edit> = fc.record({
      op: fc.constantFrom('insert', 'set', 'delete', 'number', 'number', 'indent', 'break'),
      at: fc.nat(),
      from: fc.nat(),
    });
    for (const f of FILES) {
      const base = f.text.split('\n');
      const pool = base.filter((l) => l.trim() && !l.startsWith('# %%'));
      const first = f.text;
      assert.deepEqual(view(inc.analyze(first), first), scratch(first), `${f.name} as opened`);
      assert.deepEqual(view(inc.analyze(first), first), scratch(first), `${f.name} again`);
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
          let lines = base;
          // start each sequence from the file itself (resumes from checkpoints of earlier runs)
          inc.analyze(f.text);
          edits.forEach((e, k) => {
            lines = apply(lines, pool, e, k);
            const src = lines.join('\n');
            assert.deepEqual(
              view(inc.analyze(src), src),
              scratch(src),
              `${f.name} after ${JSON.stringify(edits.slice(0, k + 1))}`,
            );
          });
        }),
        { numRuns: 6, seed: 20261204 },
      );
    }
  });

  it('results handed out earlier are not changed by later analyses (editor budget)', () => {
    const f = FILES.find((x) => x.name.endsWith('gpt_model.py')) ?? FILES[0];
    const lines = f.text.split('\n');
    const seen: { r: ShapeResult; src: string; want: unknown }[] = [];
    for (let k = 0; k < 6; k++) {
      const at = Math.floor((lines.length * (k + 1)) / 8);
      const src = [
        ...lines.slice(0, at),
        'zz = np.zeros((3, 4)) @ np.ones((4, 5))',
        ...lines.slice(at),
      ].join('\n');
      // with a time budget, as the editor asks (one that is never reached)
      const r = inc.analyze(src, { budgetMs: 600_000 });
      seen.push({ r, src, want: scratch(src) });
    }
    for (const [i, { r, src, want }] of seen.entries())
      assert.deepEqual(view(r, src), want, `result ${i} read later`);
  });
});
