/**
 * NumPy `.npy` format, versions 1.0, 2.0 and 3.0.
 * Reference: numpy/lib/format.py ("A Simple File Format for NumPy Arrays", NEP 1).
 * The header is parsed as a data literal, never evaluated; pickled object arrays and
 * structured dtypes are refused.
 */
import { DType, itemSize } from '../array/dtype';
import { LensError } from '../errors';
import { RawArray, sizeOf } from '../array/ndarray';
import { PyTuple, PyValue, parsePyLiteral } from './pyliteral';
import { ByteSource, checkRange, readPieces } from '../io/source';
import { ArrayEntry, LoadOptions, checkLimit, chunkSize } from './entry';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Headers larger than this are refused (NumPy's own default limit is 10,000 bytes). */
export const NPY_MAX_HEADER = 1 << 20;

export interface NpyHeader {
  version: [number, number];
  dtype: DType;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** byte offset of the first element. */
  dataOffset: number;
  /** bytes of element data the header promises. */
  dataLength: number;
}

const KIND: Record<string, Partial<Record<number, DType>>> = {
  b: { 1: 'bool' },
  i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
  u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
  f: { 2: 'float16', 4: 'float32', 8: 'float64' },
  c: { 8: 'complex64', 16: 'complex128' },
};

/** Maps a NumPy type string (`<f8`, `|u1`, `>c16`) to a dtype and byte order. */
export function parseDescr(descr: string): { dtype: DType; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)(.*)$/.exec(descr);
  if (!m) throw new LensError(`unsupported dtype ${JSON.stringify(descr)}`, 'unsupported');
  const [, order, kind, sizeText, rest] = m;
  if (kind === 'O') {
    throw new LensError(
      'object arrays are stored with pickle, and loading them would run code from the file; Matrix Lens refuses them (save numeric arrays instead)',
      'unsupported',
    );
  }
  const dtype = rest === '' ? KIND[kind]?.[Number(sizeText)] : undefined;
  if (!dtype) {
    const what: Record<string, string> = {
      U: 'unicode string',
      S: 'byte string',
      a: 'byte string',
      V: 'void/raw',
      M: 'datetime',
      m: 'timedelta',
    };
    throw new LensError(
      `unsupported dtype ${JSON.stringify(descr)}${what[kind] ? ` (${what[kind]})` : ''}: only bool, integer, float and complex arrays can be shown`,
      'unsupported',
    );
  }
  // '>' is big-endian; '<', '|' (not applicable) and '=' (native, little on every platform we run on) read as little.
  return { dtype, littleEndian: order !== '>' || itemSize(dtype) === 1 };
}

/** Length of the prefix needed to parse the header, or undefined if `prefix` is too short to tell. */
export function npyHeaderEnd(prefix: Uint8Array): number | undefined {
  if (prefix.length < 10) return undefined;
  const major = prefix[6];
  if (major === 1) return 10 + (prefix[8] | (prefix[9] << 8));
  if (prefix.length < 12) return undefined;
  return 12 + (prefix[8] | (prefix[9] << 8) | (prefix[10] << 16)) + prefix[11] * 2 ** 24;
}

/**
 * The magic and the version bytes: a file that starts like the magic but ends before the
 * header length (`\\x93NUMPY` alone) is truncated, not "missing the magic".
 */
function checkMagic(first: Uint8Array): void {
  const n = Math.min(first.length, NPY_MAGIC.length);
  if (n === 0 || NPY_MAGIC.slice(0, n).some((b, i) => first[i] !== b))
    throw new LensError('not a .npy file (missing the \\x93NUMPY magic)');
  if (first.length < 10)
    throw new LensError(
      `file is truncated: ${first.length} bytes, ends before the .npy header length`,
    );
}

/**
 * Parses the header from the first bytes of a file. `prefix` must hold the whole header
 * (see {@link npyHeaderEnd}); `fileSize` is the total size, used to check the data is all there.
 */
