/**
 * The attention view's worker operations. Weights (from a file, or computed from Q, K, V)
 * stay here under the view's key; the view asks for what it draws: every head of a
 * (layer, batch) max-pooled to a small tile, and one head pooled to at most ~1M cells or a
 * zoom window at full resolution. Diagnostics (entropy, row sums, causal check) are computed
 * once, when the weights are opened.
 */
import { DType, isComplex } from '../core/array/dtype';
import { formatBytes } from '../core/array/ndarray';
import { attention, attentionWeightBytes, splitHeads } from '../core/attention/attention';
import { parallelExecutor } from '../core/linalg/parallel';
import { attentionDiagnostics } from '../core/attention/diagnostics';
import {
  AttentionLayout,
  attentionLayout,
  headIndex,
  poolHead,
  poolTiles,
  weightsValues,
} from '../core/attention/weights';
import { LensError, isLensError } from '../core/errors';
import type { ArrayRef } from '../protocol/common';
import type {
  AttentionComputeParams,
  AttentionFocusData,
  AttentionFocusParams,
  AttentionOpenParams,
  AttentionTilesData,
  AttentionTilesParams,
  AttentionAdoptParams,
  AttentionInputs,
  AttentionParams,
  AttentionViewInfo,
} from '../protocol/worker';
import { loadRef, refLabel, tensorOf } from './analysisOps';
import { loadArray } from './arrays';
import type { RequestControl } from './cancel';

interface Held {
  /** float64 for float64 data, else float32 */
  w: Float32Array | Float64Array;
  layout: AttentionLayout;
  dtype: DType;
}

/** views kept at once; the bytes of computed weights are only here (file-backed ones reopen). */
const VIEWS = 4;
const BYTES = 3 * 2 ** 30;
const views = new Map<string, Held>();
/**
 * Weights arrays this worker computed (no other reference holds them once they leave `views`):
 * a superseded one is reused as the next computation's storage when the sizes match, since a
 * fresh array of 16 MB costs more in first-touch page faults than the kernel's arithmetic.
 */
const owned = new WeakSet<Float32Array>();
let spare: Float32Array | undefined;

function drop(key: string): void {
  const h = views.get(key);
  if (!h) return;
  views.delete(key);
  if (h.w instanceof Float32Array && owned.has(h.w)) spare = h.w;
}

function keep(key: string, h: Held): void {
  drop(key);
  views.set(key, h);
  let total = 0;
  for (const v of views.values()) total += v.w.byteLength;
  while (views.size > 1 && (views.size > VIEWS || total > BYTES)) {
    const oldest = views.keys().next().value as string;
    total -= views.get(oldest)!.w.byteLength;
    drop(oldest);
  }
}

/** Storage of n float32 weights from a superseded computation (that of `key` first), if any. */
function reusable(key: string, n: number): Float32Array | undefined {
  drop(key); // recomputing a key supersedes its weights (they are overwritten from here on)
  const s = spare;
  if (!s || s.length !== n) return undefined;
  spare = undefined;
  return s;
}

/** The weights held under `key`, reopened from `ref` when they were dropped. */
async function heldOf(key: string, ref: ArrayRef | undefined, maxBytes: number): Promise<Held> {
  const h = views.get(key);
  if (h) {
    views.delete(key);
    views.set(key, h);
    return h;
  }
  if (!ref)
    throw new LensError(
      'the computed attention weights are no longer held by the worker (it was restarted or they were released): recompute them',
      'invalid',
    );
  const { w, layout, dtype } = await loadWeights(ref, maxBytes);
  const held = { w, layout, dtype };
  keep(key, held);
  return held;
}

async function loadWeights(ref: ArrayRef, maxBytes: number): Promise<Held & { name: string }> {
  const h = await loadArray(ref.source, ref.member, maxBytes);
  const raw = h.raw;
  if (isComplex(raw.dtype))
    throw new LensError(`is ${raw.dtype}; attention weights must be real`, 'unsupported');
  const layout = attentionLayout(raw.shape);
  return { w: weightsValues(raw), layout, dtype: raw.dtype, name: h.entry?.name ?? '' };
}

/** Attention weights from a file: held under `p.key`, with their diagnostics. */
export async function attentionOpenOp(
  p: AttentionOpenParams,
  control: RequestControl,
): Promise<AttentionViewInfo> {
  const started = Date.now();
  const { w, layout, dtype, name } = await loadWeights(p.ref, p.maxBytes);
  control.tick(0.2);
  const diagnostics = attentionDiagnostics(w, layout.shape, dtype, (f) =>
    control.tick(0.2 + 0.8 * f),
  );
  keep(p.key, { w, layout, dtype });
  const info: AttentionViewInfo = {
    key: p.key,
    name,
    dtype,
    shape: layout.shape,
    diagnostics,
    ms: Date.now() - started,
  };
  return info;
}

