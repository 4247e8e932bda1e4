/**
 * Opening arrays in the worker. Files are opened through a {@link FileSource} (positioned
 * reads, never the whole file) and {@link openArrayFile}, which reads headers only; an
 * array's bytes are read when it is first shown, and kept (a small LRU) so that slicing and
 * zooming do not re-read the file. Opened files are cached by path + size + mtime and their
 * handles closed when they fall out of the cache or are released.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RawArray, byteLength, formatBytes, sizeOf } from '../core/array/ndarray';
import { DType, isComplex } from '../core/array/dtype';
import { decodeRun } from '../core/array/decode';
import { LensError, isLensError } from '../core/errors';
import { ArrayEntry, ArrayFile, openArrayFile } from '../core/formats/open';
import { findEntry } from '../core/formats/findEntry';
import { computeEntryStats } from '../core/formats/entryStats';
import { ParsedArray, parseArrayText } from '../core/formats/selection';
import { MemorySource } from '../core/io/source';
import { Stats, computeStats, summaryLine } from '../core/stats/summary';
import { Pooling, defaultSlice, extractSlice } from '../core/view/slice2d';
import { windowCsv } from '../core/view/csv';
import { CellWindow, clampCellWindow, isWholeSlice } from '../core/view/cellWindow';
import { FileSource } from '../node/fileSource';
import {
  PREVIEW_CELLS,
  type ArrayListing,
  type ArraySource,
  type ArrayView,
  type HeatmapData,
} from '../protocol/common';
import type {
  CsvParams,
  CsvResult,
  InspectTextParams,
  OpenArrayParams,
  SliceParams,
  SummaryValuesParams,
} from '../protocol/worker';
import { SUMMARY_CHUNK_VALUES } from '../protocol/compute';

/** An opened file: its listing plus the handle its arrays are read through. */
export interface OpenFile {
  key: string;
  stamp: string;
  file: ArrayFile;
  close(): Promise<void>;
}

interface Held {
  raw: RawArray;
  stats?: Stats;
  /** the time computing `stats` took, ms (on this thread) */
  statsMs?: number;
  /** the dtype to show (a parsed selection is held as float64/complex128 values). */
  dtype: DType;
}

/** files kept open at once. */
const FILES = 3;
/** loaded arrays kept, and their total size (the newest one is always kept). */
const RAWS = 4;
const RAW_BYTES = 2 ** 31;
const HELD = 4;

const files = new Map<string, OpenFile>();
const raws = new Map<string, Held>();
const held = new Map<string, Held>();

function touch<K, V>(m: Map<K, V>, k: K, v: V): V {
  m.delete(k);
  m.set(k, v);
  return v;
}

function dropFile(key: string): void {
  const f = files.get(key);
  if (!f) return;
  files.delete(key);
  void f.close();
  for (const k of [...raws.keys()]) if (k.startsWith(`${key}\0`)) raws.delete(k);
}

/** Opens (or reuses) the file behind `source`; reads headers only. */
export async function openFile(source: ArraySource): Promise<OpenFile> {
  if ('held' in source) throw new LensError('not a file');
  if ('path' in source) {
    const st = await stat(source.path).catch((e: NodeJS.ErrnoException) => {
      throw new LensError(
        `cannot read the file (${e.code === 'ENOENT' ? 'no such file' : (e.code ?? 'I/O error')})`,
      );
    });
    const key = `path:${source.path}`;
    const stamp = `${st.size}:${st.mtimeMs}`;
    const hit = files.get(key);
    if (hit && hit.stamp === stamp) return touch(files, key, hit);
    if (hit) dropFile(key);
    const fs = await FileSource.open(source.path);
    // the shards of a sharded checkpoint index are sibling files, closed with it
    const shards: FileSource[] = [];
    const closeAll = async () => {
      await fs.close();
      for (const s of shards) await s.close();
    };
    const openSibling = async (name: string) => {
      const s = await FileSource.open(join(dirname(source.path), name));
      shards.push(s);
      return s;
    };
    let file: ArrayFile;
    try {
      file = await openArrayFile(basename(source.path), fs, { openSibling });
    } catch (e) {
      await closeAll();
      throw e;
    }
    return remember({ key, stamp, file, close: closeAll });
  }
  const key = `bytes:${source.key ?? `${source.name}:${source.bytes.length}:${Math.random()}`}`;
  const hit = files.get(key);
  if (hit) return touch(files, key, hit);
  const file = await openArrayFile(source.name, new MemorySource(source.bytes));
  return remember({ key, stamp: '', file, close: () => Promise.resolve() });
}

