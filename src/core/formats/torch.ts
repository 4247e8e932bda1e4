/**
 * PyTorch checkpoints written by `torch.save` (`.pt`, `.pth`, `.bin` state dicts): a ZIP
 * archive `<name>/data.pkl` (the object graph as a pickle) plus one member `<name>/data/<key>`
 * per storage (raw elements, little-endian unless `<name>/byteorder` says "big"). The pickle
 * is read by our restricted unpickler (pickle.ts), which executes nothing; each tensor is a
 * strided view (offset, size, stride) of a storage, so views sharing a storage are gathered
 * from it. Listing reads the central directory and data.pkl only; storages are read on load.
 * Tensors nested in dicts/lists are named by their path (`encoder.layers.0.weight`); plain
 * scalar and string leaves (epoch, step, …) become the file's metadata.
 * Reference: torch/serialization.py (_save, _load, legacy _legacy_load), PKWARE APPNOTE.
 */
import { itemSize } from '../array/dtype';
import { RawArray, sizeOf } from '../array/ndarray';
import { LensError } from '../errors';
import { ByteSource, readPieces } from '../io/source';
import { ArrayEntry, ArrayFile, LoadOptions, allocate, checkLimit, chunkSize } from './entry';
import { ZipMember, readCentralDirectory } from './npz';
import {
  MAX_PICKLE_BYTES,
  PickledStorage,
  PickledTensor,
  PickledValue,
  describe,
  isKind,
  declareStorage,
  unpickle,
} from './pickle';

const SIG_LOCAL = 0x04034b50;
const MAX_DEPTH = 64;
const MAX_ENTRIES = 1_000_000;

export interface TorchEntry extends ArrayEntry {
  /** storage key (zip member `data/<key>`) */
  storage: string;
}

/** True when a ZIP's member names are those of a `torch.save` archive. */
export function isTorchZip(members: readonly ZipMember[]): boolean {
  return members.some((m) => /^([^/]+\/)?data\.pkl$/.test(m.name));
}

/** Lists the tensors of a `torch.save` ZIP archive. */
export async function openTorchZip(
  source: ByteSource,
  members?: ZipMember[],
): Promise<Omit<ArrayFile, 'entries'> & { entries: TorchEntry[] }> {
  const list = members ?? (await readCentralDirectory(source));
  const pkl = list.find((m) => /^([^/]+\/)?data\.pkl$/.test(m.name));
  if (!pkl) throw new LensError('ZIP archive has no data.pkl: not a torch.save checkpoint');
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const byName = new Map(list.map((m) => [m.name, m]));
  let littleEndian = true;
  const order = byName.get(`${prefix}byteorder`);
  if (order && order.uncompressedSize <= 16) {
    const t = new TextDecoder().decode(await memberBytes(source, order));
    if (t === 'big') littleEndian = false;
    else if (t !== 'little') throw new LensError(`byteorder member says '${t.slice(0, 16)}'`);
  }
  if (pkl.uncompressedSize > MAX_PICKLE_BYTES)
    throw new LensError(`data.pkl of ${pkl.uncompressedSize} bytes is too large`, 'too-large');
  const storages = new Map<string, PickledStorage>();
  const { value } = unpickle(await memberBytes(source, pkl), {
    persistentLoad: (pid) => declareStorage(storages, pid),
  });
  // every storage must exist and be large enough before anything is listed
  const located = new Map<string, { start: number; member: ZipMember }>();
  for (const s of storages.values()) {
    const m = byName.get(`${prefix}data/${s.key}`);
    if (!m) throw new LensError(`storage '${s.key}' has no member data/${s.key}`);
    if (m.method !== 0)
      throw new LensError(`storage member data/${s.key} is compressed (torch.save stores them)`);
    const bytes = s.numel * itemSize(s.dtype);
    if (m.uncompressedSize < bytes)
      throw new LensError(
        `storage '${s.key}' holds ${m.uncompressedSize} bytes, needs ${bytes} for ${s.numel} ${s.dtype}`,
      );
    located.set(s.key, { start: await dataStart(source, m), member: m });
  }
  return listTensors(value, (name, t) => {
    const at = located.get(t.storage.key);
    if (!at) throw new LensError(`tensor '${name}' has an unknown storage`);
    return tensorEntry(source, name, t, at.start, littleEndian);
  });
}