/** softmax(QKᵀ/√d)·V per head; the weights [H, T, S] are held (float32) under `p.key`. */
export async function attentionComputeOp(
  p: AttentionComputeParams,
  control: RequestControl,
): Promise<AttentionViewInfo> {
  const started = Date.now();
  if (p.heads !== undefined && (!Number.isInteger(p.heads) || p.heads < 1))
    throw new LensError(`heads must be a positive integer, got ${p.heads}`);
  const q = await tensorOf('Q', p.q, p.maxBytes);
  control.tick(0);
  const k = await tensorOf('K', p.k, p.maxBytes);
  control.tick(0);
  const v = p.v ? await tensorOf('V', p.v, p.maxBytes) : undefined;
  control.tick(0.02);
  const H = q.shape.length === 3 ? q.shape[0] : (p.heads ?? 1);
  const T = q.shape.length >= 2 ? q.shape[q.shape.length - 2] : 0;
  const S = k.shape.length >= 2 ? k.shape[k.shape.length - 2] : 0;
  // float32 weights when the float32 SIMD kernel runs; else float64 while computing, then
  // narrowed to the float32 copy held for drawing: 8 + 4 bytes a weight at the peak (float32
  // inputs whose scores may leave float32's range take the float64 path too)
  const bytesPerWeight = attentionWeightBytes(q, k, v, p.heads) === 4 ? 4 : 8 + 4;
  if (H * T * S * bytesPerWeight > p.maxBytes)
    throw new LensError(
      `the attention weights [${H}, ${T}, ${S}] would take ${formatBytes(H * T * S * bytesPerWeight)} while computing, over the ${formatBytes(p.maxBytes)} limit set by matrixLens.maxArrayBytes`,
      'too-large',
    );
  let r: ReturnType<typeof attention>;
  try {
    r = attention(q, k, v, {
      heads: p.heads,
      causal: p.causal,
      output: false, // the view draws the weights; W·V would be ~40 % of the time, unused
      weightsInto: bytesPerWeight === 4 ? reusable(p.key, H * T * S) : undefined,
      progress: (f) => control.tick(0.02 + 0.83 * f),
    });
  } catch (e) {
    if (isLensError(e) && e.code !== 'cancelled') {
      const files = [
        `Q = ${refLabel(p.q)}`,
        `K = ${refLabel(p.k)}`,
        ...(p.v ? [`V = ${refLabel(p.v)}`] : []),
      ];
      throw new LensError(`${e.message} (${files.join(', ')})`, e.code);
    }
    throw e;
  }
  const shape = [r.heads, r.queries, r.keys];
  // checked on the weights as computed (float32 for float32 inputs); held as float32 for drawing
  const weights = r.weights!;
  const computedDtype: DType = weights instanceof Float32Array ? 'float32' : 'float64';
  const diagnostics = attentionDiagnostics(weights, shape, computedDtype, (f) =>
    control.tick(0.85 + 0.1 * f),
  );
  const w = weights instanceof Float32Array ? weights : Float32Array.from(weights);
  owned.add(w);
  keep(p.key, { w, layout: attentionLayout(shape), dtype: 'float32' });
  const info: AttentionViewInfo = {
    key: p.key,
    name: '',
    dtype: 'float32',
    shape,
    diagnostics,
    computed: {
      heads: r.heads,
      headDim: r.headDim,
      valueDim: r.valueDim,
      causal: p.causal,
      qShape: q.shape,
      kShape: k.shape,
      vShape: v?.shape,
      outputShape: r.outputShape,
    },
    ms: Date.now() - started,
    computedOn: {
      where: 'cpu',
      label: `computed on CPU (${threadsLabel()}) in ${Date.now() - started} ms`,
    },
  };
  return info;
}

function threadsLabel(): string {
  const n = parallelExecutor()?.threads ?? 1;
  return `${n} thread${n === 1 ? '' : 's'}`;
}