function remember(f: OpenFile): OpenFile {
  files.set(f.key, f);
  while (files.size > FILES) dropFile(files.keys().next().value as string);
  return f;
}

/** Forgets `source` (closes its handle); a held selection is dropped too. */
export function release(source: ArraySource): void {
  if ('held' in source) held.delete(source.held);
  else if ('path' in source) dropFile(`path:${source.path}`);
  else if (source.key) dropFile(`bytes:${source.key}`);
}

export function listingOf(f: OpenFile): ArrayListing {
  return {
    fileFormat: f.file.format,
    entries: f.file.entries.map((e) => ({
      name: e.name,
      dtype: e.dtype,
      shape: e.shape,
      byteLength: e.byteLength,
    })),
    ...(f.file.metadata ? { metadata: { ...f.file.metadata } } : {}),
  };
}

/** The array `member` of `source` (the first when undefined), read (once) within `maxBytes`. */
export async function loadArray(
  source: ArraySource,
  member: string | undefined,
  maxBytes: number,
): Promise<Held & { entry?: ArrayEntry }> {
  if ('held' in source) {
    const h = held.get(source.held);
    if (!h)
      throw new LensError(
        'the inspected selection is no longer available: run Inspect Selection again',
      );
    return h;
  }
  const f = await openFile(source);
  const entry = findEntry(f.file, member);
  const key = `${f.key}\0${entry.name}`;
  const hit = raws.get(key);
  // a smaller limit set since it was read still applies
  if (hit && entry.byteLength <= maxBytes) return { ...touch(raws, key, hit), entry };
  const raw = await entry.load({ maxBytes });
  const h: Held = { raw, dtype: raw.dtype };
  raws.set(key, h);
  let total = 0;
  for (const v of raws.values()) total += v.raw.bytes.length;
  while (raws.size > 1 && (raws.size > RAWS || total > RAW_BYTES)) {
    const oldest = raws.keys().next().value as string;
    total -= raws.get(oldest)!.raw.bytes.length;
    raws.delete(oldest);
  }
  return { ...h, entry };
}

type Tick = (fraction?: number) => void;

/** `stats` of `raw`, timed (one thread: this worker's). */
function timedStats(raw: RawArray, onChunk: (done: number) => void): { stats: Stats; ms: number } {
  const t0 = performance.now();
  const stats = computeStats(raw, onChunk);
  return { stats, ms: performance.now() - t0 };
}

