/** Symbolic rules, messages, related lines, hover, and speed of the shape checker. */
import assert from 'node:assert/strict';
import { loadAnalyzer } from './load';
import type { ShapeAnalyzer, ShapeResult } from '../../../src/core/shapes';

const PRE =
  'import numpy as np\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

describe('shape checker: symbolic rules, messages, hover', function () {
  this.timeout(30_000);
  let a: ShapeAnalyzer;
  before(async () => {
    a = await loadAnalyzer();
  });
  const run = (src: string): ShapeResult => a.analyze(PRE + src);
  const shapeOf = (
    r: ShapeResult,
    name: string,
    line?: number,
  ): (number | string)[] | null | undefined =>
    r.shapes.filter((s) => s.name === name && (line === undefined || s.line === line + 4)).pop()
      ?.shape;

  it('(B, T, C) @ (C, V) → (B, T, V) with parameter symbols', () => {
    const r = run(
      [
        'def head(x, W):',
        '    B, T, C = x.shape',
        '    C2, V = W.shape',
        '    y = x @ W',
        '    z = y.view(B * T, V)',
        '    n = y.reshape(B, T, 2, -1)',
        '    s = y.sum(dim=-1, keepdim=True)',
        '    p = y.permute(2, 0, 1)',
        '    return z',
      ].join('\n'),
    );
    assert.deepEqual(shapeOf(r, 'y'), ['x.0', 'x.1', 'W.1']);
    assert.deepEqual(shapeOf(r, 'z'), ['x.0*x.1', 'W.1']);
    assert.deepEqual(shapeOf(r, 'n'), ['x.0', 'x.1', 2, 'W.1//2']);
    assert.deepEqual(shapeOf(r, 's'), ['x.0', 'x.1', 1]);
    assert.deepEqual(shapeOf(r, 'p'), ['W.1', 'x.0', 'x.1']);
    assert.deepEqual(r.diagnostics, []);
  });

  it('symbols meet numbers: known mismatches only', () => {
    const r = run(
      [
        'def f(x, n):',
        '    B, D = x.shape',
        '    W = np.zeros((D, 4 * n))',
        '    y = x @ W',
        '    h = y.reshape(B, n, 4)',
        '    v = np.zeros((3, 5)) @ np.zeros((n, 2))',
        '    bad = np.zeros((B, 3)) @ np.zeros((4, B))',
        '    return y',
      ].join('\n'),
    );
    assert.deepEqual(shapeOf(r, 'W'), ['x.1', '4*n']);
    assert.deepEqual(shapeOf(r, 'y'), ['x.0', '4*n']);
    assert.deepEqual(shapeOf(r, 'h'), ['x.0', 'n', 4]);
    assert.deepEqual(shapeOf(r, 'v'), [3, 2]);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].line, 4 + 6);
  });

  it('a symbolic reshape with a provably wrong size is an error; unknown calls are silent', () => {
    const r = run(
      [
        'def f(x):',
        '    B, T = x.shape',
        '    y = x.reshape(B, T, 3, 2).reshape(B, 7, -1)',
        '    z = mystery(x) @ np.ones((3, 4))',
        '    return y',
      ].join('\n'),
    );
    assert.equal(r.diagnostics.length, 1);
    assert.match(r.diagnostics[0].message, /cannot reshape/);
    assert.equal(shapeOf(r, 'z'), null);
  });

  it('names both shapes, the offending dimensions and their lines; related locations', () => {
    const r = run(
      ['x = np.random.randn(32, 768)', 'W = np.zeros((512, 3072))', 'y = x @ W'].join('\n'),
    );
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0];
    assert.equal(d.line, 6);
    assert.equal(d.severity, 'error');
    assert.match(d.message, /\(32, 768\)/);
    assert.match(d.message, /\(512, 3072\)/);
    assert.match(d.message, /x\.shape\[1\] = 768 \(from line 5\)/);
    assert.match(d.message, /W\.shape\[0\] = 512 \(from line 6\)/);
    assert.deepEqual(
      d.related.map((x) => x.line),
      [4, 5],
    );
    // no cascade: z depends on the failed y
    const r2 = run(
      [
        'x = np.ones((2, 3))',
        'y = x @ np.ones((4, 5))',
        'z = y @ np.ones((7, 7))',
        'w = z + np.ones(9)',
      ].join('\n'),
    );
    assert.equal(r2.diagnostics.length, 1);
  });

  it('nn.Linear in_features: the line of the layer and of the input dimension', () => {
    const r = run(
      ['d = 20', 'lin = nn.Linear(16, 32)', 'x = torch.randn(4, d)', 'y = lin(x)'].join('\n'),
    );
    const d = r.diagnostics[0];
    assert.equal(d.line, 7);
    assert.match(d.message, /in_features=16 \(from line 6\)/);
    assert.match(d.message, /last dimension 20 \(from line 5\)/);
  });

  it('every value carries its derivation and per-dimension lines', () => {
    const r = run(['x = np.ones((32, 768))', 'W = np.ones((768, 3072))', 'y = x @ W'].join('\n'));
    const y = r.shapes.find((s) => s.name === 'y');
    assert.equal(y?.derivation, 'x @ W: (32, 768) @ (768, 3072)');
    assert.deepEqual(y?.dimLines, [4, 5]);
    assert.equal(y?.dtype, 'float64');
  });

  it('hoverAt gives the shape of a name or expression (0-based positions)', () => {
    const r = run(
      ['x = np.ones((32, 768))', 'W = np.ones((768, 3072))', 'y = x @ W', 'print(y.T)'].join('\n'),
    );
    assert.equal(r.hoverAt(6, 0)?.text, 'shape (32, 3072) · float64');
    assert.equal(r.hoverAt(6, 4)?.text, 'shape (32, 768) · float64');
    assert.equal(r.hoverAt(7, 7)?.text, 'shape (32, 3072) · float64');
    assert.equal(r.hoverAt(7, 9)?.text, 'shape (3072, 32) · float64');
    assert.equal(r.hoverAt(0, 0), undefined);
  });

  it('is fast: a 1,000-line file in well under 50 ms after warm-up', () => {
    const block = [
      'x = np.random.randn(32, 768)',
      'W = np.zeros((768, 3072))',
      'y = np.maximum(x @ W, 0).reshape(32, 4, -1)',
      'z = y.transpose(1, 0, 2).sum(axis=-1, keepdims=True)',
      't = torch.randn(8, 16, 64).view(8, 16, 4, 16).permute(0, 2, 1, 3)',
      'a = F.softmax(t @ t.transpose(-2, -1), dim=-1)',
      'def f(q, k):',
      '    B, T, C = q.shape',
      '    return q @ k.transpose(1, 2)',
      'U, S, Vt = np.linalg.svd(x, full_matrices=False)',
    ];
    const src = PRE + Array.from({ length: 100 }, () => block.join('\n')).join('\n') + '\n';
    assert.ok(src.split('\n').length >= 1000);
    const time = (f: (i: number) => void): number => {
      for (let i = 0; i < 5; i++) f(i);
      const times: number[] = [];
      for (let i = 0; i < 21; i++) {
        const t0 = performance.now();
        f(i);
        times.push(performance.now() - t0);
      }
      return times.sort((p, q) => p - q)[10];
    };
    const lines = src.split('\n');
    // an edit as typed in the editor: one line changes between analyses
    const median = time((i) => {
      const l = lines.slice();
      l[500 + (i % 7)] = `k${i} = np.zeros((${i + 1}, 3)) @ np.ones((3, 2))`;
      a.analyze(l.join('\n'));
    });
    // a file never seen before (no reuse)
    const cold = time((i) => a.analyze(`# ${i}\n` + src.replace(/768/g, String(700 + i))));
    console.log(
      `      1,000-line file: ${median.toFixed(1)} ms per edit (median), ${cold.toFixed(1)} ms from scratch`,
    );
    assert.ok(median < 50, `median ${median} ms`);
  });
});
