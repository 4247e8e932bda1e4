/**
 * Jupyter notebooks for the shape checker: the code cells, top to bottom, as one Python
 * program (state flows from cell to cell as when run in order), with a map back to cells.
 * IPython lines (`%magic`, `!shell`, `?help`) are blanked, keeping every position.
 */

export interface NotebookCell {
  /** Index of the cell among all cells of the notebook (markdown included). */
  index: number;
  /** 0-based line of the cell's first line in the joined program. */
  startLine: number;
  lineCount: number;
}

export interface NotebookProgram {
  source: string;
  cells: NotebookCell[];
}

/** Joins code cells (each given as its text) into one program. */
export function joinCells(cells: { index: number; text: string }[]): NotebookProgram {
  const parts: string[] = [];
  const out: NotebookCell[] = [];
  let line = 0;
  for (const c of cells) {
    const lines = c.text.replace(/\r\n?/g, '\n').split('\n');
    const code = lines.map((l) => (/^\s*[%!?]/.test(l) ? ' '.repeat(l.length) : l));
    out.push({ index: c.index, startLine: line, lineCount: code.length });
    parts.push(code.join('\n'));
    line += code.length;
  }
  return { source: parts.join('\n') + '\n', cells: out };
}

/** The code cells of an .ipynb file's JSON text; throws Error with a one-line reason. */
export function parseNotebook(json: string): NotebookProgram {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch {
    throw new Error('not a notebook: the file is not JSON');
  }
  const cells = (nb as { cells?: unknown }).cells;
  if (!Array.isArray(cells)) throw new Error('not a notebook: no "cells" list');
  const code: { index: number; text: string }[] = [];
  cells.forEach((c: unknown, index) => {
    const cell = c as { cell_type?: unknown; source?: unknown };
    if (cell?.cell_type !== 'code') return;
    const src = cell.source;
    const text = Array.isArray(src) ? src.map(String).join('') : typeof src === 'string' ? src : '';
    code.push({ index, text });
  });
  return joinCells(code);
}

/** The cell holding a 0-based program line, and the line within that cell (0-based). */
export function cellAt(
  program: NotebookProgram,
  line: number,
): { cell: NotebookCell; line: number } | undefined {
  for (const cell of program.cells)
    if (line >= cell.startLine && line < cell.startLine + cell.lineCount)
      return { cell, line: line - cell.startLine };
  return undefined;
}
