/** Shared fixtures for the format tests: NumPy-side references and small file writers. */
import { deflateSync } from 'fflate';
import { crc32 } from '../../../src/core/formats/npz';

/** Python-side encoding of a float: non-finite values travel as strings. */
export type Num = number | 'nan' | 'inf' | '-inf';
export const PY_ENCODE = `
import numpy as np
def enc(v):
    v = float(v)
    if np.isnan(v): return 'nan'
    if np.isinf(v): return 'inf' if v > 0 else '-inf'
    return v
def values(a):
    f = a.astype(np.complex128 if a.dtype.kind == 'c' else np.float64).ravel(order='C')
    if a.dtype.kind == 'c':
        return [enc(x) for z in f for x in (z.real, z.imag)]
    return [enc(x) for x in f]
def stats(a):
    f = np.abs(a.astype(np.complex128)) if a.dtype.kind == 'c' else a.astype(np.float64)
    fin = f[np.isfinite(f)]
    return dict(min=float(fin.min()) if fin.size else None, max=float(fin.max()) if fin.size else None,
        mean=float(fin.mean()) if fin.size else None, std=float(fin.std()) if fin.size else None,
        nan=int(np.isnan(f).sum()), posinf=int(np.isposinf(f).sum()), neginf=int(np.isneginf(f).sum()), zeros=int((f == 0).sum()))
`;

export function decodeNum(v: Num): number {
  return v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v;
}

export interface RefStats {
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  nan: number;
  posinf: number;
  neginf: number;
  zeros: number;
}

/** Asserts statistics agree with NumPy's (counts exactly, moments to ~1e-9 relative). */
export function statsMatch(got: RefStats, want: RefStats, what: string): string | undefined {
  for (const k of ['nan', 'posinf', 'neginf', 'zeros'] as const) {
    if (got[k] !== want[k]) return `${what}.${k}: ${got[k]} vs ${want[k]}`;
  }
  for (const k of ['min', 'max', 'mean', 'std'] as const) {
    const w = want[k];
    const g = got[k];
    if (w === null || g === null) {
      if (w !== g) return `${what}.${k}: ${g} vs ${w}`;
      continue;
    }
    if (!(Math.abs(g - w) <= 1e-9 * Math.max(1, Math.abs(w)))) return `${what}.${k}: ${g} vs ${w}`;
  }
  return undefined;
}

/** Same values, NaN equal to NaN. */
export function sameValues(got: ArrayLike<number>, want: number[]): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i++) {
    const a = got[i];
    const b = want[i];
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) return false;
  }
  return true;
}

/** A safetensors file from the spec: 8-byte LE length, JSON header, data. */
export function safetensorsFile(
  tensors: { name: string; dtype: string; shape: number[]; data: Uint8Array }[],
  metadata?: Record<string, string>,
  pad = 0,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.data.length] };
    off += t.data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}

export interface ZipSpec {
  name: string;
  /** the member's real (uncompressed) content. */
  content: Uint8Array;
  deflate?: boolean;
  /** override the declared uncompressed size / CRC / flags. */
  declaredSize?: number;
  declaredCrc?: number;
  flags?: number;
  /** compressed bytes to store instead of deflating `content`. */
  raw?: Uint8Array;
}

/** A minimal ZIP writer for crafted archives (no ZIP64). */
export function zipFile(members: ZipSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const data = m.raw ?? (m.deflate ? deflateSync(m.content) : m.content);
    const crc = m.declaredCrc ?? crc32(m.content);
    const usize = m.declaredSize ?? m.content.length;
    const method = m.deflate ? 8 : 0;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, m.flags ?? 0, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, usize, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, m.flags ?? 0, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, usize, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    parts.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, ...central, eocd]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A .npy (version 1.0) for a little-endian array, written from the spec. */
export function npyFile(
  descr: string,
  shape: number[],
  data: Uint8Array,
  fortran = false,
): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const text = dict.padEnd(total - 10 - 1) + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  out.set(data, total);
  return out;
}
