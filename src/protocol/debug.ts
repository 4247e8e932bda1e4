/**
 * The debug bridge's channel: what the debuggee helper (src/extension/debug/helper.py) answers,
 * and what the pinned-value panel (webview/debug) and the host say to each other. Kept apart
 * from messages.ts so it can move onto the common RPC helper unchanged.
 */

/** A number from the helper's JSON: NaN/±Infinity arrive as strings. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** Health statistics computed in the debuggee on the value's own device. */
export interface HelperStats {
  n: number;
  nan: number;
  posinf: number;
  neginf: number;
  zeros: number;
  /** finite values (the ones min/max/mean are over; complex values are taken as |z|). */
  finite: number;
  min: JsonNumber | null;
  max: JsonNumber | null;
  mean: JsonNumber | null;
}

/** What the helper says about one value. */
export interface HelperMeta {
  kind: 'numpy' | 'torch' | 'jax' | 'list';
  shape: number[];
  dtype: string;
  device: string;
  nbytes: number;
  requiresGrad: boolean;
  stats?: HelperStats;
}

/** `stage` reply: the value was written to the file (path) or staged for chunk reads (token). */
export interface StageReply extends HelperMeta {
  format: 'npy' | 'safetensors';
  fileBytes: number;
  token?: string;
  /** the file written by the debuggee (shared filesystem). */
  path?: string;
  /** pooled view: block factors [rows, cols] of the leading 2-D slice `lead`. */
  pooled?: [number, number];
  lead?: number[];
}

/** One row of the Tensors view. */
export type ScanItem = (HelperMeta & { name: string; typed?: boolean }) | ScanError;
export interface ScanError {
  name: string;
  typed?: boolean;
  error: string;
}

export interface ScanReply {
  items: ScanItem[];
  /** time the helper spent, in ms. */
  ms: number;
}

export interface HelperError {
  error: string;
}

export function isHelperError(x: unknown): x is HelperError {
  return typeof x === 'object' && x !== null && typeof (x as HelperError).error === 'string';
}

export function jsonNumber(x: JsonNumber | null | undefined): number {
  if (x === null || x === undefined) return NaN;
  if (typeof x === 'number') return x;
  return x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : NaN;
}

/** One stop of a pinned value, as the pin panel draws it. */
export interface PinSnapshot {
  expression: string;
  /** 1-based stop number of the session, and the line the program stopped at. */
  stop: number;
  line: number;
  shape: number[];
  dtype: string;
  /** health of the whole value at this stop (`healthLine`). */
  health: string;
  /** the drawn 2-D slice ([0, …, :, :]) pooled to rows × cols, and Δ against the previous stop. */
  rows: number;
  cols: number;
  pooled: [number, number];
  now: Float32Array;
  /** absent at the first stop or when the shape changed (`deltaNote` says why). */
  delta?: Float32Array;
  deltaRange?: [number, number];
  changed?: number;
  maxAbs?: number;
  deltaNote?: string;
  nowRange: [number, number];
  /** "NaN first seen at stop 7, line 42" (or "no NaN or Inf so far"). */
  firstSeen: string;
  /** the full values of this stop are kept (byte budget per pin), so it can be compared. */
  retained: boolean;
}

export type PinToWebview =
  | { type: 'pinHistory'; snapshots: PinSnapshot[]; index: number }
  | { type: 'pinEnded'; message: string };

export type PinFromWebview =
  | { type: 'ready' }
  | { type: 'pinShow'; index: number }
  /** "Compare two stops…": pick two retained stops and open the compare view. */
  | { type: 'pinCompare' };
