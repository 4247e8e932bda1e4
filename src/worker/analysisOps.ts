/**
 * Issue 4's worker operations: matrix analysis (rank, SVD, norms, eigenvalues) and
 * scaled dot-product attention with diagnostics. Both report progress through
 * `control.tick`, which throws a 'cancelled' LensError once the host asks to stop, so a
 * Cancel lands within one progress interval (~50–100 ms) of the decomposition's loops.
 */
import { basename, dirname, join } from 'node:path';
import { toFloat64C } from '../core/array/decode';
import { DType, isComplex } from '../core/array/dtype';
import { RawArray, formatBytes } from '../core/array/ndarray';
import { LensError, errorMessage, isLensError } from '../core/errors';
import { openArrayFile } from '../core/formats/open';
import { parseArrayText } from '../core/formats/selection';
import { MemorySource } from '../core/io/source';
import type { ByteSource } from '../core/io/source';
import {
  Matrix,
  analyzeMatrix,
  attentionData,
  countNonFinite,
  sliceToMatrix,
} from '../core/linalg';
import { FileSource } from '../node/fileSource';
import type { AnalyzeParams, AnalyzeResult, ArrayRef } from '../protocol/messages';
import type { RequestControl } from './cancel';

export interface OpResult {
  result: unknown;
  transfer: ArrayBuffer[];
}

/** A short name for messages: the file's base name, plus `#member` when one was asked for. */
export function refLabel(ref: ArrayRef): string {
  const s = ref.source;
  const file = 'path' in s ? basename(s.path) : 'name' in s ? s.name : 'selection';
  return ref.member ? `${file}#${ref.member}` : file;
}

/** Loads one array of a file (headers first, then only that member's data). */
export async function loadRef(
  ref: ArrayRef,
  maxBytes: number,
): Promise<{ name: string; raw: RawArray }> {
  const s = ref.source;
  if ('held' in s)
    throw new LensError(
      'an inspected selection cannot be analyzed from here; select its text and run Analyze',
      'unsupported',
    );
  let source: ByteSource;
  let file: FileSource | undefined;
  if ('path' in s) source = file = await FileSource.open(s.path);
  else source = new MemorySource(s.bytes);
  const shards: FileSource[] = []; // a sharded index's shards, beside it
  const openSibling =
    'path' in s
      ? async (name: string) => {
          const f = await FileSource.open(join(dirname(s.path), name));
          shards.push(f);
          return f;
        }
      : undefined;
  try {
    const f = await openArrayFile('path' in s ? s.path : s.name, source, { openSibling });
    const entry =
      ref.member !== undefined ? f.entries.find((e) => e.name === ref.member) : f.entries[0];
    if (!entry) {
      if (ref.member !== undefined)
        throw new LensError(
          `no array named '${ref.member}' (has: ${f.entries.map((e) => e.name).join(', ')})`,
        );
      throw new LensError('holds no arrays');
    }
    if (entry.byteLength > maxBytes) {
      throw new LensError(
        `array of ${formatBytes(entry.byteLength)} is over the ${formatBytes(maxBytes)} limit set by matrixLens.maxArrayBytes`,
        'too-large',
      );
    }
    return { name: entry.name, raw: await entry.load({ maxBytes }) };
  } finally {
    await file?.close();
    for (const f of shards) await f.close();
  }
}

function sliceLabelOf(shape: readonly number[], index: readonly number[] | undefined): string {
  if (shape.length <= 2) return '';
  const lead = index ?? shape.slice(0, -2).map(() => 0);
  return `[${[...lead.map(String), ':', ':'].join(', ')}]`;
}

function unsupportedComplex(dtype: DType): LensError {
  return new LensError(
    `${dtype} arrays are not supported by the analysis (real dtypes only)`,
    'unsupported',
  );
}

function needs2d(shape: readonly number[]): void {
  if (shape.length < 2) {
    throw new LensError(
      `analysis needs a 2-D array (or a 2-D slice of an N-D one), got ${shape.length}-D shape [${shape.join(', ')}]`,
      'unsupported',
    );
  }
}

/** The 2-D slice `values[index..., :, :]` of parsed text (C order, real). */
function textSlice(
  shape: number[],
  values: Float64Array,
  index: readonly number[] | undefined,
): Matrix {
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  const lead = shape.slice(0, -2);
  const idx = index ?? lead.map(() => 0);
  if (
    idx.length !== lead.length ||
    idx.some((v, i) => !Number.isInteger(v) || v < 0 || v >= lead[i])
  ) {
    throw new LensError(
      `slice index [${idx.join(', ')}] is outside leading shape [${lead.join(', ')}]`,
    );
  }
  let off = 0;
  for (let i = 0; i < lead.length; i++) off = off * lead[i] + idx[i];
  return { rows, cols, data: values.slice(off * rows * cols, (off + 1) * rows * cols) };
}

export async function analyzeOp(p: AnalyzeParams, control: RequestControl): Promise<OpResult> {
  const started = Date.now();
  let name = '';
  let dtype: DType;
  let shape: number[];
  let m: Matrix;
  if ('text' in p.input) {
    const parsed = parseArrayText(p.input.text);
    dtype = parsed.dtype;
    shape = parsed.shape;
    if (isComplex(dtype)) throw unsupportedComplex(dtype);
    needs2d(shape);
    m = textSlice(shape, parsed.values, p.index);
  } else {
    const loaded = await loadRef(p.input, p.maxBytes);
    control.tick(0);
    name = loaded.name;
    dtype = loaded.raw.dtype;
    shape = loaded.raw.shape;
    if (isComplex(dtype)) throw unsupportedComplex(dtype);
    needs2d(shape);
    m = sliceToMatrix(loaded.raw, p.index);
  }
  control.tick(0.01);
  const analysis = analyzeMatrix(m, dtype, {
    randomized: p.randomized,
    progress: (f) => control.tick(0.01 + 0.99 * f),
  });
  const result: AnalyzeResult = {
    name,
    dtype,
    shape,
    sliceLabel: sliceLabelOf(shape, p.index),
    analysis,
    ms: Date.now() - started,
  };
  return { result, transfer: [] };
}

/** Q, K or V as attention() wants it: real, finite; float32 (and narrower) inputs stay float32. */
export async function tensorOf(
  role: string,
  ref: ArrayRef,
  maxBytes: number,
): Promise<{ shape: number[]; data: Float64Array | Float32Array }> {
  const label = `${role} (${refLabel(ref)})`;
  try {
    const { raw } = await loadRef(ref, maxBytes);
    if (isComplex(raw.dtype))
      throw new LensError(`is ${raw.dtype}; attention needs real values`, 'unsupported');
    const data = toFloat64C(raw);
    const { nan, inf } = countNonFinite(data);
    if (nan || inf)
      throw new LensError(
        `contains ${nan} NaN and ${inf} Inf values; attention needs finite numbers`,
        'numeric',
      );
    // float32 (and narrower) inputs stay float32: attention() then runs the SIMD float32 kernel
    return { shape: raw.shape, data: attentionData(raw.dtype, data) };
  } catch (e) {
    if (isLensError(e)) throw new LensError(`${label}: ${e.message}`, e.code);
    throw new LensError(`${label}: ${errorMessage(e)}`);
  }
}
