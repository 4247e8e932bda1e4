/**
 * The heatmap panel's state: what is shown (the array, its slice and zoom), the user's
 * choices (colormap, range mode) and what survives hiding and a window reload (`setState`).
 * Pure: the page reads and writes it; unit tests can build it without a DOM.
 */
import type { ArrayListing, ArrayView, HeatmapData } from '../../src/protocol/common';
import { COLORMAPS, type ColormapName } from '../../src/core/color/colormaps';
import { RANGE_MODES, type RangeMode } from '../../src/core/view/range';
import type { RendererPreference } from '../shared/heatmap/renderer';
import type { ViewWindow } from '../shared/viewWindow';

export interface Shown {
  view: ArrayView;
  /** the whole slice (pooled when large). */
  base: HeatmapData | null;
  /** a window fetched at higher resolution while zoomed (drawn over the base). */
  detail: HeatmapData | null;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  /** the full-resolution region in view; undefined = the whole slice. */
  zoom: ViewWindow | undefined;
  /** `base` is the coarse first-paint preview; the host's `refine` brings the full level. */
  coarse?: boolean;
}

/** A shown array with a slice to draw. */
export type Drawable = Shown & { base: HeatmapData };

export interface PanelState {
  fileName: string;
  listing?: ArrayListing;
  selected?: string;
  shown?: Shown;
  /** the last base slice request; older answers are ignored. */
  seq: number;
  /** the last detail (zoom window) request. */
  detailSeq: number;
}

/** The user's display choices. */
export interface Prefs {
  colormap: ColormapName;
  rangeMode: RangeMode;
  /** the colormap setting when the colormap was last taken from it. */
  settingsColormap: string | undefined;
  renderer: RendererPreference;
}

/** What survives hiding and a window reload (`vscode.setState`). */
export interface Saved {
  entry?: string;
  colormap?: ColormapName;
  rangeMode?: RangeMode;
  settingsColormap?: string;
  rowAxis?: number;
  colAxis?: number;
  indices?: number[];
  shape?: number[];
  zoom?: ViewWindow;
  /** Inspect Selection panels: the host's key for the selection text (window reload). */
  restoreToken?: string;
}

export function prefsOf(saved: Saved): Prefs {
  return {
    colormap: (COLORMAPS as string[]).includes(saved.colormap ?? '')
      ? (saved.colormap as ColormapName)
      : 'viridis',
    rangeMode: RANGE_MODES.includes(saved.rangeMode as RangeMode)
      ? (saved.rangeMode as RangeMode)
      : 'minmax',
    settingsColormap: saved.settingsColormap,
    renderer: 'auto',
  };
}

/** The state to save: the slice and zoom shown, or what is still to be restored. */
export function savedOf(
  state: PanelState,
  prefs: Prefs,
  restoreToken: string | undefined,
  restore: Saved | undefined,
): Saved {
  const s = state.shown;
  const out: Saved = {
    colormap: prefs.colormap,
    rangeMode: prefs.rangeMode,
    ...(prefs.settingsColormap !== undefined ? { settingsColormap: prefs.settingsColormap } : {}),
    ...(state.selected !== undefined ? { entry: state.selected } : {}),
    ...(restoreToken !== undefined ? { restoreToken } : {}),
  };
  if (s?.base) {
    out.rowAxis = s.rowAxis;
    out.colAxis = s.colAxis;
    out.indices = s.indices;
    out.shape = s.view.shape;
    if (s.zoom) out.zoom = s.zoom;
  } else if (restore) {
    // not shown yet: keep what is still to be restored
    Object.assign(out, { ...restore, colormap: prefs.colormap, rangeMode: prefs.rangeMode });
  }
  return out;
}

function sameShape(a?: readonly number[], b?: readonly number[]): boolean {
  return !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The slice and zoom to show for a newly arrived array: what was shown before when it is the
 * same array (the file changed on disk), else the saved one when it fits (`fromRestore`).
 */
export function carriedOver(
  prev: Shown | undefined,
  view: ArrayView,
  restore: Saved | undefined,
): { keep: Saved; fromRestore: boolean } | undefined {
  if (prev?.base && prev.view.name === view.name && sameShape(prev.view.shape, view.shape))
    return {
      keep: {
        rowAxis: prev.rowAxis,
        colAxis: prev.colAxis,
        indices: prev.indices,
        ...(prev.zoom ? { zoom: prev.zoom } : {}),
      },
      fromRestore: false,
    };
  if (restore && (restore.entry ?? '') === view.name && sameShape(restore.shape, view.shape))
    return { keep: restore, fromRestore: true };
  return undefined;
}

/**
 * A fresh `Shown` for `view`, on the kept slice when it is valid for this array. `differs`
 * says the kept slice is not the one the worker sent (it must be asked for).
 */
export function shownFor(view: ArrayView, keep: Saved | undefined): { s: Shown; differs: boolean } {
  const h = view.heatmap;
  const s: Shown = {
    view,
    base: h,
    detail: null,
    rowAxis: h?.rowAxis ?? -1,
    colAxis: h?.colAxis ?? -1,
    indices: h ? [...h.indices] : [],
    zoom: undefined,
  };
  const nd = view.shape.length;
  const axisOk = (a: unknown): a is number =>
    typeof a === 'number' && Number.isInteger(a) && a >= -1 && a < nd;
  if (
    !keep ||
    !h ||
    !axisOk(keep.rowAxis) ||
    !axisOk(keep.colAxis) ||
    keep.rowAxis === keep.colAxis ||
    !Array.isArray(keep.indices)
  )
    return { s, differs: false };
  const { rowAxis, colAxis } = keep;
  const kept = keep.indices;
  const indices = view.shape.map((n, i) =>
    i === rowAxis || i === colAxis ? 0 : Math.min(n - 1, Math.max(0, Math.floor(kept[i] ?? 0))),
  );
  s.rowAxis = rowAxis;
  s.colAxis = colAxis;
  s.indices = indices;
  if (keep.zoom) s.zoom = keep.zoom;
  const differs =
    rowAxis !== h.rowAxis || colAxis !== h.colAxis || indices.some((x, i) => x !== h.indices[i]);
  return { s, differs };
}