/** Q, K, V of `p` per head as float32 (the checks `attention` makes, without computing it). */
export async function attentionInputsOp(
  p: AttentionParams & { minWeights?: number },
): Promise<AttentionInputs> {
  if (p.minWeights) {
    // from the headers alone: fewer weights than that and nothing is converted or sent
    const qs = (await loadRef(p.q, p.maxBytes)).raw.shape;
    const ks = (await loadRef(p.k, p.maxBytes)).raw.shape;
    const H = qs.length === 3 ? qs[0] : (p.heads ?? 1);
    const T = qs.length >= 2 ? qs[qs.length - 2] : 0;
    const S = ks.length >= 2 ? ks[ks.length - 2] : 0;
    if (H * T * S < p.minWeights) return { ...emptyInputs(), heads: H, queries: T, keys: S };
  }
  const q = await tensorOf('Q', p.q, p.maxBytes);
  const k = await tensorOf('K', p.k, p.maxBytes);
  const v = p.v ? await tensorOf('V', p.v, p.maxBytes) : undefined;
  const Q = splitHeads('Q', q, q.shape.length === 3 ? undefined : p.heads);
  const K = splitHeads('K', k, k.shape.length === 3 ? undefined : p.heads);
  if (Q.H !== K.H) throw new LensError(`Q has ${Q.H} heads but K has ${K.H}`);
  if (Q.d !== K.d) throw new LensError(`Q head size ${Q.d} differs from K head size ${K.d}`);
  const V = v ? splitHeads('V', v, v.shape.length === 3 ? undefined : p.heads) : undefined;
  if (V && (V.H !== K.H || V.T !== K.T))
    throw new LensError(
      `V shape [${v!.shape.join(', ')}] does not match K shape [${k.shape.join(', ')}]`,
    );
  const pack = (heads: readonly (Float64Array | Float32Array)[]) => {
    const out = new Float32Array(heads.reduce((a, h) => a + h.length, 0));
    let o = 0;
    for (const h of heads) out.set(h, (o += h.length) - h.length);
    return out;
  };
  const rowNorm = (heads: readonly (Float64Array | Float32Array)[], d: number) => {
    let mx = 0;
    for (const h of heads)
      for (let i = 0; i < h.length; i += d) {
        let s = 0;
        for (let j = 0; j < d; j++) s += h[i + j] * h[i + j];
        mx = Math.max(mx, s);
      }
    return Math.sqrt(mx);
  };
  return {
    heads: Q.H,
    queries: Q.T,
    keys: K.T,
    headDim: Q.d,
    valueDim: V ? V.d : 1,
    q: pack(Q.heads),
    k: pack(K.heads),
    v: V ? pack(V.heads) : new Float32Array(K.H * K.T),
    hasV: !!V,
    qShape: q.shape,
    kShape: k.shape,
    vShape: v?.shape,
    maxScore: (rowNorm(Q.heads, Q.d) * rowNorm(K.heads, K.d)) / Math.sqrt(Q.d),
  };
}

function emptyInputs(): AttentionInputs {
  const none = new Float32Array(0);
  return {
    heads: 0,
    queries: 0,
    keys: 0,
    headDim: 0,
    valueDim: 0,
    q: none,
    k: none,
    v: none,
    hasV: false,
    qShape: [],
    kShape: [],
    maxScore: 0,
  };
}

/** Weights computed by the view's GPU, kept like the worker's own (diagnostics from them). */
export function attentionAdoptOp(
  p: AttentionAdoptParams,
  control: RequestControl,
): AttentionViewInfo {
  const c = p.computed;
  const shape = [c.heads, c.qShape[c.qShape.length - 2], c.kShape[c.kShape.length - 2]];
  if (shape[0] * shape[1] * shape[2] !== p.weights.length)
    throw new LensError(`${p.weights.length} attention weights do not make [${shape.join(', ')}]`);
  const diagnostics = attentionDiagnostics(p.weights, shape, 'float32', (f) => control.tick(f));
  keep(p.key, { w: p.weights, layout: attentionLayout(shape), dtype: 'float32' });
  return {
    key: p.key,
    name: '',
    dtype: 'float32',
    shape,
    diagnostics,
    computed: p.computed,
    ms: p.ms,
    computedOn: p.computedOn,
  };
}

/** `transfer` receives the buffers the reply can hand over instead of copying. */
type Transfer = (buffer: ArrayBufferLike) => void;

export async function attentionTilesOp(
  p: AttentionTilesParams,
  control: RequestControl,
  transfer: Transfer = () => {},
): Promise<AttentionTilesData> {
  const h = await heldOf(p.key, p.ref, p.maxBytes);
  const tiles = poolTiles(h.w, h.layout, p.layer, p.batch, Math.min(512, p.size), (f) =>
    control.tick(f),
  );
  transfer(tiles.values.buffer);
  return tiles;
}

export async function attentionFocusOp(
  p: AttentionFocusParams,
  transfer: Transfer = () => {},
): Promise<AttentionFocusData> {
  const h = await heldOf(p.key, p.ref, p.maxBytes);
  const l = h.layout;
  if (
    ![p.layer < l.layers, p.batch < l.batches, p.head < l.heads].every(Boolean) ||
    [p.layer, p.batch, p.head].some((x) => !Number.isInteger(x) || x < 0)
  )
    throw new LensError(
      `head (layer ${p.layer}, batch ${p.batch}, head ${p.head}) is outside shape [${l.shape.join(', ')}]`,
    );
  const g = headIndex(l, p.layer, p.batch, p.head);
  const pooled = poolHead(h.w, l, g, Math.min(4 * 2 ** 20, Math.max(64, p.maxCells)), p.window);
  const focus: AttentionFocusData = { ...pooled, layer: p.layer, batch: p.batch, head: p.head };
  transfer(focus.values.buffer);
  return focus;
}

export function attentionReleaseOp(key: string): Record<string, never> {
  drop(key);
  return {};
}
