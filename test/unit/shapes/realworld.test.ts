/**
 * The checker on code written in the styles of public NumPy/PyTorch projects (a nanoGPT-like
 * model built from a dataclass config, a lecture-style character transformer, from-scratch
 * NumPy regression, k-means/PCA and a char-RNN, PyTorch tutorial loops and a CNN, classic NumPy
 * exercises, two notebooks; test/fixtures/shapes/realworld), traced at runtime with the real
 * libraries: no false alarm, no wrong claim, the four planted bugs (two in a GPT, a CNN's
 * flatten size, an RNN's matmul orientation) flagged on the raising line, and the share of
 * runtime values given a shape printed and kept.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAnalyzer, ROOT } from './load';
import { compare, pct } from './compare';
import { tracePrograms } from './trace';
import { parseNotebook } from '../../../src/core/shapes/notebook';

const DIR = join(ROOT, 'test/fixtures/shapes/realworld');

describe('shape checker on real-world-style code (runtime-traced)', function () {
  this.timeout(180_000);

  it('0 false alarms, 0 wrong claims, planted bugs flagged, coverage reported', async () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.py') || f.endsWith('.ipynb'))
      .sort();
    const sources = files.map((f) => {
      const text = readFileSync(join(DIR, f), 'utf8');
      return f.endsWith('.ipynb') ? parseNotebook(text).source : text;
    });
    const analyzer = await loadAnalyzer();
    const results = sources.map((s) => analyzer.analyze(s));
    const c = compare(files, tracePrograms(sources), results);
    const lines = sources.reduce((n, s) => n + s.split('\n').length - 1, 0);
    console.log(
      `      real-world: ${files.length} programs, ${lines} lines, ${c.total} runtime values; ` +
        `given a shape ${c.known} (${pct(c.known, c.total)}; places ${c.knownSites}/${c.sites}, ${pct(c.knownSites, c.sites)}); wrong claims ${c.wrong.length + c.dtypeWrong.length}; ` +
        `false alarms ${c.falseAlarms.length}; planted bugs flagged ${c.flagged}/${c.errorPrograms}`,
    );
    if (process.env.MATRIX_LENS_SHAPES_VERBOSE)
      console.log('      unknown:\n        ' + c.unknown.join('\n        '));
    assert.deepEqual(c.falseAlarms, []);
    assert.deepEqual(c.wrong, []);
    assert.deepEqual(c.dtypeWrong, []);
    assert.equal(c.errorPrograms, 4);
    assert.ok(c.flagged >= PLANTED_FLAGGED, c.missed.join('\n'));
    assert.ok(c.known / c.total >= COVERAGE_FLOOR, `coverage ${pct(c.known, c.total)}`);
  });
});

/** The coverage measured when this corpus was written; a change that loses coverage fails. */
const COVERAGE_FLOOR = 0.9;
/** Planted bugs flagged on the raising line when this corpus was written. */
const PLANTED_FLAGGED = 4;
