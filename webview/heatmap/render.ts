import {
  ColormapName,
  colormapLut,
  lutIndex,
  SPECIAL_COLORS,
} from '../../src/core/color/colormaps';

/** Paints one pixel per cell into `canvas` (rows × cols backing store). */
export function paintHeatmap(
  canvas: HTMLCanvasElement,
  values: Float32Array,
  rows: number,
  cols: number,
  lo: number,
  hi: number,
  colormap: ColormapName,
): void {
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(cols, rows);
  const px = img.data;
  const lut = colormapLut(colormap);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0, p = 0; i < values.length; i++, p += 4) {
    const v = values[i];
    if (v - v === 0) {
      const t = scale ? (v - lo) * scale : 128;
      const k = (t <= 0 ? 0 : t >= 255 ? 255 : Math.round(t)) * 3;
      px[p] = lut[k];
      px[p + 1] = lut[k + 1];
      px[p + 2] = lut[k + 2];
    } else {
      const c =
        v !== v ? SPECIAL_COLORS.nan : v > 0 ? SPECIAL_COLORS.posinf : SPECIAL_COLORS.neginf;
      px[p] = c[0];
      px[p + 1] = c[1];
      px[p + 2] = c[2];
    }
    px[p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Vertical gradient: top = hi, bottom = lo. */
export function paintColorbar(canvas: HTMLCanvasElement, colormap: ColormapName): void {
  canvas.width = 1;
  canvas.height = 256;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(1, 256);
  const lut = colormapLut(colormap);
  for (let y = 0; y < 256; y++) {
    const k = lutIndex(255 - y, 0, 255) * 3;
    img.data.set([lut[k], lut[k + 1], lut[k + 2], 255], y * 4);
  }
  ctx.putImageData(img, 0, 0);
}
