/**
 * The slice picker of an N-D array: row and column axis selects (picking the other's axis
 * swaps them) and a slider plus a number box for every other axis.
 */
import { el } from '../shared/vscode';
import type { Shown } from './state';

export type OnSlice = (rowAxis: number, colAxis: number, indices: number[]) => void;

let sliceTimer: ReturnType<typeof setTimeout> | undefined;

export function dimPicker(s: Shown, onSlice: OnSlice): HTMLElement {
  const nd = s.view.shape.length;
  const box = el('div', { class: 'dims', id: 'dims', role: 'group', 'aria-label': 'Slice' });
  const axisSelect = (id: string, label: string, value: number) => {
    const wrap = el('label', { class: 'dim' });
    const sel = el('select', { id });
    for (let i = 0; i < nd; i++) {
      const o = el('option', { value: String(i) }, `axis ${i} (${s.view.shape[i]})`);
      if (i === value) o.selected = true;
      sel.append(o);
    }
    wrap.append(document.createTextNode(label), sel);
    return { wrap, sel };
  };
  const rows = axisSelect('row-axis', 'rows', s.rowAxis);
  const cols = axisSelect('col-axis', 'columns', s.colAxis);
  box.append(rows.wrap, cols.wrap);
  const onAxes = (changed: 'row' | 'col') => {
    let r = Number(rows.sel.value);
    let c = Number(cols.sel.value);
    if (r === c) {
      // picking the other's axis swaps them
      if (changed === 'row') c = s.rowAxis;
      else r = s.colAxis;
    }
    onSlice(r, c, s.indices);
  };
  rows.sel.addEventListener('change', () => onAxes('row'));
  cols.sel.addEventListener('change', () => onAxes('col'));
  for (let i = 0; i < nd; i++) {
    if (i === s.rowAxis || i === s.colAxis) continue;
    const n = s.view.shape[i];
    const wrap = el('label', { class: 'dim' });
    const input = (type: string, id: string, label: string) =>
      el('input', {
        type,
        id,
        min: '0',
        max: String(Math.max(0, n - 1)),
        step: '1',
        value: String(s.indices[i] ?? 0),
        'aria-label': label,
      });
    const range = input('range', `index-${i}`, `index along axis ${i}`);
    const num = input('number', `index-num-${i}`, `index along axis ${i} (number)`);
    const apply = (raw: string, debounce: boolean) => {
      const v = Math.min(n - 1, Math.max(0, Math.floor(Number(raw) || 0)));
      range.value = num.value = String(v);
      const indices = [...s.indices];
      indices[i] = v;
      if (sliceTimer) clearTimeout(sliceTimer);
      if (debounce) sliceTimer = setTimeout(() => onSlice(s.rowAxis, s.colAxis, indices), 60);
      else onSlice(s.rowAxis, s.colAxis, indices);
    };
    range.addEventListener('input', () => apply(range.value, true));
    num.addEventListener('change', () => apply(num.value, false));
    wrap.append(document.createTextNode(`axis ${i}`), range, num);
    box.append(wrap);
  }
  return box;
}

/** Shows the indices of `s` in the picker's inputs (except the one being edited). */
export function showIndices(s: Shown): void {
  for (let i = 0; i < s.indices.length; i++) {
    for (const id of [`index-${i}`, `index-num-${i}`]) {
      const input = document.getElementById(id) as HTMLInputElement | null;
      if (input && document.activeElement !== input) input.value = String(s.indices[i]);
    }
  }
}
