/**
 * NumPy `.npz`: a ZIP archive of `.npy` members, stored (`np.savez`) or deflated
 * (`np.savez_compressed`). Only the central directory and each member's npy header are
 * read to list it; member data is read (and inflated) when asked for.
 * Reference: PKWARE APPNOTE.TXT 6.3.x (ZIP and ZIP64 records).
 *
 * Decompression bombs: a deflated member must inflate to exactly the size the central
 * directory declares, which must equal header + shape × item size; inflation stops as soon
 * as it goes past, and input is fed in small slices so that one step cannot balloon.
 */
import { Inflate } from 'fflate';
import { itemSize } from '../array/dtype';
import { RawArray } from '../array/ndarray';
import { quoteName } from '../text';
import { BlockCacheSource } from '../io/blockCache';
import { LensError, isLensError } from '../errors';
import { ByteSource, SliceSource, checkRange, readPieces } from '../io/source';
import {
  ArrayEntry,
  ArrayFile,
  LoadOptions,
  alignPieces,
  allocate,
  checkLimit,
  chunkSize,
} from './entry';
import { NPY_MAX_HEADER, NpyHeader, npyHeaderEnd, parseNpyHeader, readNpyHeader } from './npy';

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
/** Central directories larger than this are refused (a million members is ~50 MB). */
export const NPZ_MAX_DIRECTORY = 64 << 20;
/** Compressed bytes fed to the inflater per step: at most ~1032× this comes out of one step. */
const INFLATE_STEP = 16 << 10;

export interface ZipMember {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface NpzEntry extends ArrayEntry {
  /** the ZIP member name (with `.npy`). */
  member: string;
  compressed: boolean;
  header: NpyHeader;
}

/** Lists the `.npy` members of an archive; reads each member's header, not its data. */
export async function openNpz(
  file: ByteSource,
  /** the central directory, when the caller has read it already (open.ts sniffing for torch) */
  directory?: ZipMember[],
): Promise<Omit<ArrayFile, 'entries'> & { entries: NpzEntry[] }> {
  // headers of packed members share blocks: one read per 64 KiB, not three per member
  const source = new BlockCacheSource(file);
  const members = directory ?? (await readCentralDirectory(source));
  const located: { m: ZipMember; start: number }[] = [];
  for (const m of members) {
    if (m.name.endsWith('/')) continue; // directory record
    located.push({ m, start: await dataStart(source, m) });
  }
  // Member data must not overlap (overlapping members are a classic ZIP-bomb trick).
  const sorted = [...located].sort((a, b) => a.m.localHeaderOffset - b.m.localHeaderOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.start + prev.m.compressedSize > sorted[i].m.localHeaderOffset) {
      throw new LensError(
        `archive members ${quoteName(prev.m.name)} and ${quoteName(sorted[i].m.name)} overlap`,
      );
    }
  }
  const entries: NpzEntry[] = [];
  const seen = new Set<string>();
  for (const { m, start } of located) {
    if (!m.name.endsWith('.npy')) continue; // np.load ignores non-array members for arrays too
    const name = m.name.slice(0, -4);
    if (seen.has(name)) throw new LensError(`archive holds two members named ${quoteName(m.name)}`);
    seen.add(name);
    entries.push(await memberEntry(source, m, start, name));
  }
  return { format: 'npz', entries };
}

async function memberEntry(
  source: ByteSource,
  m: ZipMember,
  start: number,
  name: string,
): Promise<NpzEntry> {
  const where = `member ${quoteName(m.name)}`;
  const wrap = (e: unknown): never => {
    if (isLensError(e)) throw new LensError(`${where}: ${e.message}`, e.code);
    throw e;
  };
  let header: NpyHeader;
  try {
    header =
      m.method === 0
        ? await readNpyHeader(new SliceSource(source, start, m.compressedSize))
        : await inflatedHeader(source, start, m);
  } catch (e) {
    return wrap(e);
  }
  if (m.method === 0 && m.compressedSize !== m.uncompressedSize) {
    throw new LensError(
      `${where} is stored uncompressed but declares ${m.uncompressedSize} bytes in ${m.compressedSize}`,
    );
  }
  const implied = header.dataOffset + header.dataLength;
  if (implied !== m.uncompressedSize) {
    throw new LensError(
      `${where} declares ${m.uncompressedSize} bytes but its npy header implies ${implied} (shape (${header.shape.join(', ')}) of ${header.dtype})`,
    );
  }
  const { dtype, shape, fortranOrder, littleEndian, dataOffset, dataLength } = header;
  return {
    name,
    member: m.name,
    compressed: m.method !== 0,
    header,
    dtype,
    shape,
    fortranOrder,
    littleEndian,
    byteLength: dataLength,
    async load(opts?: LoadOptions): Promise<RawArray> {
      checkLimit(dataLength, opts);
      try {
        // A deflated member's buffer grows with what actually comes out, so a member that
        // merely declares a huge size costs nothing before it is caught.
        const usize = m.uncompressedSize;
        let all = allocate(
          m.method === 0 ? usize : Math.min(usize, Math.max(1 << 20, m.compressedSize * 8)),
        );
        let at = 0;
        for await (const p of stream()) {
          if (at + p.length > all.length) {
            const grown = allocate(Math.min(usize, Math.max(at + p.length, all.length * 2)));
            grown.set(all.subarray(0, at));
            all = grown;
          }
          all.set(p, at);
          at += p.length;
        }
        return {
          dtype,
          shape,
          fortranOrder,
          littleEndian,
          bytes: all.subarray(dataOffset, dataOffset + dataLength),
        };
      } catch (e) {
        return wrap(e);
      }
    },
    async *chunks(opts) {
      const size = chunkSize(dtype, opts);
      try {
        yield* alignPieces(skipBytes(stream(size), dataOffset), itemSize(dtype));
      } catch (e) {
        wrap(e);
      }
    },
  };

  // A stream with a custom piece size (for chunks()).
  function stream(size?: number): AsyncGenerator<Uint8Array> {
    return m.method === 0 ? storedPieces(source, start, m, size) : inflatePieces(source, start, m);
  }
}

