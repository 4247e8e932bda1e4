/**
 * Symbolic rules, messages, related lines, hover, and incremental re-analysis of the shape
 * checker. (Its speed is measured by `npm run bench:shapes`.)
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadAnalyzer, newAnalyzer } from './load';
import { fmtDim, type ShapeAnalyzer, type ShapeResult } from '../../../src/core/shapes';

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
  ): (number | string)[] | null | undefined => {
    const shape = r.shapes
      .filter((s) => s.name === name && (line === undefined || s.line === line + 4))
      .pop()?.shape;
    // symbols by the name they are shown by
    return shape && shape.map((d) => (typeof d === 'number' ? d : fmtDim(d)));
  };

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
    assert.deepEqual(shapeOf(r, 'y'), ['B', 'T', 'V']);
    assert.deepEqual(shapeOf(r, 'z'), ['B*T', 'V']);
    assert.deepEqual(shapeOf(r, 'n'), ['B', 'T', 2, 'V//2']);
    assert.deepEqual(shapeOf(r, 's'), ['B', 'T', 1]);
    assert.deepEqual(shapeOf(r, 'p'), ['V', 'B', 'T']);
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
    assert.deepEqual(shapeOf(r, 'W'), ['D', '4*n']);
    assert.deepEqual(shapeOf(r, 'y'), ['B', '4*n']);
    assert.deepEqual(shapeOf(r, 'h'), ['B', 'n', 4]);
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

  // Speed is measured by `npm run bench:shapes`, not here; this checks what a bug in the
  // incremental path (reused statements, moved nodes, the edited parse tree) would break.
  describe('incremental re-analysis equals analysis from scratch', () => {
    const BASE = [
      'x = np.random.randn(32, 768)',
      'W = np.zeros((768, 3072))',
      'y = x @ W',
      'h = np.maximum(y, 0)',
      'h = np.maximum(y, 0)',
      'def proj(q, k):',
      '    B, T, C = q.shape',
      '    return q @ k.transpose(1, 2)',
      'class Block(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(64, 128)',
      '    def forward(self, x):',
      '        return self.fc(x)',
      't = torch.randn(8, 16, 64)',
      'a = proj(t, t)',
      'b = Block()(t)',
      'out = (y.reshape(32, 4, -1)',
      '       .sum(axis=-1))',
      'U, S, Vt = np.linalg.svd(x, full_matrices=False)',
    ];
    type Step = [string, (l: string[]) => string[], (r: ShapeResult) => void];
    const at = (l: string[], i: number, ...ins: string[]): string[] => [
      ...l.slice(0, i),
      ...ins,
      ...l.slice(i),
    ];
    const del = (l: string[], i: number): string[] => l.filter((_, k) => k !== i);
    const set = (l: string[], i: number, v: string): string[] => l.map((x, k) => (k === i ? v : x));
    const find = (l: string[], prefix: string): number => {
      const i = l.findIndex((x) => x.startsWith(prefix));
      assert.ok(i >= 0, prefix);
      return i;
    };
    const errors = (r: ShapeResult): number =>
      r.diagnostics.filter((d) => d.severity === 'error').length;
    const STEPS: Step[] = [
      ['the file as opened', (l) => l, (r) => assert.equal(errors(r), 0)],
      ['insert a line at the top', (l) => at(l, 0, 'N = 16'), () => {}],
      [
        'change a dimension',
        (l) => set(l, find(l, 'x = '), 'x = np.random.randn(N, 768)'),
        (r) => assert.deepEqual(shapeOf(r, 'y'), [16, 3072]),
      ],
      ['delete a line', (l) => del(l, find(l, 'h = ')), () => {}],
      [
        'introduce an error',
        (l) => set(l, find(l, 'W = '), 'W = np.zeros((512, 3072))'),
        (r) => assert.equal(errors(r), 1),
      ],
      [
        'a second error inside a function (reported at the call)',
        (l) => set(l, find(l, '    return q @'), '    return q @ k'),
        (r) => assert.equal(errors(r), 2),
      ],
      [
        'fix the first error',
        (l) => set(l, find(l, 'W = '), 'W = np.zeros((768, 3072))'),
        (r) => assert.equal(errors(r), 1),
      ],
      [
        'fix the second error',
        (l) => set(l, find(l, '    return q @'), '    return q @ k.transpose(1, 2)'),
        (r) => assert.equal(errors(r), 0),
      ],
      ['type half a line (a syntax error)', (l) => at(l, find(l, 'out = '), 'z = y @'), () => {}],
      [
        'finish it',
        (l) => set(l, find(l, 'z = '), 'z = y @ np.ones((3072, 2))'),
        (r) => assert.deepEqual(shapeOf(r, 'z'), [16, 2]),
      ],
      [
        'indent a statement into a block (same text, new column)',
        (l) => {
          const i = find(l, 'z = ');
          return at(set(l, i, '    z = y @ np.ones((3072, 2))'), i, 'if N > 0:');
        },
        () => {},
      ],
      [
        'add a line inside a multi-line statement',
        (l) => at(l, find(l, '       .sum('), '       .reshape(16, 4, 768)'),
        (r) => assert.deepEqual(shapeOf(r, 'out'), [16, 4]),
      ],
      ['duplicate a line', (l) => at(l, find(l, 'y = '), 'y = x @ W'), () => {}],
      ['two statements on a line', (l) => at(l, 1, 'M = 2; K = np.ones((M, 3))'), () => {}],
      [
        'edit the first (the second keeps its text, not its column)',
        (l) => set(l, find(l, 'M = '), 'M = 20; K = np.ones((M, 3))'),
        (r) => assert.deepEqual(shapeOf(r, 'K'), [20, 3]),
      ],
      [
        'a non-ASCII comment and a new dimension',
        (l) => set(at(l, 0, '# größe'), find(l, 'N = ') + 1, 'N = 24'),
        (r) => assert.deepEqual(shapeOf(r, 'y'), [24, 3072]),
      ],
      ['edit after non-ASCII text on the same line', (l) => set(l, 0, '# größe 😀 ∑'), () => {}],
      [
        'and before it',
        (l) => at(l, find(l, 'N = ') + 1, 'S = "😀"; V = np.ones((N, 2)) # ∑'),
        (r) => assert.deepEqual(shapeOf(r, 'V'), [24, 2]),
      ],
      ['delete everything but the imports', () => [], (r) => assert.equal(r.shapes.length, 0)],
      ['and paste it back', () => BASE, (r) => assert.equal(errors(r), 0)],
    ];

    /** Everything a caller can see in a result: shapes, diagnostics, hover at every position. */
    const view = (r: ShapeResult, src: string): unknown => {
      const hovers: unknown[] = [];
      src.split('\n').forEach((line, row) => {
        for (let col = 0; col <= line.length; col++) hovers.push(r.hoverAt(row, col) ?? null);
      });
      return { shapes: r.shapes, diagnostics: r.diagnostics, hovers };
    };

    it('after each edit of a sequence: insert, change a dimension, delete, break, fix', async () => {
      const inc = await newAnalyzer();
      const seen: { r: ShapeResult; src: string; want: unknown }[] = [];
      try {
        let lines = BASE;
        for (const [what, edit, check] of STEPS) {
          lines = edit(lines);
          const src = PRE + lines.join('\n') + '\n';
          const fresh = await newAnalyzer();
          const want = view(fresh.analyze(src), src);
          fresh.dispose();
          const r = inc.analyze(src);
          assert.deepEqual(view(r, src), want, what);
          check(r);
          seen.push({ r, src, want });
        }
        // results handed out earlier still describe their own text
        for (const [i, { r, src, want }] of seen.entries())
          assert.deepEqual(view(r, src), want, `result of step ${i} read later`);
      } finally {
        inc.dispose();
      }
    });

    it('after random line edits (fast-check)', async () => {
      const POOL = [
        ...BASE,
        'x = np.random.randn(16, 768)',
        'W = np.zeros((512, 3072))',
        'z = x @ W.T',
        'if x.shape[0] > 2:',
        '    y = x @ W',
        'for i in range(3):',
        '    h = h + 1',
        '# a comment',
        '',
        'w = (x',
        '     + 1)',
        'q = x.reshape(',
        'v = W[:, ::-1]',
        'M = 2; K = np.ones((M, 3))',
        'M = 20; K = np.ones((M, 3))',
        's = "größe ∑ 😀"; G = np.ones((2, 5))',
        '# 日本語のコメント',
        'é = x.T  # non-ASCII name',
      ];
      const edit = fc.oneof(
        fc.record({ op: fc.constant('insert'), at: fc.nat(), line: fc.constantFrom(...POOL) }),
        fc.record({ op: fc.constant('set'), at: fc.nat(), line: fc.constantFrom(...POOL) }),
        fc.record({ op: fc.constant('delete'), at: fc.nat(), line: fc.constant('') }),
      );
      const inc = await newAnalyzer();
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
            let lines = BASE;
            for (const e of edits) {
              const i = e.at % (lines.length + 1);
              if (e.op === 'insert') lines = at(lines, i, e.line);
              else if (e.op === 'set') lines = set(lines, i, e.line);
              else lines = del(lines, i);
              const src = PRE + lines.join('\n') + '\n';
              const fresh = await newAnalyzer();
              const want = view(fresh.analyze(src), src);
              fresh.dispose();
              assert.deepEqual(view(inc.analyze(src), src), want, lines.join('\n'));
            }
          }),
          { numRuns: 15, seed: 20240611 },
        );
      } finally {
        inc.dispose();
      }
    });
  });
});