export function parseNpyHeader(prefix: Uint8Array, fileSize: number): NpyHeader {
  checkMagic(prefix);
  const major = prefix[6];
  const minor = prefix[7];
  if (major < 1 || major > 3 || minor !== 0) {
    throw new LensError(
      `unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are supported)`,
      'unsupported',
    );
  }
  const end = npyHeaderEnd(prefix);
  const start = major === 1 ? 10 : 12;
  if (end === undefined || end > fileSize)
    throw new LensError('file is truncated inside its header');
  if (end - start > NPY_MAX_HEADER)
    throw new LensError(
      `header of ${end - start} bytes is larger than the ${NPY_MAX_HEADER}-byte limit`,
      'too-large',
    );
  if (prefix.length < end) throw new LensError('file is truncated inside its header');
  const raw = prefix.subarray(start, end);
  const text = major === 3 ? new TextDecoder('utf-8', { fatal: false }).decode(raw) : latin1(raw);
  const dict = parsePyLiteral(text.trim());
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict) || dict instanceof PyTuple) {
    throw new LensError('header is not a dictionary');
  }
  const d = dict as Record<string, PyValue>;
  for (const k of ['descr', 'fortran_order', 'shape']) {
    if (!(k in d)) throw new LensError(`header lacks the '${k}' key`);
  }
  const descr = d.descr;
  if (Array.isArray(descr)) {
    const fields = descr.map((f) =>
      f instanceof PyTuple && typeof f.items[0] === 'string' ? f.items[0] : '?',
    );
    throw new LensError(
      `structured dtype with fields ${fields.map((f) => `'${f}'`).join(', ')} is not supported: save each field as its own array`,
      'unsupported',
    );
  }
  if (typeof descr !== 'string') throw new LensError("header 'descr' is not a string");
  const { dtype, littleEndian } = parseDescr(descr);
  if (typeof d.fortran_order !== 'boolean')
    throw new LensError("header 'fortran_order' is not True/False");
  const shapeValue = d.shape;
  const items =
    shapeValue instanceof PyTuple
      ? shapeValue.items
      : Array.isArray(shapeValue)
        ? shapeValue
        : undefined;
  if (!items) throw new LensError("header 'shape' is not a tuple");
  const shape = items.map((v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new LensError(`header 'shape' has an invalid dimension ${String(v)}`);
    return v;
  });
  if (shape.length > 32)
    throw new LensError(`array has ${shape.length} dimensions (NumPy allows at most 32)`);
  const count = sizeOf(shape);
  const dataLength = count * itemSize(dtype);
  if (!Number.isSafeInteger(dataLength))
    throw new LensError(`shape (${shape.join(', ')}) is too large`, 'too-large');
  if (end + dataLength > fileSize) {
    throw new LensError(
      `file is truncated: shape (${shape.join(', ')}) of ${dtype} needs ${dataLength} bytes of data, the file has ${Math.max(0, fileSize - end)}`,
    );
  }
  return {
    version: [major, minor],
    dtype,
    littleEndian,
    fortranOrder: d.fortran_order,
    shape,
    dataOffset: end,
    dataLength,
  };
}

/** Reads a whole `.npy` held in memory. Element bytes are a view into `bytes`, not a copy. */
export function readNpy(bytes: Uint8Array): RawArray & { header: NpyHeader } {
  const header = parseNpyHeader(bytes, bytes.length);
  return {
    header,
    dtype: header.dtype,
    shape: header.shape,
    fortranOrder: header.fortranOrder,
    littleEndian: header.littleEndian,
    bytes: bytes.subarray(header.dataOffset, header.dataOffset + header.dataLength),
  };
}

/** The bytes that make up a .npy header: magic, version, length and the header text. */
export async function readNpyHeader(source: ByteSource): Promise<NpyHeader> {
  const first = await source.read(0, Math.min(source.size, 12));
  checkMagic(first);
  const end = npyHeaderEnd(first);
  if (end === undefined || end > source.size)
    throw new LensError('file is truncated inside its header');
  if (end > NPY_MAX_HEADER + 12) {
    throw new LensError(
      `header of ${end} bytes is larger than the ${NPY_MAX_HEADER}-byte limit`,
      'too-large',
    );
  }
  return parseNpyHeader(await source.read(0, end), source.size);
}

/** An opened .npy: the header, and the element data on demand. */
export interface NpyFile extends ArrayEntry {
  header: NpyHeader;
  /** `byteLength` bytes of element data starting `byteOffset` bytes into the data. */
  readRange(byteOffset: number, byteLength: number): Promise<Uint8Array>;
}

/** Reads only the header of the .npy in `source`; element data is read when asked for. */
export async function openNpy(source: ByteSource, name = ''): Promise<NpyFile> {
  return npyEntry(source, await readNpyHeader(source), name);
}

/** An {@link NpyFile} over an already parsed header. */
export function npyEntry(source: ByteSource, header: NpyHeader, name = ''): NpyFile {
  const { dtype, shape, fortranOrder, littleEndian, dataOffset, dataLength } = header;
  return {
    header,
    name,
    dtype,
    shape,
    fortranOrder,
    littleEndian,
    byteLength: dataLength,
    async load(opts?: LoadOptions): Promise<RawArray> {
      checkLimit(dataLength, opts);
      const bytes = await source.read(dataOffset, dataLength);
      return { dtype, shape, fortranOrder, littleEndian, bytes };
    },
    chunks(opts) {
      return readPieces(source, dataOffset, dataLength, chunkSize(dtype, opts), itemSize(dtype));
    },
    readRange(byteOffset: number, byteLength: number): Promise<Uint8Array> {
      checkRange({ size: dataLength }, byteOffset, byteLength);
      return source.read(dataOffset + byteOffset, byteLength);
    },
  };
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}
