/**
 * Scaled dot-product attention, softmax(Q·Kᵀ/√d_k + mask)·V, per head, with causal or
 * additive masks, multi-head split/merge, diagnostics, and a streaming path (blocked online
 * softmax) that never materializes the T×S weights when they are not wanted.
 * Reference: Vaswani et al., "Attention Is All You Need" (2017), §3.2; PyTorch
 * torch.nn.MultiheadAttention (head split of the embedding, per-head weights);
 * Milakov & Gimelshein (2018) and Dao et al., FlashAttention (2022) for the online softmax.
 */
import { LensError } from '../errors';
import { Progress, Ticker } from '../linalg/progress';
import { attentionWeightsF32, streamingAttentionF32 } from '../linalg/attentionKernel';
import { engine } from '../linalg/wasm/kernels';

export interface Tensor {
  shape: readonly number[];
  data: ArrayLike<number>;
}

export interface AttentionOptions {
  /** heads H for 2-D inputs [T, H·d] (default 1); 3-D inputs [H, T, d] carry their own */
  heads?: number;
  /** mask key j > query i (top-left aligned, as torch's is_causal / triu(ones(T,S), 1)) */
  causal?: boolean;
  /** additive mask [T, S] (shared by heads) or [H, T, S]; −Infinity blocks a key */
  mask?: Tensor;
  /** compute the full weights [H, T, S] (default true); false streams the output */
  weights?: boolean;
  /**
   * With the weights: false skips W·V (for a view that draws only the weights). V is still
   * checked (shape, finite values) and gives `outputShape`; `output` is then absent.
   */
  output?: boolean;
  /**
   * Storage for the float32 weights (at least H·T·S floats), reused across calls: when the
   * float32 SIMD kernel computes the weights they are written here and `weights` is its first
   * H·T·S floats (a fresh 16 MB array costs more in page faults than the kernel's arithmetic).
   * Ignored when the weights are float64.
   */
  weightsInto?: Float32Array;
  progress?: Progress;
}

export interface AttentionResult {
  heads: number;
  queries: number;
  keys: number;
  headDim: number;
  valueDim: number;
  /**
   * [H, T, S] row-stochastic weights (absent when streaming). Float32Array when Q, K (and V) are
   * float32 and the SIMD engine runs (float32 arithmetic: |Δw| ≲ 1e-6·max w against float64),
   * else Float64Array (float64 arithmetic).
   */
  weights?: Float64Array | Float32Array;
  /** softmax(…)·V in the layout of Q: [T, H·dv] for 2-D inputs, [H, T, dv] for 3-D (absent without V) */
  output?: Float64Array;
  outputShape?: number[];
  /** Σ_j w_ij per head and query [H, T] (1, or 0 for fully masked rows); absent when streaming */
  rowSums?: Float64Array;
  /** entropy (nats) of each query's weights [H, T] */
  entropy: Float64Array;
  /** mean query entropy per head [H] */
  headEntropy: Float64Array;
}

interface Split {
  H: number;
  T: number;
  d: number;
  /** per head, [T, d] contiguous: float64, or float32 for the float32 kernels (see split) */
  heads: (Float64Array | Float32Array)[];
  threeD: boolean;
}

/** Q, K or V per head: [H, T, d] as it is, [T, H·d] split into H heads of width d. */
export function splitHeads(name: string, x: Tensor, heads: number | undefined): Split {
  return split(name, x, heads);
}

/**
 * A new contiguous [T, d] head: float32 when `f32` and the data is float32 (the SIMD kernels
 * read it as is), else float64.
 */
function newHead(x: Tensor, f32: boolean, len: number): Float64Array | Float32Array {
  return f32 && x.data instanceof Float32Array ? new Float32Array(len) : new Float64Array(len);
}

