/**
 * A full-resolution window of a 2-D slice as CSV: a header row of column indices, then one
 * line per row starting with its row index. Values are written at full (float64) precision,
 * the shortest text that reads back to the same number; NaN/±Inf as `nan`, `inf`, `-inf`
 * (what `np.genfromtxt`/`float()` read); complex values as `re+imj`.
 */
import { decodeRun } from '../array/decode';
import { isComplex } from '../array/dtype';
import { RawArray } from '../array/ndarray';
import { LensError } from '../errors';
import type { CellWindow } from './cellWindow';
import { SliceSpec, sliceLayout } from './slice2d';

function num(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

export function windowCsv(a: RawArray, spec: SliceSpec, w: CellWindow, maxCells: number): string {
  const nr = w.row1 - w.row0;
  const nc = w.col1 - w.col0;
  if (!(nr > 0 && nc > 0)) throw new LensError('the window to export is empty');
  if (nr * nc > maxCells)
    throw new LensError(
      `the visible window is ${nr.toLocaleString('en-US')} × ${nc.toLocaleString('en-US')} = ${(nr * nc).toLocaleString('en-US')} values; CSV export is limited to ${maxCells.toLocaleString('en-US')}: zoom in first`,
    );
  const { base, rs, cs } = sliceLayout(a, spec);
  const complex = isComplex(a.dtype);
  const comps = complex ? 2 : 1;
  const buf = new Float64Array(comps);
  const lines: string[] = [];
  const header = ['row\\col'];
  for (let c = w.col0; c < w.col1; c++) header.push(String(c));
  lines.push(header.join(','));
  const cells: string[] = [];
  for (let r = w.row0; r < w.row1; r++) {
    cells.length = 0;
    cells.push(String(r));
    for (let c = w.col0; c < w.col1; c++) {
      decodeRun(a, base + r * rs + c * cs, 1, buf);
      if (complex) {
        const im = buf[1];
        cells.push(`${num(buf[0])}${im < 0 || Object.is(im, -0) ? '' : '+'}${num(im)}j`);
      } else cells.push(num(buf[0]));
    }
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}
