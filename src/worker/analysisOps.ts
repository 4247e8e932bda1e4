/**
 * The worker's matrix analysis (rank, SVD, norms, eigenvalues) and the loading of Q, K, V for
 * attention. Arrays come through the worker's cache (./arrays), so analysing the array an
 * editor shows does not read the file again. Progress goes through `control.tick`, which throws
 * a 'cancelled' LensError once the host asks to stop, so a Cancel lands within one progress
 * interval (~50–100 ms) of the decomposition's loops.
 */
import { checkLimit } from '../core/formats/entry';
import { basename } from 'node:path';
import { toFloat64C } from '../core/array/decode';
import { DType, isComplex } from '../core/array/dtype';
import { RawArray } from '../core/array/ndarray';
import { LensError, errorMessage, isLensError } from '../core/errors';
import { parseArrayText } from '../core/formats/selection';
import {
  adoptRawArray,
  analyzeMatrix,
  attentionData,
  countNonFinite,
  type Matrix,
  sliceToMatrix,
} from '../core/linalg';
import { parallelExecutor } from '../core/linalg/parallel';
import { require2d, sliceLabel } from '../core/view/matrixSlice';
import type { ArrayRef } from '../protocol/common';
import type { AnalysisMatrix, AnalyzeParams, AnalyzeResult } from '../protocol/worker';
import { loadArray, rawOfParsed } from './arrays';
import type { RequestControl } from './cancel';

/** A short name for messages: the file's base name, plus `#member` when one was asked for. */
export function refLabel(ref: ArrayRef): string {
  const s = ref.source;
  const file = 'path' in s ? basename(s.path) : 'name' in s ? s.name : 'selection';
  return ref.member ? `${file}#${ref.member}` : file;
}

/** Loads one array of a file through the worker's cache. */
export async function loadRef(
  ref: ArrayRef,
  maxBytes: number,
): Promise<{ name: string; raw: RawArray }> {
  const h = await loadArray(ref.source, ref.member, maxBytes);
  return { name: h.entry?.name ?? '', raw: h.raw };
}

function unsupportedComplex(dtype: DType): LensError {
  return new LensError(
    `${dtype} arrays are not supported by the analysis (real dtypes only)`,
    'unsupported',
  );
}

/** The input of an analysis: its name, dtype, whole shape and the 2-D matrix analyzed. */
async function analysisInput(
  p: AnalyzeParams,
  control: RequestControl,
): Promise<{ name: string; dtype: DType; shape: number[]; m: Matrix }> {
  let name = '';
  let dtype: DType;
  let raw: RawArray;
  if ('text' in p.input) {
    const parsed = parseArrayText(p.input.text);
    dtype = parsed.dtype;
    raw = rawOfParsed(parsed);
    // a computed array obeys the same limit as a file's (the text itself is capped before it
    // is sent: MAX_SELECTION_CHARS)
    checkLimit(raw.bytes.byteLength, { maxBytes: p.maxBytes });
  } else {
    const loaded = await loadRef(p.input, p.maxBytes);
    control.tick(0);
    name = loaded.name;
    raw = loaded.raw;
    dtype = raw.dtype;
  }
  const shape = raw.shape;
  if (isComplex(dtype)) throw unsupportedComplex(dtype);
  require2d(shape);
  // a 2-D float64 array is viewed in place: the bytes may be the worker's cached copy of the
  // file, which analyzeMatrix only reads (one copy of the array fewer while it runs)
  const m =
    shape.length === 2 && !p.index?.length ? adoptRawArray(raw) : sliceToMatrix(raw, p.index);
  return { name, dtype, shape, m };
}

export async function analyzeOp(p: AnalyzeParams, control: RequestControl): Promise<AnalyzeResult> {
  const started = Date.now();
  const { name, dtype, shape, m } = await analysisInput(p, control);
  control.tick(0.01);
  const analysis = analyzeMatrix(m, dtype, {
    randomized: p.randomized,
    progress: (f) => control.tick(0.01 + 0.99 * f),
  });
  return {
    name,
    dtype,
    shape,
    sliceLabel: sliceLabel(shape, p.index),
    analysis,
    ms: Date.now() - started,
    threads: parallelExecutor()?.threads ?? 1,
  };
}

/** The matrix `analyzeOp` analyzes, as float32 for the webview's GPU kernels. */
export async function analysisMatrixOp(
  p: AnalyzeParams,
  control: RequestControl,
): Promise<AnalysisMatrix> {
  const { m } = await analysisInput(p, control);
  return { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) };
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
