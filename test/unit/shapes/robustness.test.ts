/**
 * No input crashes or stalls the shape checker: deep nesting and long chains degrade to
 * unknown (property tests over depths and lengths), a syntax error leaves the parsable rest
 * analysed, and a time budget stops the interpreter.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadAnalyzer } from './load';
import type { ShapeAnalyzer, ShapeResult } from '../../../src/core/shapes';

const HEAD = 'import numpy as np\nimport torch\nx = np.zeros((3, 4))\n';
const TAIL = 'z = x.T\n';

function zOf(r: ShapeResult): unknown {
  return r.shapes.find((s) => s.name === 'z')?.shape;
}

const SHAPES: Record<string, (n: number) => string> = {
  parentheses: (n) => `y = ${'('.repeat(n)}x${')'.repeat(n)}`,
  'nested lists': (n) => `y = np.array(${'['.repeat(n)}1${']'.repeat(n)})`,
  'int chain': (n) => `y = ${Array(n).fill('1').join(' + ')}`,
  'array chain': (n) => `y = ${Array(n).fill('x').join(' + ')}`,
  'symbolic chain': (n) => `def f(k):\n    y = ${Array(n).fill('k').join(' * ')}\n    return y`,
  'method chain': (n) => `y = x${'.T'.repeat(n)}`,
  'call nesting': (n) => `y = ${'np.abs('.repeat(n)}x${')'.repeat(n)}`,
  'subscript chain': (n) => `y = x${'[0:3]'.repeat(Math.min(n, 2000))}`,
  'nested blocks': (n) =>
    Array.from({ length: Math.min(n, 400) }, (_, i) => `${' '.repeat(i)}if x is not None:`).join(
      '\n',
    ) + `\n${' '.repeat(Math.min(n, 400))}y = 1`,
};

describe('shape checker: robustness', function () {
  this.timeout(300_000);
  let a: ShapeAnalyzer;
  before(async () => {
    a = await loadAnalyzer();
  });

  for (const [what, make] of Object.entries(SHAPES))
    it(`${what}: any depth or length degrades to unknown, the next line is still checked`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 4000 }), (n) => {
          const r = a.analyze(HEAD + make(n) + '\n' + TAIL);
          assert.deepEqual(zOf(r), [4, 3]);
          assert.deepEqual(r.diagnostics, []);
        }),
        { numRuns: 12, seed: 12, examples: [[1], [199], [200], [201], [2100], [4000]] },
      );
    });

  it('100,000 parentheses and a 4,000-term sum', () => {
    for (const line of [SHAPES.parentheses(100_000), SHAPES['int chain'](4000)]) {
      const r = a.analyze(HEAD + line + '\n' + TAIL);
      assert.deepEqual(zOf(r), [4, 3]);
    }
  });

  it('huge literals and shapes are not expanded', () => {
    for (const line of [
      `y = np.zeros((${Array(100_000).fill('1').join(', ')}))`,
      'y = [0] * 10 ** 9',
      'y = np.array([0] * 100_000_000)',
    ]) {
      const r = a.analyze(HEAD + line + '\n' + TAIL);
      assert.deepEqual(zOf(r), [4, 3]);
      assert.equal(r.shapes.find((s) => s.name === 'y')?.shape ?? null, null);
    }
  });

  it('a syntax error is reported once and the parsable rest is analysed', () => {
    const r = a.analyze(
      HEAD +
        'y = x @\nw = x @ np.ones((4, 5))\ndef f(:\n    pass\nbad = x @ np.ones((5, 2))\n' +
        TAIL,
    );
    assert.ok(r.syntaxError);
    assert.equal(r.syntaxError.line, 4);
    assert.deepEqual(zOf(r), [4, 3]);
    assert.deepEqual(r.shapes.find((s) => s.name === 'w')?.shape, [3, 5]);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].line, 7);
    assert.equal(a.analyze(HEAD + TAIL).syntaxError, undefined);
  });

  it('a time budget stops the interpreter; what follows stays unknown', () => {
    const src = HEAD + Array(3000).fill('y = x @ x.T @ x').join('\n') + '\n' + TAIL;
    const r = a.analyze(src, { budgetMs: 0 });
    assert.match(r.incomplete ?? '', /stopped after 0 ms/);
    assert.equal(zOf(r), undefined);
    const full = a.analyze(src + '\n');
    assert.equal(full.incomplete, undefined);
    assert.deepEqual(zOf(full), [4, 3]);
  });
});
