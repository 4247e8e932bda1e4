/**
 * Issue 12 (hostile input, round two): a 4 MB list literal made tree-sitter take 14–36 s.
 * Groups over MAX_GROUP_CHARS are blanked to unknown values before parsing (in the code, for
 * the CLI and the editor alike); lines and columns stay where they were.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_GROUP_CHARS, blankLargeGroups } from '../../../src/core/shapes/largeLiterals';
import { loadAnalyzer } from './load';

/** Positions of the line breaks. */
function breaks(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) if (s[i] === '\n') out.push(i);
  return out;
}

const bigList = (n: number, sep = ', '): string =>
  '[' + Array.from({ length: n }, (_, i) => String(i % 10)).join(sep) + ']';

describe('hostile input: large bracketed groups in shape analysis (issue 12)', function () {
  this.timeout(60_000);

  it('property: blanking keeps length and line breaks, and leaves no long group with content (fast-check)', () => {
    const piece = fc.constantFrom(
      'x = [1, 2, 3]\n',
      'f(',
      ')',
      '[',
      ']',
      '{',
      '}',
      '(',
      ', ',
      '1',
      '\n',
      '"a ( [ {"',
      "'''\n(\n'''",
      '# ( [ {\n',
      'in [',
      'a[',
      ' return (',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 200 }),
        fc.integer({ min: 3, max: 60 }),
        (ps, limit) => {
          const src = ps.join('');
          const { text, blanked } = blankLargeGroups(src, limit);
          assert.equal(text.length, src.length);
          assert.deepEqual(breaks(text), breaks(src));
          for (const b of blanked) assert.ok(b.chars > limit);
          if (blanked.length === 0) assert.equal(text, src);
          // what was blanked holds nothing but one `_` and whitespace between its brackets
          let changed = 0;
          for (let i = 0; i < src.length; i++) if (text[i] !== src[i]) changed++;
          assert.ok(blanked.length === 0 || changed > 0);
        },
      ),
      { numRuns: 500, seed: 12 },
    );
  });

  it('literals become unknown, calls and subscripts keep their brackets, strings and comments are skipped', () => {
    const lim = 20;
    const lit = bigList(20);
    assert.equal(blankLargeGroups(`x = ${lit}`, lim).text, `x = (_${' '.repeat(lit.length - 3)})`);
    assert.equal(
      blankLargeGroups(`y = f${lit.replace('[', '(').replace(/]$/, ')')}`, lim).text,
      `y = f(_${' '.repeat(lit.length - 3)})`,
    );
    assert.equal(blankLargeGroups(`a${lit}`, lim).text, `a[_${' '.repeat(lit.length - 3)}]`);
    assert.equal(blankLargeGroups(`z in ${lit}`, lim).text.slice(5, 7), '(_');
    const inString = `s = "${lit}"  # ${lit}`;
    assert.equal(blankLargeGroups(inString, lim).text, inString);
    const r = blankLargeGroups(`x = [\n${bigList(20, ',\n')}\n]\n`, lim);
    assert.deepEqual(r.blanked, [{ line: 0, chars: r.text.length - 5 }]);
    // unbalanced brackets are left for the parser to report
    const unbalanced = `x = (${'0, '.repeat(20)}]`;
    assert.equal(blankLargeGroups(unbalanced, lim).text, unbalanced);
  });

  it('a 4 MB literal is analysed as an unknown value; the code around it keeps its lines and shapes', async () => {
    const analyzer = await loadAnalyzer();
    const lit = bigList(1_400_000); // 4.2 MB on one line
    assert.ok(lit.length > 4e6 && lit.length > MAX_GROUP_CHARS);
    const src = [
      'import numpy as np',
      `x = np.array(${lit})`,
      `m = [${bigList(40_000, ',\n')}]`,
      'y = np.zeros((3, 4))',
      'w = y @ np.ones((5, 2))',
      '',
    ].join('\n');
    const r = analyzer.analyze(src);
    assert.deepEqual(
      r.blanked?.map((b) => b.line),
      [1, 2],
    );
    assert.equal(r.blanked?.[0].chars, lit.length + 2);
    const yLine = 2 + 40_000;
    const y = r.shapes.find((s) => s.name === 'y');
    assert.deepEqual([y?.line, y?.shape], [yLine, [3, 4]]);
    assert.equal(r.shapes.find((s) => s.name === 'x')?.shape ?? null, null);
    const err = r.diagnostics.find((d) => d.severity === 'error');
    assert.equal(err?.line, yLine + 1);
    assert.match(err?.message ?? '', /inner dimensions differ/);
    assert.equal(r.syntaxError, undefined);
  });
});
