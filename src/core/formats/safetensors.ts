/**
 * Hugging Face `.safetensors`: an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`, then the
 * tensors' bytes (little-endian, C order). Listing reads only the header.
 * Reference: https://github.com/huggingface/safetensors (format description in README).
 */
import { DType, itemSize } from '../array/dtype';
import { RawArray, sizeOf } from '../array/ndarray';
import { LensError } from '../errors';
import { elide, quoteName } from '../text';
import { ByteSource, readPieces } from '../io/source';
import { ArrayEntry, ArrayFile, ChunkOptions, LoadOptions, checkLimit, chunkSize } from './entry';

/** Headers larger than this are refused (the reference implementation uses 100 MB too). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

const DTYPES: Record<string, DType> = {
  BOOL: 'bool',
  U8: 'uint8',
  I8: 'int8',
  U16: 'uint16',
  I16: 'int16',
  U32: 'uint32',
  I32: 'int32',
  U64: 'uint64',
  I64: 'int64',
  F16: 'float16',
  BF16: 'bfloat16',
  F32: 'float32',
  F64: 'float64',
  F8_E4M3: 'float8_e4m3fn',
  F8_E5M2: 'float8_e5m2',
  C64: 'complex64',
};

/** Our dtype name for a safetensors dtype string, or a LensError. */
export function safetensorsDType(name: string): DType {
  const d = Object.prototype.hasOwnProperty.call(DTYPES, name) ? DTYPES[name] : undefined;
  if (!d)
    throw new LensError(
      `unsupported safetensors dtype ${JSON.stringify(name).slice(0, 40)}`,
      'unsupported',
    );
  return d;
}

/** A valid header nests 3 deep: {name: {shape: [..]}} and {"__metadata__": {key: "…"}}. */
export const SAFETENSORS_MAX_DEPTH = 3;
/** Most tensors (and metadata keys) a header may list. */
export const SAFETENSORS_MAX_ENTRIES = 1_000_000;

/**
 * One linear pass over the header's bytes, before any parsing: nesting deeper than a
 * safetensors header ever has, or more entries than the cap, is refused at the byte where it
 * happens, in constant memory.
 */
export function checkHeaderShape(b: Uint8Array): void {
  let depth = 0;
  let inString = false;
  let topEntries = 0;
  let metaOrTensorEntries = 0;
  let sawTop = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth === 0 && sawTop) throw new LensError('header holds more than one JSON value');
      sawTop = true;
      if (++depth > SAFETENSORS_MAX_DEPTH)
        throw new LensError(
          `header nests more than ${SAFETENSORS_MAX_DEPTH} levels deep (at byte ${8 + i}); a safetensors header never does`,
        );
      if (depth === 1 && c !== 0x7b) throw new LensError('header is not a JSON object');
      if (depth === 2) metaOrTensorEntries = 0;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (--depth < 0)
        throw new LensError(`header is not valid JSON (unbalanced at byte ${8 + i})`);
    } else if (c === 0x3a /* : */) {
      if (depth === 1 && ++topEntries > SAFETENSORS_MAX_ENTRIES)
        throw new LensError(
          `header lists more than ${SAFETENSORS_MAX_ENTRIES} tensors`,
          'too-large',
        );
      if (depth === 2 && ++metaOrTensorEntries > SAFETENSORS_MAX_ENTRIES)
        throw new LensError(
          `header has an object with more than ${SAFETENSORS_MAX_ENTRIES} keys`,
          'too-large',
        );
    }
  }
}

/** A JSON value for a message: short, never recursing into a deep value. */
function describeJson(v: unknown): string {
  if (Array.isArray(v)) return `[… ${v.length} items]`;
  if (typeof v === 'object' && v !== null) return '{…}';
  if (typeof v === 'string') return quoteName(v, 40);
  return elide(String(v), 40);
}

