/** Notebooks: code cells joined top to bottom, IPython lines blanked, lines mapped back to cells. */
import assert from 'node:assert/strict';
import { loadAnalyzer } from './load';
import { cellAt, parseNotebook } from '../../../src/core/shapes/notebook';

export function notebookJson(cells: [kind: 'code' | 'markdown', text: string][]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map(([kind, text]) => ({
      cell_type: kind,
      metadata: {},
      source: text.split(/(?<=\n)/),
      ...(kind === 'code' ? { outputs: [], execution_count: null } : {}),
    })),
  });
}

describe('shape checker: notebooks', () => {
  it('state flows from cell to cell; diagnostics map back to the cell and its line', async () => {
    const nb = parseNotebook(
      notebookJson([
        ['code', 'import numpy as np\n%matplotlib inline\nx = np.zeros((3, 4))'],
        ['markdown', '# the weights'],
        ['code', '!pip list\nW = np.ones((5, 2))\ny = x @ W'],
      ]),
    );
    assert.deepEqual(
      nb.cells.map((c) => [c.index, c.startLine, c.lineCount]),
      [
        [0, 0, 3],
        [2, 3, 3],
      ],
    );
    const r = (await loadAnalyzer()).analyze(nb.source);
    assert.equal(r.syntaxError, undefined);
    assert.equal(r.diagnostics.length, 1);
    const at = cellAt(nb, r.diagnostics[0].line);
    assert.equal(at?.cell.index, 2);
    assert.equal(at?.line, 2);
    assert.match(r.diagnostics[0].message, /4.*5/);
  });

  it('refuses what is not a notebook with one line', () => {
    assert.throws(() => parseNotebook('{'), /not JSON/);
    assert.throws(() => parseNotebook('{"a": 1}'), /no "cells"/);
  });
});