function split(name: string, x: Tensor, heads: number | undefined, f32 = false): Split {
  const s = x.shape;
  if (s.length === 3) {
    const [H, T, d] = s;
    if (d === 0)
      throw new LensError(
        `${name} head size is 0 (shape [${s.join(', ')}]): attention needs d ≥ 1`,
      );
    if (heads !== undefined && heads !== H)
      throw new LensError(
        `${name} has ${H} heads (shape [${s.join(', ')}]) but --heads is ${heads}`,
      );
    const out: (Float64Array | Float32Array)[] = [];
    for (let h = 0; h < H; h++) {
      const a = newHead(x, f32, T * d);
      for (let i = 0; i < T * d; i++) a[i] = x.data[h * T * d + i];
      out.push(a);
    }
    return { H, T, d, heads: out, threeD: true };
  }
  if (s.length !== 2)
    throw new LensError(
      `${name} must be 2-D [T, H·d] or 3-D [H, T, d], got shape [${s.join(', ')}]`,
    );
  const [T, E] = s;
  const H = heads ?? 1;
  if (!Number.isInteger(H) || H < 1 || E % H !== 0)
    throw new LensError(`${name} width ${E} is not divisible by ${H} heads`);
  const d = E / H;
  if (d === 0)
    throw new LensError(`${name} head size is 0 (shape [${s.join(', ')}]): attention needs d ≥ 1`);
  const out: (Float64Array | Float32Array)[] = [];
  for (let h = 0; h < H; h++) {
    if (f32 && H === 1 && x.data instanceof Float32Array) {
      out.push(x.data); // one head: the data itself (attention never writes into a head)
      continue;
    }
    const a = newHead(x, f32, T * d);
    for (let t = 0; t < T; t++)
      for (let j = 0; j < d; j++) a[t * d + j] = x.data[t * E + h * d + j];
    out.push(a);
  }
  return { H, T, d, heads: out, threeD: false };
}

/** Floating dtypes whose values are all exactly float32 numbers. */
const FLOAT32_EXACT = new Set<string>([
  'float32',
  'float16',
  'bfloat16',
  'float8_e4m3fn',
  'float8_e5m2',
]);

/**
 * The data to pass to {@link attention} for an array of `dtype` decoded to float64: a
 * Float32Array (exact) for float32 and narrower float dtypes, so attention takes the
 * float32 SIMD path (weights as Float32Array), else the float64 values unchanged.
 */
export function attentionData(dtype: string, values: Float64Array): Float64Array | Float32Array {
  return FLOAT32_EXACT.has(dtype) ? Float32Array.from(values) : values;
}

/**
 * Checks that x is finite (clear error otherwise) and returns log2 max|x| (−∞ for all zeros),
 * in one pass over the data.
 */
function finiteLog2MaxAbs(name: string, x: Tensor): number {
  const data = x.data;
  let mx = 0;
  let bad = false;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(data[i]);
    if (v > mx) mx = v;
    else if (!(v <= mx)) bad = true; // NaN (+∞ is caught below)
  }
  if (bad || mx === Infinity) {
    let nan = 0;
    let inf = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v !== v) nan++;
      else if (v === Infinity || v === -Infinity) inf++;
    }
    throw new LensError(
      `${name} contains ${nan} NaN and ${inf} Inf values; attention needs finite numbers`,
      'numeric',
    );
  }
  return mx > 0 ? Math.log2(mx) : -Infinity;
}

function log2MaxAbs(x: Tensor): number {
  let mx = 0;
  for (let i = 0; i < x.data.length; i++) {
    const v = Math.abs(x.data[i]);
    if (v > mx) mx = v;
  }
  return mx > 0 ? Math.log2(mx) : -Infinity;
}

/**
 * Scores whose magnitude may leave float64's range (Q = K = 1e200: q·k = 1e400) are computed
 * as s·2^-E and the softmax takes exp((s − max)·2^E): the differences are what matter, and
 * (s − max)·2^E is −Infinity exactly when exp would underflow to 0 anyway. Scores that may
 * leave float32's range keep the float64 path (the SIMD kernels compute in float32).
 */
function scoreExponent(log2Bound: number): number {
  return log2Bound > 1000 ? Math.ceil(log2Bound - 900) : 0;
}

/**
 * Whether the float32 kernels run: Q, K (and V) float32 and scores that stay far inside
 * float32's range; otherwise everything is float64, float32 inputs included.
 */
function float32Kernels(q: Tensor, k: Tensor, v: Tensor | undefined, log2Bound: number): boolean {
  return (
    log2Bound < 100 && [q, k, v].every((t) => t === undefined || t.data instanceof Float32Array)
  );
}

