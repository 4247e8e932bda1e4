/** The heatmap toolbar: colormap, range mode, zoom in/out/reset and export. */
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import { COLORMAPS, type ColormapName } from '../../src/core/color/colormaps';
import { RANGE_MODES, type RangeMode } from '../../src/core/view/range';
import { el } from '../shared/vscode';
import type { Prefs } from './state';

const COLORMAP_LABELS: Record<ColormapName, string> = {
  viridis: 'viridis',
  magma: 'magma',
  gray: 'gray',
  rdbu: 'RdBu (diverging)',
};
const RANGE_LABELS: Record<RangeMode, string> = {
  minmax: 'min – max',
  symmetric: 'symmetric ±',
  percentile: '1–99 percentile',
};

export interface ToolbarActions {
  colormap(name: string): void;
  rangeMode(mode: string): void;
  /** magnification: 2 = in, 0.5 = out */
  zoom(factor: number): void;
  resetZoom(): void;
  export(format: 'png' | 'csv'): void;
}

export class Toolbar {
  readonly root: HTMLElement;
  private readonly buttons: Record<string, HTMLElement> = {};
  private readonly selects: Record<string, HTMLSelectElement> = {};

  constructor(prefs: Prefs, act: ToolbarActions) {
    const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Heatmap' });
    const select = (id: string, label: string, options: [string, string][], value: string) => {
      const wrap = el('label', { class: 'tool-select' });
      const sel = el('vscode-single-select' as 'select', { id, 'aria-label': label });
      for (const [v, text] of options) {
        const o = el('vscode-option' as 'option', { value: v }, text);
        if (v === value) o.setAttribute('selected', '');
        sel.append(o);
      }
      wrap.append(el('span', { class: 'tool-label' }, label), sel);
      this.selects[id] = sel;
      return { wrap, sel };
    };
    const cm = select(
      'colormap',
      'Colormap',
      COLORMAPS.map((c) => [c, COLORMAP_LABELS[c]]),
      prefs.colormap,
    );
    cm.sel.addEventListener('change', () => act.colormap(cm.sel.value));
    const rm = select(
      'range-mode',
      'Range',
      RANGE_MODES.map((r) => [r, RANGE_LABELS[r]]),
      prefs.rangeMode,
    );
    rm.sel.addEventListener('change', () => act.rangeMode(rm.sel.value));
    const button = (id: string, icon: string, label: string, onClick: () => void) => {
      const b = el('vscode-toolbar-button' as 'button', { id, label, title: label });
      b.append(el('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }));
      b.addEventListener('click', onClick);
      this.buttons[id] = b;
      return b;
    };
    const group = el('div', { class: 'tool-group' });
    group.append(
      button('zoom-in', 'zoom-in', 'Zoom in (+)', () => act.zoom(2)),
      button('zoom-out', 'zoom-out', 'Zoom out (−)', () => act.zoom(0.5)),
      button('zoom-reset', 'screen-normal', 'Reset zoom (0)', () => act.resetZoom()),
      el('span', { class: 'tool-sep', 'aria-hidden': 'true' }),
      button('export-png', 'device-camera', 'Export the view as PNG…', () => act.export('png')),
      button('export-csv', 'table', 'Export the visible values as CSV…', () => act.export('csv')),
    );
    toolbar.append(cm.wrap, rm.wrap, group);
    this.root = toolbar;
  }

  /** Zoom out and reset only work while zoomed. */
  setZoomed(zoomed: boolean): void {
    for (const id of ['zoom-out', 'zoom-reset'])
      this.buttons[id]?.toggleAttribute('disabled', !zoomed);
  }

  /** Shows the choices (when they were changed from elsewhere). */
  show(prefs: Prefs): void {
    for (const [id, v] of [
      ['colormap', prefs.colormap],
      ['range-mode', prefs.rangeMode],
    ] as const) {
      const sel = this.selects[id];
      if (sel && sel.value !== v) sel.value = v;
    }
  }
}