export function heatmapOf(
  raw: RawArray,
  p: Pick<SliceParams, 'rowAxis' | 'colAxis' | 'indices' | 'window' | 'maxCells' | 'pooling'>,
): HeatmapData {
  const nd = raw.shape.length;
  const validAxis = (a: number) => Number.isInteger(a) && a >= -1 && a < nd;
  if (
    !validAxis(p.rowAxis) ||
    !validAxis(p.colAxis) ||
    (p.rowAxis === p.colAxis && p.rowAxis >= 0)
  ) {
    throw new LensError(`rows and columns must be two different axes of the ${nd}-D array`);
  }
  const fullRows = p.rowAxis >= 0 ? raw.shape[p.rowAxis] : 1;
  const fullCols = p.colAxis >= 0 ? raw.shape[p.colAxis] : 1;
  const indices = raw.shape.map((_, i) =>
    i === p.rowAxis || i === p.colAxis ? 0 : (p.indices[i] ?? 0),
  );
  const window = p.window ? clampWindow(p.window, fullRows, fullCols) : undefined;
  const s = extractSlice(
    raw,
    { rowAxis: p.rowAxis, colAxis: p.colAxis, indices },
    p.maxCells,
    p.pooling,
    window,
  );
  let min = Infinity;
  let max = -Infinity;
  for (const v of s.values) {
    if (v - v === 0) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const finite = min <= max;
  return {
    rows: s.rows,
    cols: s.cols,
    fullRows: s.fullRows,
    fullCols: s.fullCols,
    rowAxis: p.rowAxis,
    colAxis: p.colAxis,
    indices,
    sliceLabel: s.sliceLabel,
    rowStep: s.rowStep,
    colStep: s.colStep,
    row0: window?.row0 ?? 0,
    col0: window?.col0 ?? 0,
    min: finite ? min : null,
    max: finite ? max : null,
    pooling: p.pooling,
    ...(window ? { window } : {}),
    values: s.values,
  };
}

/** `w` clamped to the slice; undefined when that is the whole slice. */
function clampWindow(w: CellWindow, rows: number, cols: number): CellWindow | undefined {
  const c = clampCellWindow(w, rows, cols);
  return isWholeSlice(c, rows, cols) ? undefined : c;
}

function viewOf(
  name: string,
  fileFormat: string,
  dtype: DType,
  raw: Pick<RawArray, 'shape' | 'fortranOrder'>,
  stats: Stats,
  heatmap: HeatmapData | null,
): ArrayView {
  return {
    fileFormat,
    entries: [],
    name,
    shape: raw.shape,
    dtype,
    fortranOrder: raw.fortranOrder,
    byteLength: byteLength(dtype, raw.shape),
    stats,
    summary: summaryLine(dtype, raw.shape, stats),
    heatmap,
  };
}

/**
 * Summary + first heatmap of one array of a file. An array over `maxBytes` is not loaded:
 * its statistics are streamed from the file and `notice` says why there is no heatmap.
 */
export async function openArrayView(p: OpenArrayParams, tick: Tick): Promise<ArrayView> {
  const f = await openFile(p.source);
  const entry = findEntry(f.file, p.member);
  const listing = listingOf(f);
  const extra = {
    entries: listing.entries,
    ...(listing.metadata ? { metadata: listing.metadata } : {}),
  };
  if (entry.byteLength > p.maxBytes) {
    let notice = `array of ${formatBytes(entry.byteLength)} is over matrixLens.maxArrayBytes`;
    try {
      await entry.load({ maxBytes: p.maxBytes }); // throws the 'too-large' LensError before reading
    } catch (e) {
      if (!isLensError(e)) throw e;
      notice = e.message;
    }
    const t0 = performance.now();
    const stats = await computeEntryStats(entry, (done) => tick(done));
    const computed = { ms: performance.now() - t0, threads: 1, streamed: true };
    const view = viewOf(entry.name, f.file.format, entry.dtype, entry, stats, null);
    return {
      ...view,
      ...extra,
      computed,
      notice: `${notice}: the heatmap is not drawn (the summary was computed by streaming the file)`,
    };
  }
  const h = await loadArray(p.source, p.member, p.maxBytes);
  tick(0.05);
  if (!h.stats) {
    const t = timedStats(h.raw, (done) => tick(0.05 + 0.85 * done));
    h.stats = t.stats;
    h.statsMs = t.ms;
  }
  const heatmap = heatmapOf(h.raw, {
    ...defaultSlice(h.raw.shape),
    maxCells: p.maxCells,
    pooling: p.pooling,
  });
  const view = viewOf(entry.name, f.file.format, h.dtype, h.raw, h.stats, heatmap);
  const preview = previewOf(heatmap, p.pooling);
  const computed = { ms: h.statsMs ?? 0, threads: 1 };
  return { ...view, ...extra, computed, ...(preview ? { preview } : {}) };
}

/**
 * A coarse heatmap of at most {@link PREVIEW_CELLS} cells pooled from the drawn one (the page
 * paints it first), or undefined when the drawn one is small enough to send at once. Blocks at
 * the far edges pool fewer drawn cells than the others; the full level replaces it at once.
 */
export function previewOf(h: HeatmapData, pooling: Pooling = 'mean'): HeatmapData | undefined {
  if (h.rows * h.cols <= PREVIEW_CELLS || h.window) return undefined;
  const v = h.values;
  const raw: RawArray = {
    dtype: v instanceof Float64Array ? 'float64' : 'float32',
    shape: [h.rows, h.cols],
    fortranOrder: false,
    littleEndian: new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f,
    bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
  };
  const s = extractSlice(raw, { rowAxis: 0, colAxis: 1, indices: [0, 0] }, PREVIEW_CELLS, pooling);
  let min = Infinity;
  let max = -Infinity;
  for (const x of s.values)
    if (x - x === 0) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
  return {
    ...h,
    rows: s.rows,
    cols: s.cols,
    rowStep: h.rowStep * s.rowStep,
    colStep: h.colStep * s.colStep,
    pooling,
    min: min <= max ? min : null,
    max: min <= max ? max : null,
    values: s.values,
  };
}

export async function sliceView(p: SliceParams): Promise<HeatmapData> {
  const h = await loadArray(p.source, p.member, p.maxBytes);
  return heatmapOf(h.raw, p);
}

/** Parsed array text as an array in memory (float64 or complex128 values, C order). */
export function rawOfParsed(parsed: ParsedArray): RawArray {
  const complex = parsed.dtype === 'complex64' || parsed.dtype === 'complex128';
  const v = parsed.values;
  return {
    dtype: complex ? 'complex128' : 'float64',
    shape: parsed.shape,
    fortranOrder: false,
    littleEndian: new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f,
    bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
  };
}

/** Parses selected text, keeps the array under `p.key`, and summarises it. */
export function inspectText(p: InspectTextParams, tick: Tick): ArrayView {
  const parsed = parseArrayText(p.text);
  const raw = rawOfParsed(parsed);
  const { stats, ms } = timedStats(raw, (done) => tick(done));
  touch(held, p.key, { raw, stats, statsMs: ms, dtype: parsed.dtype });
  while (held.size > HELD) held.delete(held.keys().next().value as string);
  const heatmap = heatmapOf(raw, {
    ...defaultSlice(raw.shape),
    maxCells: p.maxCells,
    pooling: p.pooling,
  });
  return {
    ...viewOf('', 'selection', parsed.dtype, raw, stats, heatmap),
    computed: { ms, threads: 1 },
  };
}

/**
 * Values [start, start + count) of an opened array (C-buffer order; a summary does not care
 * about the order) as float32, |z| for complex ones: one chunk of the page's GPU summary.
 */
export async function summaryValues(p: SummaryValuesParams): Promise<Float32Array> {
  const h = await loadArray(p.source, p.member, p.maxBytes);
  const n = sizeOf(h.raw.shape);
  const { start, count } = p;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(count) ||
    start < 0 ||
    count < 0 ||
    start + count > n
  )
    throw new LensError(`values ${start}…${start + count} are outside the array's ${n}`);
  if (count > SUMMARY_CHUNK_VALUES)
    throw new LensError(`a chunk of ${count} values is over ${SUMMARY_CHUNK_VALUES}`);
  const complex = isComplex(h.raw.dtype);
  const buf = new Float64Array(count * (complex ? 2 : 1));
  decodeRun(h.raw, start, count, buf);
  const out = new Float32Array(count);
  if (complex) for (let i = 0; i < count; i++) out[i] = Math.hypot(buf[2 * i], buf[2 * i + 1]);
  else out.set(buf);
  return out;
}

export type { Pooling };

/** A full-resolution window of a slice as CSV (heatmap export). */
export async function csvView(p: CsvParams): Promise<CsvResult> {
  const h = await loadArray(p.source, p.member, p.maxBytes);
  const nd = h.raw.shape.length;
  const fullRows = p.rowAxis >= 0 ? h.raw.shape[p.rowAxis] : 1;
  const fullCols = p.colAxis >= 0 ? h.raw.shape[p.colAxis] : 1;
  if (p.rowAxis >= nd || p.colAxis >= nd)
    throw new LensError(`rows and columns must be axes of the ${nd}-D array`);
  const w = clampWindow(p.window, fullRows, fullCols) ?? {
    row0: 0,
    row1: fullRows,
    col0: 0,
    col1: fullCols,
  };
  const indices = h.raw.shape.map((_, i) =>
    i === p.rowAxis || i === p.colAxis ? 0 : (p.indices[i] ?? 0),
  );
  const text = windowCsv(
    h.raw,
    { rowAxis: p.rowAxis, colAxis: p.colAxis, indices },
    w,
    p.maxValues,
  );
  return { text, rows: w.row1 - w.row0, cols: w.col1 - w.col0 };
}