/**
 * Bytes per weight that {@link attention} allocates for the [H, T, S] weights: 4 when the
 * float32 SIMD kernel writes them, 8 when they are float64 (float32 inputs whose scores may
 * leave float32's range are routed to float64 too). `heads` splits a 2-D Q as attention does.
 */
export function attentionWeightBytes(
  q: Tensor,
  k: Tensor,
  v: Tensor | undefined,
  heads = 1,
): 4 | 8 {
  const last = q.shape.length ? q.shape[q.shape.length - 1] : 0;
  const d = q.shape.length === 3 ? last : last / heads;
  const log2Bound = log2MaxAbs(q) + log2MaxAbs(k) + 0.5 * Math.log2(Math.max(1, d));
  return float32Kernels(q, k, v, log2Bound) && engine().kind === 'wasm' ? 4 : 8;
}

function asF32(a: Float64Array | Float32Array): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

/** softmax(QKᵀ/√d + mask)·V per head. */
export function attention(
  q: Tensor,
  k: Tensor,
  v: Tensor | undefined,
  opts: AttentionOptions = {},
): AttentionResult {
  const log2Q = finiteLog2MaxAbs('Q', q);
  const log2K = finiteLog2MaxAbs('K', k);
  if (v) finiteLog2MaxAbs('V', v);
  // float32 inputs bound for the float32 kernels keep float32 heads (split checks the shapes;
  // the head size here is only a guess until it has)
  const qLast = q.shape.length ? q.shape[q.shape.length - 1] : 0;
  const dGuess = q.shape.length === 3 ? qLast : qLast / (opts.heads ?? 1);
  const f32 = float32Kernels(q, k, v, log2Q + log2K + 0.5 * Math.log2(Math.max(1, dGuess)));
  const Q = split('Q', q, q.shape.length === 3 ? undefined : opts.heads, f32);
  const K = split('K', k, k.shape.length === 3 ? undefined : opts.heads, f32);
  if (Q.H !== K.H) throw new LensError(`Q has ${Q.H} heads but K has ${K.H}`);
  if (Q.d !== K.d) throw new LensError(`Q head size ${Q.d} differs from K head size ${K.d}`);
  const V = v ? split('V', v, v.shape.length === 3 ? undefined : opts.heads, f32) : undefined;
  if (V && (V.H !== K.H || V.T !== K.T))
    throw new LensError(
      `V shape [${v!.shape.join(', ')}] does not match K shape [${k.shape.join(', ')}]`,
    );
  const H = Q.H;
  const T = Q.T;
  const S = K.T;
  const d = Q.d;
  const dv = V ? V.d : 0;
  // the V that is multiplied (none when only the weights are wanted)
  const Vm = opts.output === false && opts.weights !== false ? undefined : V;
  const dvm = Vm ? dv : 0;
  let mask: ((h: number) => Float64Array | undefined) | undefined;
  if (opts.mask) {
    const ms = opts.mask.shape;
    const md = Float64Array.from(opts.mask.data);
    if (ms.length === 2 && ms[0] === T && ms[1] === S) mask = () => md;
    else if (ms.length === 3 && ms[0] === H && ms[1] === T && ms[2] === S)
      mask = (h) => md.subarray(h * T * S, (h + 1) * T * S);
    else
      throw new LensError(
        `mask shape [${ms.join(', ')}] must be [${T}, ${S}] or [${H}, ${T}, ${S}]`,
      );
  }
  const causal = !!opts.causal;
  const wantWeights = opts.weights !== false;
  const scale = 1 / Math.sqrt(d);
  const ticker = new Ticker(opts.progress);
  // bound on |score| (log2): |q·k|/√d ≤ max|q|·max|k|·√d
  const log2Bound = log2Q + log2K + 0.5 * Math.log2(d);
  const scoreExp = scoreExponent(log2Bound);
  if (scoreExp > 0 && opts.mask) {
    // a finite additive mask would be lost against such scores; −Infinity (blocking) is fine
    const md = opts.mask.data;
    let finiteNonzero = false;
    for (let i = 0; i < md.length && !finiteNonzero; i++)
      finiteNonzero = md[i] !== 0 && md[i] !== -Infinity;
    if (finiteNonzero)
      throw new LensError(
        `attention scores reach 2^${Math.round(log2Bound)}, beyond float64, and an additive mask cannot be added to them; scale Q or K down`,
        'numeric',
      );
  }
  // exp((s' − max')·2^E) in two exact factors (2^E alone may overflow)
  const f1 = 2 ** Math.trunc(scoreExp / 2);
  const f2 = 2 ** (scoreExp - Math.trunc(scoreExp / 2));
  if (scoreExp > 0) {
    const down = 2 ** -Math.trunc(scoreExp / 2);
    const down2 = 2 ** -(scoreExp - Math.trunc(scoreExp / 2));
    for (const qh of Q.heads) for (let i = 0; i < qh.length; i++) qh[i] = qh[i] * down * down2;
  }
  // float32 inputs with weights: the SIMD kernel (float32 weights), split over query blocks
  const simdWeights = wantWeights && f32 && T * S * d > 0 && engine().kind === 'wasm';
  const into = opts.weightsInto;
  const weights = wantWeights
    ? simdWeights
      ? into && into.length >= H * T * S
        ? into.subarray(0, H * T * S)
        : new Float32Array(H * T * S)
      : new Float64Array(H * T * S)
    : undefined;
  const rowSums = wantWeights ? new Float64Array(H * T) : undefined;
  const entropy = new Float64Array(H * T);
  const outHeads: Float64Array[] = [];
  // the float32 kernel with weights writes W·V straight into the result ([H, T, dv] for 3-D
  // inputs, [T, H·dv] for 2-D)
  let output = Vm && simdWeights ? new Float64Array(H * T * dv) : undefined;
  const BLOCK = 128;
  const sc = new Float64Array(Math.max(S, BLOCK));
  // float32 inputs, output only, no additive mask: the SIMD streaming kernel (float32 arithmetic,
  // like the inputs); everything else takes the float64 path below
  // (without V too: entropies alone, with an empty V of width 0)
  const simd = !wantWeights && !mask && f32;
  for (let h = 0; h < H; h++) {
    const qh = Q.heads[h];
    const kh = K.heads[h];
    const vh = Vm?.heads[h];
    let blocks = 0;
    const poll = (): void => ticker.tick((h + Math.min(1, ++blocks / 32)) / H);
    if (simdWeights) {
      const mh = mask?.(h);
      const r = attentionWeightsF32(
        asF32(qh),
        asF32(kh),
        vh ? asF32(vh) : undefined,
        T,
        S,
        d,
        dvm,
        {
          causal,
          scale,
          mask: mh ? Float32Array.from(mh) : undefined,
          weightsOut: weights as Float32Array,
          weightsOffset: h * T * S,
          outputOut: output,
          outputOffset: Q.threeD ? h * T * dv : h * dv,
          outputStride: Q.threeD ? dv : H * dv,
          poll,
        },
      );
      if (r) {
        rowSums!.set(r.rowSums, h * T);
        entropy.set(r.entropy, h * T);
        if (vh) outHeads.push(new Float64Array(0)); // written into output already
        ticker.tick((h + 1) / H);
        continue;
      }
      // no SIMD engine after all (heap exhausted): the float64 loop below writes this head
    }
    if (simd) {
      const r = streamingAttentionF32(
        asF32(qh),
        asF32(kh),
        vh ? asF32(vh) : new Float32Array(0),
        T,
        S,
        d,
        dv,
        { causal, scale, poll },
      );
      if (vh) outHeads.push(new Float64Array(r.output));
      entropy.set(r.entropy, h * T);
      ticker.tick((h + 1) / H);
      continue;
    }
    const mh = mask?.(h);
    const oh = vh ? new Float64Array(T * dv) : undefined;
    for (let i = 0; i < T; i++) {
      ticker.tick((h * T + i) / (H * T));
      const qi = i * d;
      const limit = causal ? Math.min(S, i + 1) : S;
      if (wantWeights) {
        // scores for keys 0..limit-1, then an exact softmax
        let mx = -Infinity;
        for (let j = 0; j < limit; j++) {
          const kj = j * d;
          let s = 0;
          for (let c = 0; c < d; c++) s += qh[qi + c] * kh[kj + c];
          s *= scale;
          if (mh) s += mh[i * S + j];
          sc[j] = s;
          if (s > mx) mx = s;
        }
        const wb = (h * T + i) * S;
        if (mx === -Infinity) {
          entropy[h * T + i] = 0;
          continue; // fully masked: zeros (weights stay 0, output 0)
        }
        let sum = 0;
        for (let j = 0; j < limit; j++) {
          const e = Math.exp((sc[j] - mx) * f1 * f2);
          sc[j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        let ent = 0;
        let rs = 0;
        for (let j = 0; j < limit; j++) {
          const p = sc[j] * inv;
          weights![wb + j] = p;
          rs += p;
          if (p > 0) ent -= p * Math.log(p);
        }
        rowSums![h * T + i] = rs;
        entropy[h * T + i] = ent;
        if (vh && oh) {
          const ob = i * dv;
          for (let j = 0; j < limit; j++) {
            const p = weights![wb + j];
            if (p === 0) continue;
            const vj = j * dv;
            for (let c = 0; c < dv; c++) oh[ob + c] += p * vh[vj + c];
          }
        }
      } else {
        // streaming: blocked online softmax; running max m, normalizer l, Σ e·s for the entropy
        let m = -Infinity;
        let l = 0;
        let u = 0;
        const ob = i * dv;
        for (let j0 = 0; j0 < limit; j0 += BLOCK) {
          const j1 = Math.min(limit, j0 + BLOCK);
          let bm = -Infinity;
          for (let j = j0; j < j1; j++) {
            const kj = j * d;
            let s = 0;
            for (let c = 0; c < d; c++) s += qh[qi + c] * kh[kj + c];
            s *= scale;
            if (mh) s += mh[i * S + j];
            sc[j - j0] = s;
            if (s > bm) bm = s;
          }
          if (bm === -Infinity) continue;
          if (bm > m) {
            const shift = (bm - m) * f1 * f2;
            const r = m === -Infinity ? 0 : Math.exp(-shift);
            // e_j and (s_j − m) are both relative to the old maximum: shift them to bm
            u = r === 0 ? 0 : r * (u - shift * l);
            l *= r;
            if (oh) for (let c = 0; c < dv; c++) oh[ob + c] *= r;
            m = bm;
          }
          for (let j = j0; j < j1; j++) {
            const s = sc[j - j0];
            if (s === -Infinity) continue;
            const ds = (s - m) * f1 * f2;
            const e = Math.exp(ds);
            if (e === 0) continue;
            l += e;
            u += e * ds;
            if (vh && oh) {
              const vj = j * dv;
              for (let c = 0; c < dv; c++) oh[ob + c] += e * vh[vj + c];
            }
          }
        }
        if (l > 0) {
          if (oh) for (let c = 0; c < dv; c++) oh[ob + c] /= l;
          entropy[h * T + i] = Math.log(l) - u / l;
        }
      }
    }
    if (oh) outHeads.push(oh);
  }
  const headEntropy = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    let s = 0;
    for (let i = 0; i < T; i++) s += entropy[h * T + i];
    headEntropy[h] = T ? s / T : 0;
  }
  const outputShape = V ? (Q.threeD ? [H, T, dv] : [T, H * dv]) : undefined;
  if (Vm) {
    // heads the float32 kernel wrote into output are empty here (a head whose kernel found no
    // heap took the float64 loop and is copied in)
    output ??= new Float64Array(H * T * dv);
    if (Q.threeD || H === 1) {
      // [H, T, dv] (one head: [T, dv] is [T, H·dv] already)
      for (let h = 0; h < H; h++) if (outHeads[h].length) output.set(outHeads[h], h * T * dv);
    } else {
      const E = H * dv;
      for (let h = 0; h < H; h++) {
        const oh = outHeads[h];
        if (!oh.length) continue;
        for (let t = 0; t < T; t++)
          for (let c = 0; c < dv; c++) output[t * E + h * dv + c] = oh[t * dv + c];
      }
    }
  }
  return {
    heads: H,
    queries: T,
    keys: S,
    headDim: d,
    valueDim: dv,
    weights,
    output,
    outputShape,
    rowSums,
    entropy,
    headEntropy,
  };
}
