/** A colorbar: the colormap's 256 colours on a 1-pixel-thick canvas (CSS stretches it). */
export function paintColorbar(
  canvas: HTMLCanvasElement,
  lut: Uint8Array,
  direction: 'up' | 'right',
): void {
  const vertical = direction === 'up';
  canvas.width = vertical ? 1 : 256;
  canvas.height = vertical ? 256 : 1;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(canvas.width, canvas.height);
  for (let p = 0; p < 256; p++) {
    // 'up': the top pixel is the last colour (hi); 'right': the left pixel is the first (lo)
    const k = (vertical ? 255 - p : p) * 3;
    img.data.set([lut[k], lut[k + 1], lut[k + 2], 255], p * 4);
  }
  ctx.putImageData(img, 0, 0);
}