/** Drops the first `n` bytes of a stream. */
async function* skipBytes(
  pieces: AsyncIterable<Uint8Array>,
  n: number,
): AsyncGenerator<Uint8Array> {
  let skip = n;
  for await (const p of pieces) {
    if (skip >= p.length) {
      skip -= p.length;
      continue;
    }
    yield skip ? p.subarray(skip) : p;
    skip = 0;
  }
}

/** A stored member's bytes, CRC-checked at the end. */
async function* storedPieces(
  source: ByteSource,
  start: number,
  m: ZipMember,
  size?: number,
): AsyncGenerator<Uint8Array> {
  let crc = 0;
  for await (const p of readPieces(source, start, m.compressedSize, size)) {
    crc = crc32(p, crc);
    yield p;
  }
  if (crc !== m.crc32) throw new LensError('CRC-32 mismatch: the data is corrupt');
}

/** A deflated member's inflated bytes; size and CRC checked as it goes and at the end. */
async function* inflatePieces(
  source: ByteSource,
  start: number,
  m: ZipMember,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  let crc = 0;
  const out: Uint8Array[] = [];
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > m.uncompressedSize) {
      throw new LensError(
        `inflates to more than the ${m.uncompressedSize} bytes it declares (decompression bomb?)`,
      );
    }
    crc = crc32(chunk, crc);
    if (chunk.length) out.push(chunk);
  });
  const n = m.compressedSize;
  let fed = 0;
  for await (const piece of readPieces(source, start, n, 1 << 20)) {
    for (let p = 0; p < piece.length; p += INFLATE_STEP) {
      const slice = piece.subarray(p, p + INFLATE_STEP);
      fed += slice.length;
      push(inflater, slice, fed === n);
      yield* out.splice(0);
    }
  }
  if (n === 0) push(inflater, new Uint8Array(0), true);
  yield* out.splice(0);
  if (total !== m.uncompressedSize) {
    throw new LensError(`inflates to ${total} bytes but declares ${m.uncompressedSize}`);
  }
  if (crc !== m.crc32) throw new LensError('CRC-32 mismatch: the data is corrupt');
}

