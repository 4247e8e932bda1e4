import { ColormapName, colormapLut, lutIndex } from '../../src/core/color/colormaps';

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
