// Draws the extension icon (media/icon.png, 256×256) from code: a viridis heatmap of a
// rank-2 matrix under a round lens. Nothing is downloaded; run: node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 256;
const px = new Uint8Array(N * N * 4);
// viridis control points (matplotlib's colormap, sampled at 0, .25, .5, .75, 1)
const VIRIDIS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
function viridis(t) {
  const x = Math.min(0.9999, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  return VIRIDIS[i].map((c, k) => Math.round(c + f * (VIRIDIS[i + 1][k] - c)));
}
function put(x, y, [r, g, b], a = 255) {
  const o = (y * N + x) * 4;
  const k = a / 255;
  px[o] = Math.round(r * k + px[o] * (1 - k));
  px[o + 1] = Math.round(g * k + px[o + 1] * (1 - k));
  px[o + 2] = Math.round(b * k + px[o + 2] * (1 - k));
  px[o + 3] = Math.max(px[o + 3], a);
}
const cells = 8;
const margin = 20;
const size = (N - 2 * margin) / cells;
const cx = 150;
const cy = 140;
const R = 70;
for (let y = 0; y < N; y++)
  for (let x = 0; x < N; x++) {
    // rounded dark tile
    const dx = Math.max(0, Math.abs(x - N / 2 + 0.5) - (N / 2 - 28));
    const dy = Math.max(0, Math.abs(y - N / 2 + 0.5) - (N / 2 - 28));
    if (Math.hypot(dx, dy) > 28) continue;
    put(x, y, [30, 30, 46]);
    const i = Math.floor((y - margin) / size);
    const j = Math.floor((x - margin) / size);
    if (i < 0 || j < 0 || i >= cells || j >= cells) continue;
    const inner = (x - margin) % size > 2 && (y - margin) % size > 2;
    if (!inner) continue;
    // a rank-2 matrix: u1·v1ᵀ + u2·v2ᵀ
    const v =
      0.5 + 0.35 * Math.sin(i * 0.7) * Math.cos(j * 0.5) + 0.15 * Math.cos(i * 0.3 + j * 0.9);
    const d = Math.hypot(x - cx, y - cy);
    // inside the lens: magnified brighter colours
    put(x, y, viridis(d < R ? Math.min(1, v * 1.25) : v * 0.8));
  }
for (let y = 0; y < N; y++)
  for (let x = 0; x < N; x++) {
    const d = Math.hypot(x - cx, y - cy);
    if (Math.abs(d - R) < 6)
      put(x, y, [235, 235, 245], Math.round(255 * Math.min(1, 6 - Math.abs(d - R))));
    // handle, towards the bottom right
    const t = (x - cx + (y - cy)) / Math.SQRT2;
    const s = (x - cx - (y - cy)) / Math.SQRT2;
    if (t > R + 4 && t < R + 52 && Math.abs(s) < 9) put(x, y, [235, 235, 245]);
  }

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++)
  Buffer.from(px.subarray(y * N * 4, (y + 1) * N * 4)).copy(raw, y * (N * 4 + 1) + 1);
writeFileSync(
  new URL('../media/icon.png', import.meta.url),
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]),
);
console.log('wrote media/icon.png');
