/**
 * Colormaps as 256-entry RGB lookup tables, interpolated linearly (in sRGB) between anchor
 * colours. The anchors are the published 9-step samples of matplotlib's viridis and magma
 * (CC0) and ColorBrewer's 11-class RdBu (Apache-2.0), reversed so that negative is blue.
 */
export type ColormapName = 'viridis' | 'magma' | 'gray' | 'rdbu';
export const COLORMAPS: ColormapName[] = ['viridis', 'magma', 'gray', 'rdbu'];

const ANCHORS: Record<ColormapName, string[]> = {
  viridis: [
    '440154',
    '482878',
    '3e4989',
    '31688e',
    '26828e',
    '1f9e89',
    '35b779',
    '6ece58',
    'fde725',
  ],
  magma: ['000004', '1c1044', '4f127b', '812581', 'b5367a', 'e55964', 'fb8761', 'fec287', 'fcfdbf'],
  gray: ['000000', 'ffffff'],
  rdbu: [
    '053061',
    '2166ac',
    '4393c3',
    '92c5de',
    'd1e5f0',
    'f7f7f7',
    'fddbc7',
    'f4a582',
    'd6604d',
    'b2182b',
    '67001f',
  ],
};

/** Colours for values that are not finite: distinct from every map above. */
export const SPECIAL_COLORS = {
  nan: [255, 0, 255] as const, // magenta
  posinf: [255, 255, 255] as const,
  neginf: [0, 0, 0] as const,
};

const cache = new Map<ColormapName, Uint8Array>();

/** 256×3 bytes. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = cache.get(name);
  if (lut) return lut;
  const anchors = ANCHORS[name].map((h) => [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)));
  lut = new Uint8Array(256 * 3);
  const segments = anchors.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++)
      lut[i * 3 + c] = Math.round(anchors[k][c] * (1 - f) + anchors[k + 1][c] * f);
  }
  cache.set(name, lut);
  return lut;
}

/** LUT index of a finite value within [lo, hi] (clamped). */
export function lutIndex(v: number, lo: number, hi: number): number {
  if (!(hi > lo)) return 128;
  const t = (v - lo) / (hi - lo);
  return t <= 0 ? 0 : t >= 1 ? 255 : Math.round(t * 255);
}

/** RGB of a value; non-finite values get SPECIAL_COLORS. */
export function colorOf(
  v: number,
  lo: number,
  hi: number,
  lut: Uint8Array,
): [number, number, number] {
  if (Number.isNaN(v)) return [...SPECIAL_COLORS.nan];
  if (v === Infinity) return [...SPECIAL_COLORS.posinf];
  if (v === -Infinity) return [...SPECIAL_COLORS.neginf];
  const i = lutIndex(v, lo, hi) * 3;
  return [lut[i], lut[i + 1], lut[i + 2]];
}
