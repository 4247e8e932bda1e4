/**
 * A {@link ByteSource} that serves small reads from a few cached blocks of another source.
 * Listing an archive reads a local header and an npy header per member (three small reads):
 * over a file one syscall per read cost 60 s for 100k members; members are packed in order,
 * so one 64 KiB block holds the headers of hundreds of them.
 */
import { ByteSource, checkRange } from './source';

export class BlockCacheSource implements ByteSource {
  private readonly blocks = new Map<number, Uint8Array>();

  constructor(
    private readonly inner: ByteSource,
    private readonly blockSize = 64 << 10,
    private readonly maxBlocks = 16,
  ) {}

  get size(): number {
    return this.inner.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((offset + Math.max(0, length - 1)) / this.blockSize);
    // large reads (array data) go straight through: caching them would only copy
    if (length > this.blockSize || last - first > 1) return this.inner.read(offset, length);
    const out = new Uint8Array(length);
    let at = 0;
    for (let b = first; b <= last && at < length; b++) {
      const block = await this.block(b);
      const start = b * this.blockSize;
      const from = Math.max(offset, start) - start;
      const n = Math.min(block.length - from, length - at);
      out.set(block.subarray(from, from + n), at);
      at += n;
    }
    return out;
  }

  private async block(b: number): Promise<Uint8Array> {
    const hit = this.blocks.get(b);
    if (hit) {
      this.blocks.delete(b);
      this.blocks.set(b, hit); // most recently used last
      return hit;
    }
    const start = b * this.blockSize;
    const data = await this.inner.read(start, Math.min(this.blockSize, this.inner.size - start));
    if (this.blocks.size >= this.maxBlocks) this.blocks.delete(this.blocks.keys().next().value!);
    this.blocks.set(b, data);
    return data;
  }
}
