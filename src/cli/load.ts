/**
 * Loading arrays for the CLI. `FILE#NAME` picks one member of a multi-array file; a file whose
 * own name holds `#` is written with `\#` (or given whole: a spec that names an existing file
 * is that file).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RawArray } from '../core/array/ndarray';
import { formatBytes } from '../core/array/ndarray';
import { LensError, isLensError } from '../core/errors';
import { ArrayEntry, ArrayFile, openArrayFile } from '../core/formats/open';
import { findEntry } from '../core/formats/findEntry';
import { escapeControl, elide, quoteName } from '../core/text';
import { FileSource } from '../node/fileSource';

/** Default for --max-bytes: largest array loaded whole (statistics stream and need none). */
export const DEFAULT_MAX_BYTES = 256 * 2 ** 20;

export interface NamedArray {
  /** member/tensor name; '' for a .npy */
  name: string;
  raw: RawArray;
}

/** A path for messages: one line, control characters escaped, very long paths elided. */
export function showPath(file: string): string {
  return escapeControl(elide(file, 400));
}

/** Re-throws LensErrors with `file: ` in front; anything else is a bug and passes through. */
export function prefixError(file: string, e: unknown): never {
  if (isLensError(e)) throw new LensError(`${showPath(file)}: ${e.message}`, (e as LensError).code);
  throw e;
}

/**
 * The path to open. Node decodes a command-line argument that is not UTF-8 into U+FFFD, so
 * such a file "does not exist"; when exactly one name in its folder decodes to the same
 * text, that name's raw bytes are used.
 */
export function resolvePath(file: string): string | Buffer {
  if (!file.includes('\ufffd') || existsSync(file)) return file;
  try {
    const dir = dirname(file);
    const want = basename(file);
    const hits = readdirSync(dir, { encoding: 'buffer' }).filter(
      (n) => n.toString('utf8') === want,
    );
    if (hits.length === 1) return Buffer.concat([Buffer.from(join(dir, '/')), hits[0]]);
  } catch {
    // fall through: the open reports the error
  }
  return file;
}

/**
 * Opens `file` (headers only), runs `use`, closes it. Errors are LensErrors whose message
 * starts with the file name.
 */
export async function withArrayFile<T>(
  file: string,
  use: (f: ArrayFile) => Promise<T>,
): Promise<T> {
  let source: FileSource | undefined;
  const shards: FileSource[] = [];
  const openSibling = async (name: string) => {
    const s = await FileSource.open(join(dirname(file), name));
    shards.push(s);
    return s;
  };
  try {
    source = await FileSource.open(resolvePath(file));
    return await use(await openArrayFile(file, source, { openSibling }));
  } catch (e) {
    return prefixError(file, e);
  } finally {
    await source?.close();
    for (const s of shards) await s.close();
  }
}

/** Loads an entry within `maxBytes` (refused from its header, before reading or inflating). */
export async function loadEntry(e: ArrayEntry, maxBytes: number): Promise<RawArray> {
  if (e.byteLength > maxBytes)
    throw new LensError(
      `${e.name ? `array ${quoteName(e.name)}: ` : ''}array of ${formatBytes(e.byteLength)} is larger than the --max-bytes limit of ${formatBytes(maxBytes)}`,
      'too-large',
    );
  return e.load({ maxBytes });
}

/** Splits `FILE#NAME` at the last `#` not written `\#`; `\#` stands for `#` in either part. */
export function splitSpec(spec: string): { file: string; name?: string } {
  if (existsSync(spec)) return { file: spec };
  for (let i = spec.length - 1; i > 0; i--) {
    if (spec[i] !== '#' || spec[i - 1] === '\\') continue;
    return { file: unescape(spec.slice(0, i)), name: unescape(spec.slice(i + 1)) };
  }
  return { file: unescape(spec) };
}

function unescape(s: string): string {
  return s.replace(/\\#/g, '#');
}

/** Parses a --max-bytes value (bytes, or with a K/M/G/T suffix, powers of 1024). */
export function parseMaxBytes(v: string | undefined): number {
  if (v === undefined) return DEFAULT_MAX_BYTES;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(v.trim());
  const unit = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
  const n = m ? Math.floor(Number(m[1]) * unit[m[2].toLowerCase() as keyof typeof unit]) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new LensError(
      `--max-bytes must be a positive size like 512M or 2G, got ${quoteName(v, 40)}`,
    );
  return n;
}

/** `FILE` or `FILE#NAME`: one array (the only one, or the named one). */
export async function loadArray(
  spec: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<NamedArray & { file: string }> {
  const { file, name } = splitSpec(spec);
  return withArrayFile(file, async (f) => {
    if (name === undefined && f.entries.length > 1)
      throw new LensError(`holds ${f.entries.length} arrays; pick one with FILE#NAME`);
    const pick = findEntry(f, name);
    return { name: pick.name, raw: await loadEntry(pick, maxBytes), file };
  });
}
