/**
 * A {@link ByteSource} over a file on disk: positioned reads through one open handle,
 * never the whole file at once. Shared by the worker and the CLI.
 */
import { constants } from 'node:fs';
import { open, FileHandle } from 'node:fs/promises';
import { ByteSource, checkRange } from '../core/io/source';
import { LensError } from '../core/errors';

/** Largest single `read` syscall we issue (Node refuses reads of 2 GiB or more). */
const MAX_READ = 64 << 20;

export class FileSource implements ByteSource {
  private closed = false;
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** Opens `path` for reading; errors are LensErrors without the path (callers add it). */
  static async open(path: string | Buffer): Promise<FileSource> {
    let handle: FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO (or a device) must not block before the regular-file
      // check below can refuse it (a FIFO named x.npy used to hang the CLI and the worker);
      // reads from a regular file ignore the flag
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      throw fsError('cannot open', e);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile())
        throw new LensError(
          `not a regular file (${st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a directory' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'special file'})`,
        );
      return new FileSource(handle, st.size);
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e instanceof LensError ? e : fsError('cannot read', e);
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (this.closed) throw new LensError('file was closed');
    checkRange(this, offset, length);
    let out: Uint8Array;
    try {
      out = new Uint8Array(length);
    } catch {
      throw new LensError(`cannot allocate ${length} bytes`, 'too-large');
    }
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        ({ bytesRead: n } = await this.handle.read(
          out,
          done,
          Math.min(MAX_READ, length - done),
          offset + done,
        ));
      } catch (e) {
        throw fsError('cannot read', e);
      }
      if (n === 0) throw new LensError('file shrank while it was being read');
      done += n;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
  }
}

function fsError(what: string, e: unknown): LensError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const reason: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    EPERM: 'operation not permitted',
  };
  return new LensError(
    `${what}: ${(code && reason[code]) ?? 'I/O error'}${code ? ` (${code})` : ''}`,
  );
}