/** Every tensor of the unpickled state dict (by dotted name) and its string/number metadata. */
function listTensors(
  value: PickledValue,
  entryOf: (name: string, t: PickledTensor) => TorchEntry,
): Omit<ArrayFile, 'entries'> & { entries: TorchEntry[] } {
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries: TorchEntry[] = [];
  walk(value, '', 0, new Set(), {
    tensor(name, t) {
      if (entries.length >= MAX_ENTRIES)
        throw new LensError(`checkpoint lists more than ${MAX_ENTRIES} tensors`, 'too-large');
      entries.push(entryOf(name, t));
    },
    scalar(name, v) {
      if (Object.keys(metadata).length < 1000) metadata[name] = v;
    },
  });
  return Object.keys(metadata).length
    ? { format: 'pytorch', metadata, entries }
    : { format: 'pytorch', entries };
}

interface Visitor {
  tensor(name: string, t: PickledTensor): void;
  scalar(name: string, v: string): void;
}

function walk(
  v: PickledValue,
  name: string,
  depth: number,
  path: Set<object>,
  visit: Visitor,
): void {
  if (depth > MAX_DEPTH) throw new LensError(`checkpoint nests deeper than ${MAX_DEPTH} levels`);
  const child = (k: string): string => (name ? `${name}.${k}` : k);
  if (v === null || v === undefined) return;
  if (typeof v === 'string') {
    visit.scalar(name || '(value)', v.slice(0, 200));
    return;
  }
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    visit.scalar(name || '(value)', String(v));
    return;
  }
  if (v instanceof Uint8Array) return;
  if (isKind(v, 'tensor')) {
    visit.tensor(name || '(tensor)', v);
    return;
  }
  const kids: [string, PickledValue][] = Array.isArray(v)
    ? v.map((x, i) => [String(i), x])
    : isKind(v, 'tuple')
      ? v.items.map((x, i) => [String(i), x])
      : isKind(v, 'dict')
        ? v.entries.map(([k, x]) => [
            typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint'
              ? String(k)
              : describe(k),
            x,
          ])
        : [];
  if (path.has(v)) throw new LensError(`checkpoint value '${name}' contains itself`);
  path.add(v);
  for (const [k, x] of kids) walk(x, child(k), depth + 1, path, visit);
  path.delete(v);
}

function tensorEntry(
  source: ByteSource,
  name: string,
  t: PickledTensor,
  storageStart: number,
  littleEndian: boolean,
): TorchEntry {
  const { dtype } = t.storage;
  const size = itemSize(dtype);
  const shape = t.shape;
  const n = sizeOf(shape);
  // elements of the storage the view touches: [offset, offset + span)
  let span = n === 0 ? 0 : 1;
  if (n > 0) for (let i = 0; i < shape.length; i++) span += (shape[i] - 1) * t.stride[i];
  if (!Number.isSafeInteger(span) || t.offset + span > t.storage.numel)
    throw new LensError(
      `tensor '${name}' (offset ${t.offset}, size [${shape.join(', ')}], stride [${t.stride.join(', ')}]) reaches past its storage of ${t.storage.numel} elements`,
    );
  const byteLength = n * size;
  const contiguous = isContiguous(shape, t.stride);
  const first = storageStart + t.offset * size;
  const read = async (): Promise<Uint8Array> => {
    const raw = await source.read(first, span * size);
    if (contiguous) return raw.slice();
    return gather(raw, shape, t.stride, size, byteLength);
  };
  return {
    name,
    dtype,
    shape,
    fortranOrder: false,
    littleEndian,
    byteLength,
    storage: t.storage.key,
    async load(opts?: LoadOptions): Promise<RawArray> {
      checkLimit(byteLength, opts);
      return { dtype, shape, fortranOrder: false, littleEndian, bytes: await read() };
    },
    chunks(opts) {
      if (contiguous) return readPieces(source, first, byteLength, chunkSize(dtype, opts), size);
      return (async function* () {
        const all = await read();
        const step = chunkSize(dtype, opts);
        for (let p = 0; p < all.length; p += step) yield all.subarray(p, p + step);
      })();
    },
  };
}

/** C-contiguous strides (dims of length 1 may have any stride). */
function isContiguous(shape: number[], stride: number[]): boolean {
  let want = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== want) return false;
    want *= shape[i];
  }
  return true;
}

/** Copies a strided view (element strides, relative to `raw`) into C order. */
function gather(
  raw: Uint8Array,
  shape: number[],
  stride: number[],
  size: number,
  byteLength: number,
): Uint8Array {
  const out = allocate(byteLength);
  const d = shape.length;
  if (byteLength === 0) return out;
  const inner = shape[d - 1];
  const innerStride = stride[d - 1] * size;
  const idx = new Array<number>(Math.max(0, d - 1)).fill(0);
  let o = 0;
  for (;;) {
    let base = 0;
    for (let i = 0; i < d - 1; i++) base += idx[i] * stride[i];
    base *= size;
    if (innerStride === size) {
      out.set(raw.subarray(base, base + inner * size), o);
      o += inner * size;
    } else {
      for (let j = 0; j < inner; j++, o += size) {
        const s = base + j * innerStride;
        for (let b = 0; b < size; b++) out[o + b] = raw[s + b];
      }
    }
    let k = d - 2;
    while (k >= 0 && ++idx[k] === shape[k]) idx[k--] = 0;
    if (k < 0) break;
  }
  return out;
}