function push(inflater: Inflate, data: Uint8Array, final: boolean): void {
  try {
    inflater.push(data, final);
  } catch (e) {
    if (isLensError(e)) throw e;
    throw new LensError(
      `is not valid deflate data (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

/** Inflates only as much of a deflated member as its npy header needs. */
async function inflatedHeader(source: ByteSource, start: number, m: ZipMember): Promise<NpyHeader> {
  const parts: Uint8Array[] = [];
  let have = 0;
  let need = 12;
  const inflater = new Inflate((chunk) => {
    if (have < need + 4096 && chunk.length) {
      parts.push(chunk);
      have += chunk.length;
    }
  });
  const step = 1024;
  let fed = 0;
  const joined = (): Uint8Array => {
    const b = new Uint8Array(have);
    let at = 0;
    for (const p of parts) {
      b.set(p, at);
      at += p.length;
    }
    return b;
  };
  while (fed < m.compressedSize) {
    const len = Math.min(step, m.compressedSize - fed);
    const data = await source.read(start + fed, len);
    fed += len;
    push(inflater, data, fed === m.compressedSize);
    if (have >= need) {
      const prefix = joined();
      const end = npyHeaderEnd(prefix);
      if (end === undefined) continue;
      if (end > NPY_MAX_HEADER + 12) {
        throw new LensError(
          `header of ${end} bytes is larger than the ${NPY_MAX_HEADER}-byte limit`,
          'too-large',
        );
      }
      need = end;
      if (have >= need) return parseNpyHeader(prefix, m.uncompressedSize);
    }
  }
  if (m.compressedSize === 0) push(inflater, new Uint8Array(0), true);
  return parseNpyHeader(joined(), Math.min(have, m.uncompressedSize));
}

/** Offset of a member's data, from its local header. */
async function dataStart(source: ByteSource, m: ZipMember): Promise<number> {
  const at = m.localHeaderOffset;
  if (at + 30 > source.size)
    throw new LensError(`member ${quoteName(m.name)} lies outside the file`);
  const h = await source.read(at, 30);
  const v = new DataView(h.buffer, h.byteOffset, 30);
  if (v.getUint32(0, true) !== SIG_LOCAL)
    throw new LensError(`member ${quoteName(m.name)} has no local header where the directory says`);
  const start = at + 30 + v.getUint16(26, true) + v.getUint16(28, true);
  if (start + m.compressedSize > source.size)
    throw new LensError(`member ${quoteName(m.name)} is truncated`);
  return start;
}

/** Parses the end-of-central-directory records (ZIP64 too) and the central directory. */
export async function readCentralDirectory(source: ByteSource): Promise<ZipMember[]> {
  const size = source.size;
  if (size < 22) throw new LensError('not a ZIP archive (too short for its end record)');
  const tailLen = Math.min(size, 22 + 0xffff + 20);
  const tailStart = size - tailLen;
  const tail = await source.read(tailStart, tailLen);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === SIG_EOCD && i + 22 + tv.getUint16(i + 20, true) <= tailLen) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw new LensError('not a ZIP archive (no end-of-central-directory record; truncated?)');
  if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) {
    throw new LensError('multi-disk ZIP archives are not supported', 'unsupported');
  }
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  const loc = eocd - 20;
  if (loc >= 0 && tv.getUint32(loc, true) === SIG_LOCATOR64) {
    const rec = u64(tv, loc + 8);
    if (rec + 56 > size) throw new LensError('ZIP64 end record lies outside the file');
    const r = await source.read(rec, 56);
    const rv = new DataView(r.buffer, r.byteOffset, 56);
    if (rv.getUint32(0, true) !== SIG_EOCD64) throw new LensError('ZIP64 end record is missing');
    count = u64(rv, 32);
    cdSize = u64(rv, 40);
    cdOffset = u64(rv, 48);
  } else if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new LensError('ZIP64 locator is missing');
  }
  if (cdSize > NPZ_MAX_DIRECTORY)
    throw new LensError(`central directory of ${cdSize} bytes is too large`, 'too-large');
  if (cdOffset + cdSize > size)
    throw new LensError('central directory lies outside the file (truncated?)');
  if (count > cdSize / 46)
    throw new LensError(`central directory of ${cdSize} bytes cannot hold ${count} members`);
  const cd = await source.read(cdOffset, cdSize);
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const members: ZipMember[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdSize || cv.getUint32(p, true) !== SIG_CENTRAL)
      throw new LensError(`central directory entry ${k + 1} is corrupt`);
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    const crc = cv.getUint32(p + 16, true);
    let csize = cv.getUint32(p + 20, true);
    let usize = cv.getUint32(p + 24, true);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    let offset = cv.getUint32(p + 42, true);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cdSize) throw new LensError(`central directory entry ${k + 1} is truncated`);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    const name = new TextDecoder('utf-8').decode(nameBytes);
    // ZIP64 extended information: the 8-byte values for the fields that are 0xFFFFFFFF, in order.
    if (csize === 0xffffffff || usize === 0xffffffff || offset === 0xffffffff) {
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      let found = false;
      while (e + 4 <= eEnd) {
        const id = cv.getUint16(e, true);
        const len = cv.getUint16(e + 2, true);
        if (e + 4 + len > eEnd) break;
        if (id === 0x0001) {
          let q = e + 4;
          const take = (): number => {
            if (q + 8 > e + 4 + len)
              throw new LensError(`member ${quoteName(name)} has a short ZIP64 extra field`);
            const v = u64(cv, q);
            q += 8;
            return v;
          };
          if (usize === 0xffffffff) usize = take();
          if (csize === 0xffffffff) csize = take();
          if (offset === 0xffffffff) offset = take();
          found = true;
          break;
        }
        e += 4 + len;
      }
      if (!found) throw new LensError(`member ${quoteName(name)} lacks its ZIP64 extra field`);
    }
    if (flags & 1) throw new LensError(`member ${quoteName(name)} is encrypted`, 'unsupported');
    if (method !== 0 && method !== 8) {
      throw new LensError(
        `member ${quoteName(name)} uses compression method ${method} (only stored and deflate are supported)`,
        'unsupported',
      );
    }
    checkRange({ size }, offset, 0);
    members.push({
      name,
      method,
      crc32: crc,
      compressedSize: csize,
      uncompressedSize: usize,
      localHeaderOffset: offset,
    });
    p = end;
  }
  return members;
}

function u64(v: DataView, at: number): number {
  const x = v.getBigUint64(at, true);
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new LensError('ZIP64 value out of range');
  return Number(x);
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as ZIP uses), continuing from `crc`. */
export function crc32(data: Uint8Array, crc = 0): number {
  let t = CRC_TABLE;
  if (!t) {
    t = CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