export interface SafetensorsEntry extends ArrayEntry {
  /** absolute byte offset of the tensor's data in the file. */
  offset: number;
}

/**
 * One tensor: its fields and two methods on the prototype (closures per entry cost ~200 bytes
 * each, 200 MB for a header listing 10⁶ tensors).
 */
class SafetensorsTensor implements SafetensorsEntry {
  readonly fortranOrder = false;
  readonly littleEndian = true;
  constructor(
    private readonly source: ByteSource,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: number[],
    readonly offset: number,
    readonly byteLength: number,
  ) {}

  async load(opts?: LoadOptions): Promise<RawArray> {
    checkLimit(this.byteLength, opts);
    return {
      dtype: this.dtype,
      shape: this.shape,
      fortranOrder: false,
      littleEndian: true,
      bytes: await this.source.read(this.offset, this.byteLength),
    };
  }

  chunks(opts?: ChunkOptions): AsyncIterable<Uint8Array> {
    return readPieces(
      this.source,
      this.offset,
      this.byteLength,
      chunkSize(this.dtype, opts),
      itemSize(this.dtype),
    );
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipWs(b: Uint8Array, i: number): number {
  while (i < b.length && WS.has(b[i])) i++;
  return i;
}

/**
 * The end (exclusive) of the JSON value starting at `i` inside an object: the first `,` or
 * `}` outside strings and brackets. Nesting is already bounded by checkHeaderShape.
 */
function valueEnd(b: Uint8Array, i: number): number {
  let depth = 0;
  for (; i < b.length; i++) {
    const c = b[i];
    if (c === 0x22) {
      for (i++; i < b.length && b[i] !== 0x22; i++) if (b[i] === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return i;
      depth--;
    } else if (c === 0x2c && depth === 0) return i;
  }
  return i;
}

/**
 * The top-level members of a header, each value parsed on its own (UTF-8 checked, JSON.parse),
 * in constant memory beyond the member being read. Errors name the byte (counted from the
 * file's start).
 */
export function* headerMembers(b: Uint8Array): Generator<{ name: string; value: unknown }> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const bad = (at: number, why = ''): LensError =>
    new LensError(`header is not valid JSON (at byte ${8 + at}${why ? `: ${why}` : ''})`);
  const parse = (from: number, to: number): unknown => {
    let text: string;
    try {
      text = utf8.decode(b.subarray(from, to));
    } catch {
      throw new LensError(`header is not valid UTF-8 (between bytes ${8 + from} and ${8 + to})`);
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw bad(from, e instanceof Error ? e.message.split('\n')[0].slice(0, 120) : '');
    }
  };
  let i = skipWs(b, 0);
  if (b[i] !== 0x7b) throw new LensError('header is not a JSON object');
  i = skipWs(b, i + 1);
  if (b[i] === 0x7d) i++;
  else
    for (;;) {
      if (b[i] !== 0x22) throw bad(i, 'expected a name');
      const keyStart = i;
      for (i++; i < b.length && b[i] !== 0x22; i++) if (b[i] === 0x5c) i++;
      if (i >= b.length) throw bad(keyStart, 'unterminated string');
      const name = parse(keyStart, ++i) as string;
      i = skipWs(b, i);
      if (b[i] !== 0x3a) throw bad(i, "expected ':'");
      const valueStart = skipWs(b, i + 1);
      i = valueEnd(b, valueStart);
      if (i >= b.length) throw bad(valueStart, 'unterminated value');
      yield { name, value: parse(valueStart, i) };
      if (b[i] === 0x7d) {
        i++;
        break;
      }
      i = skipWs(b, i + 1);
    }
  if (skipWs(b, i) !== b.length) throw bad(i, 'text after the header object');
}

/** Reads and validates the header; tensors' bytes are read when asked for. */
export async function openSafetensors(
  source: ByteSource,
): Promise<Omit<ArrayFile, 'entries'> & { entries: SafetensorsEntry[] }> {
  if (source.size < 8)
    throw new LensError('file is truncated: too short for the 8-byte header length');
  const lenBytes = await source.read(0, 8);
  const big = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (big > BigInt(SAFETENSORS_MAX_HEADER)) {
    throw new LensError(
      `header length ${big} is larger than the ${SAFETENSORS_MAX_HEADER}-byte limit`,
      'too-large',
    );
  }
  const n = Number(big);
  if (8 + n > source.size)
    throw new LensError(
      `file is truncated: header of ${n} bytes, file has ${source.size - 8} after the length`,
    );
  if (n < 2) throw new LensError('header is empty');
  const headerBytes = await source.read(8, n);
  // structure first, in one pass over the bytes: JSON.parse of 98 MB nested 100k deep took
  // 37 s and 4.9 GB, and JSON.stringify of a deep value in a message overflowed the stack
  checkHeaderShape(headerBytes);
  const base = 8 + n;
  const dataSize = source.size - base;
  let metadata: Record<string, string> | undefined;
  const entries: SafetensorsTensor[] = [];
  const names = new Set<string>();
  // member by member: JSON.parse of the whole header built a tree of 10⁶ objects beside the
  // entries (1.3 GB and 20 s for 10⁶ empty tensors); each member's value is parsed alone
  for (const { name, value: v } of headerMembers(headerBytes)) {
    if (names.has(name)) throw new LensError(`header lists ${quoteName(name)} twice`);
    names.add(name);
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw new LensError("'__metadata__' is not an object");
      metadata = Object.create(null) as Record<string, string>;
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string')
          throw new LensError(`'__metadata__' value for ${quoteName(k)} is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    const what = (): string => `tensor ${quoteName(name)}`;
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new LensError(`${what()} is not an object`);
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t.dtype !== 'string') throw new LensError(`${what()} has no dtype`);
    const dtype = safetensorsDType(t.dtype);
    if (!Array.isArray(t.shape)) throw new LensError(`${what()} has no shape`);
    if (t.shape.length > 64) throw new LensError(`${what()} has ${t.shape.length} dimensions`);
    const shape = t.shape as unknown[];
    for (const d of shape)
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
        throw new LensError(`${what()} has an invalid dimension ${describeJson(d)}`);
    const o = t.data_offsets;
    if (
      !Array.isArray(o) ||
      o.length !== 2 ||
      !o.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
    ) {
      throw new LensError(`${what()} has invalid data_offsets`);
    }
    const [begin, end] = o as number[];
    if (begin > end)
      throw new LensError(`${what()} has data_offsets [${begin}, ${end}] that run backwards`);
    const need = sizeOf(shape as number[]) * itemSize(dtype);
    if (!Number.isSafeInteger(need))
      throw new LensError(`${what()} shape [${elide(shape.join(', '))}] is too large`, 'too-large');
    if (end - begin !== need) {
      throw new LensError(
        `${what()} is ${quoteName(t.dtype)}[${elide(shape.join(', '))}] (${need} bytes) but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    if (end > dataSize)
      throw new LensError(
        `file is truncated: ${what()} ends at byte ${end} of a data section of ${dataSize}`,
      );
    entries.push(new SafetensorsTensor(source, name, dtype, shape as number[], base + begin, need));
  }
  names.clear();
  entries.sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  let at = base;
  for (const t of entries) {
    if (t.offset < at)
      throw new LensError(`tensor ${quoteName(t.name)} overlaps the tensor before it`);
    if (t.offset > at)
      throw new LensError(
        `data section has a gap of ${t.offset - at} bytes before tensor ${quoteName(t.name)}`,
      );
    at = t.offset + t.byteLength;
  }
  if (at !== source.size)
    throw new LensError(`data section has ${source.size - at} bytes that no tensor covers`);
  return metadata
    ? { format: 'safetensors', metadata, entries }
    : { format: 'safetensors', entries };
}
