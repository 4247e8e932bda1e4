/**
 * Pure helpers over the heatmap data the worker sends: the renderer's layer of a slice or
 * zoom window, and the words for its pooling and shape. No DOM (unit-tested in Node).
 */
import type { HeatmapData } from '../../src/protocol/common';
import type { Layer } from '../shared/heatmap/layer';

/** The renderer's layer for a slice (or a zoom window of it). */
export function layerOf(h: HeatmapData): Layer {
  const w = h.window;
  return {
    values: h.values,
    rows: h.rows,
    cols: h.cols,
    row0: h.row0,
    col0: h.col0,
    rowEnd: w ? w.row1 : h.fullRows,
    colEnd: w ? w.col1 : h.fullCols,
    rowStep: h.rowStep,
    colStep: h.colStep,
  };
}

export function poolingName(h: HeatmapData): string {
  return h.pooling === 'maxabs' ? 'max-|x|' : 'mean';
}

/** NumPy's spelling of a shape: `(3,)`, `(2, 3)`. */
export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}
