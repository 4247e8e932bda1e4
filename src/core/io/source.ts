/**
 * Random-access byte sources. Readers ask for ranges, never for "the whole file", so a
 * 2 GB file costs only what is actually read.
 */
import { LensError } from '../errors';

export interface ByteSource {
  /** total bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes starting at `offset`. Callers only ask for ranges inside
   * `[0, size)`; an implementation that cannot deliver them throws a LensError.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Bytes already in memory. `read` returns views, not copies. */
export class MemorySource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return Promise.resolve(this.bytes.subarray(offset, offset + length));
  }
}

/** A window `[start, start + size)` of another source. */
export class SliceSource implements ByteSource {
  constructor(
    private readonly inner: ByteSource,
    private readonly start: number,
    readonly size: number,
  ) {
    if (start < 0 || size < 0 || start + size > inner.size)
      throw new LensError('slice lies outside the file');
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.inner.read(this.start + offset, length);
  }
}

/** Throws a LensError unless `[offset, offset + length)` lies inside the source. */
export function checkRange(source: { size: number }, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > source.size
  ) {
    throw new LensError(
      `file is truncated: needs bytes ${offset}..${offset + length}, has ${source.size}`,
    );
  }
}

/** Default piece size for streaming reads. */
export const READ_CHUNK = 4 << 20;

/**
 * Reads `[offset, offset + length)` in pieces of at most `chunk` bytes (rounded down to a
 * multiple of `align`), yielding each piece.
 */
export async function* readPieces(
  source: ByteSource,
  offset: number,
  length: number,
  chunk = READ_CHUNK,
  align = 1,
): AsyncGenerator<Uint8Array> {
  checkRange(source, offset, length);
  const step = Math.max(align, chunk - (chunk % align));
  for (let p = 0; p < length; p += step) {
    yield await source.read(offset + p, Math.min(step, length - p));
  }
}