async function dataStart(source: ByteSource, m: ZipMember): Promise<number> {
  const at = m.localHeaderOffset;
  if (at + 30 > source.size) throw new LensError(`member '${m.name}' lies outside the file`);
  const h = await source.read(at, 30);
  const v = new DataView(h.buffer, h.byteOffset, 30);
  if (v.getUint32(0, true) !== SIG_LOCAL)
    throw new LensError(`member '${m.name}' has no local header where the directory says`);
  const start = at + 30 + v.getUint16(26, true) + v.getUint16(28, true);
  if (start + m.compressedSize > source.size)
    throw new LensError(`member '${m.name}' is truncated`);
  return start;
}

async function memberBytes(source: ByteSource, m: ZipMember): Promise<Uint8Array> {
  if (m.method !== 0)
    throw new LensError(`member '${m.name}' is compressed (torch.save stores its members)`);
  return source.read(await dataStart(source, m), m.uncompressedSize);
}

/** Bytes read at once for the pickles at the head of a legacy file. */
const LEGACY_HEAD = 64 << 20;

/**
 * The legacy format (PyTorch < 1.6, or `_use_new_zipfile_serialization=False`): five pickles
 * back to back — the magic number 0x1950a86a20f9469cfc6c, the protocol version (1001), a
 * sys_info dict (byte order), the object graph (persistent ids name storages by key), the
 * sorted list of storage keys — then each storage in that order as an int64 element count
 * and its raw elements. Reference: torch/serialization.py `_legacy_save` / `_legacy_load`.
 */
export async function openTorchLegacy(
  source: ByteSource,
): Promise<Omit<ArrayFile, 'entries'> & { entries: TorchEntry[] }> {
  const head = await source.read(0, Math.min(source.size, LEGACY_HEAD));
  let at = 0;
  const next = (opts?: Parameters<typeof unpickle>[1]): PickledValue => {
    const r = unpickle(head.subarray(at), opts);
    at += r.end;
    return r.value;
  };
  const magic = next();
  if (magic !== 0x1950a86a20f9469cfc6cn)
    throw new LensError('not a PyTorch checkpoint (wrong magic number)', 'unsupported');
  const version = next();
  if (version !== 1001)
    throw new LensError(
      `legacy PyTorch protocol ${describe(version)} is not supported`,
      'unsupported',
    );
  const info = next();
  let littleEndian = true;
  if (isKind(info, 'dict'))
    for (const [k, v] of info.entries)
      if (k === 'little_endian' && v === false) littleEndian = false;
  const storages = new Map<string, PickledStorage>();
  const value = next({
    persistentLoad: (pid) => declareStorage(storages, pid),
  });
  const keys = next();
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
    throw new LensError('legacy checkpoint: the storage key list is not a list of names');
  // storages follow in key order: an int64 element count, then the elements
  const starts = new Map<string, number>();
  let pos = at;
  for (const key of keys as string[]) {
    const s = storages.get(key);
    if (!s) throw new LensError(`legacy checkpoint lists storage '${key}' that no tensor uses`);
    if (pos + 8 > source.size) throw new LensError(`file is truncated before storage '${key}'`);
    const c = await source.read(pos, 8);
    const count = new DataView(c.buffer, c.byteOffset, 8).getBigInt64(0, littleEndian);
    if (count !== BigInt(s.numel))
      throw new LensError(`storage '${key}' holds ${count} elements, the pickle says ${s.numel}`);
    starts.set(key, pos + 8);
    pos += 8 + s.numel * itemSize(s.dtype);
    if (pos > source.size) throw new LensError(`file is truncated inside storage '${key}'`);
  }
  return listTensors(value, (name, t) => {
    const start = starts.get(t.storage.key);
    if (start === undefined) throw new LensError(`tensor '${name}' has no stored storage`);
    return tensorEntry(source, name, t, start, littleEndian);
  });
}

/** The legacy (PyTorch < 1.6, `_use_new_zipfile_serialization=False`) format starts with a pickled magic number. */
export function isLegacyTorch(head: Uint8Array): boolean {
  // PROTO 2, LONG1 10 bytes: 0x1950a86a20f9469cfc6c little-endian
  return head.length >= 4 && head[0] === 0x80 && head[2] === 0x8a && head[3] === 0x0a;
}
