/**
 * Convolution and pooling layers (`nn.Conv1d/2d`, `nn.MaxPool1d/2d`, `nn.AvgPool1d/2d`,
 * `nn.BatchNorm1d/2d`): the output size of a sliding window, as PyTorch documents it for
 * Conv2d and MaxPool2d: out = floor((in + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1.
 * A symbolic input size stays itself only where the window provably keeps it (stride 1 and
 * 2·padding = dilation·(kernel − 1)); otherwise it becomes a fresh unknown size.
 */
import {
  dimEq,
  fmtDim,
  fmtShape,
  freshSym,
  isNum,
  lineRef,
  ShapeError,
  UNKNOWN,
  type ArrVal,
  type DimInfo,
  type LayerVal,
  type Val,
} from '../values';
import { argOr, dimOf, intOf, makeArray, rows, type Call, type Rule } from './call';

type Window = NonNullable<LayerVal['window']>;

/** An int or a tuple of `n` ints (`3`, `(3, 3)`); undefined when not known. */
function perDim(v: Val | undefined, n: number, fallback?: number[]): number[] | undefined {
  if (!v) return fallback;
  const one = intOf(v);
  if (one !== undefined) return Array<number>(n).fill(one);
  if (v.k === 'tuple' && !v.open && v.items.length === n) {
    const xs = v.items.map((x) => intOf(x));
    return xs.every((x) => x !== undefined) ? (xs as number[]) : undefined;
  }
  return undefined;
}

function windowOf(call: Call, n: number, first: number, pool: boolean): Window | undefined {
  const { args } = call;
  const kernel = perDim(argOr(args, first, 'kernel_size'), n);
  if (!kernel) return undefined;
  const strideArg = argOr(args, first + 1, 'stride');
  const stride =
    strideArg?.k === 'none'
      ? kernel
      : perDim(strideArg, n, pool ? kernel : Array<number>(n).fill(1));
  const padArg = argOr(args, first + 2, 'padding');
  const padding =
    padArg?.k === 'str' && padArg.v === 'same' && !pool
      ? ('same' as const)
      : perDim(padArg, n, Array<number>(n).fill(0));
  // MaxPool's 4th positional is dilation; Conv's is dilation too (after padding)
  const dilation =
    pool && call.name.startsWith('Avg')
      ? Array<number>(n).fill(1)
      : perDim(argOr(args, first + 3, 'dilation'), n, Array<number>(n).fill(1));
  if (!stride || !padding || !dilation) return undefined;
  return { kernel, stride, padding, dilation };
}

const spatial = (name: string): number => (name.endsWith('1d') ? 1 : name.endsWith('3d') ? 3 : 2);

const conv: Rule = (_ctx, call) => {
  const n = spatial(call.name);
  const i = dimOf(argOr(call.args, 0, 'in_channels') ?? UNKNOWN);
  const o = dimOf(argOr(call.args, 1, 'out_channels') ?? UNKNOWN);
  const groups = argOr(call.args, 6, 'groups');
  if (!i || !o || (groups && intOf(groups) !== 1)) return UNKNOWN;
  const window = windowOf(call, n, 2, false);
  return { k: 'layer', kind: call.name, dims: [i, o], line: call.line, window };
};

const pool: Rule = (_ctx, call) => {
  if (call.args.kw.has('ceil_mode') || call.args.kw.has('return_indices')) return UNKNOWN;
  // AvgPool's 4th positional is ceil_mode
  if (call.name.startsWith('Avg') && call.args.pos.length > 3) return UNKNOWN;
  const window = windowOf(call, spatial(call.name), 0, true);
  if (!window) return UNKNOWN;
  return { k: 'layer', kind: call.name, dims: [], line: call.line, window };
};

const batchNorm: Rule = (_ctx, call) => {
  const c = dimOf(argOr(call.args, 0, 'num_features') ?? UNKNOWN);
  if (!c) return UNKNOWN;
  return { k: 'layer', kind: call.name, dims: [c], line: call.line };
};

export const CONV_LAYERS: Record<string, Rule> = {};
rows(CONV_LAYERS, ['Conv1d', 'Conv2d'], conv);
rows(CONV_LAYERS, ['MaxPool1d', 'MaxPool2d', 'AvgPool1d', 'AvgPool2d'], pool);
rows(CONV_LAYERS, ['BatchNorm1d', 'BatchNorm2d'], batchNorm);

/** One output size of the window over an input size. */
function slide(d: DimInfo, w: Window, k: number, line: number): DimInfo {
  const kernel = w.kernel[k];
  const stride = w.stride[k];
  const dil = w.dilation[k];
  const pad = w.padding === 'same' ? undefined : w.padding[k];
  if (w.padding === 'same') return stride === 1 ? d : { v: freshSym(), line };
  const span = dil * (kernel - 1);
  if (!isNum(d.v)) return stride === 1 && 2 * (pad ?? 0) === span ? d : { v: freshSym(), line };
  const out = Math.floor((d.v + 2 * (pad ?? 0) - span - 1) / stride) + 1;
  if (out < 1)
    throw new ShapeError(
      `the ${kernel}-wide window (padding ${pad}, dilation ${dil}) does not fit an input size ${d.v} (from ${lineRef(d.line)}): the output would be ${out}`,
      [{ line: d.line, message: `input size ${d.v} comes from here` }],
    );
  return { v: out, line };
}

/** The output of a conv/pool/batch-norm layer l on x, or UNKNOWN. */
export function applyWindowLayer(
  l: LayerVal,
  x: ArrVal,
  xName: string,
  layerName: string,
  text: string,
  line: number,
): Val {
  const n = spatial(l.kind);
  const nd = x.dims.length;
  const isNorm = l.kind.startsWith('BatchNorm');
  // Conv/pool take (C, *S) or (N, C, *S); BatchNorm1d takes (N, C) or (N, C, L)
  const okRanks = isNorm ? (n === 1 ? [2, 3] : [4]) : [n + 1, n + 2];
  if (!okRanks.includes(nd))
    throw new ShapeError(
      `${layerName} (${l.kind}): expected ${okRanks.join('-D or ')}-D input, but ${xName} has shape ${fmtShape(x.dims)}`,
    );
  const chAxis = isNorm ? 1 : nd - n - 1;
  const want = l.dims[0];
  if (want && !l.kind.includes('Pool') && dimEq(x.dims[chAxis].v, want.v) === false)
    throw new ShapeError(
      `${layerName} (${l.kind}) expects ${fmtDim(want.v)} channels (from ${lineRef(want.line)}), but ${xName} ${fmtShape(x.dims)} has ${fmtDim(x.dims[chAxis].v)} in dimension ${chAxis} (from ${lineRef(x.dims[chAxis].line)})`,
      [
        { line: want.line, message: `${fmtDim(want.v)} channels come from here` },
        { line: x.dims[chAxis].line, message: `${xName}.shape[${chAxis}] comes from here` },
      ],
    );
  const out = (dims: DimInfo[]): ArrVal =>
    makeArray(dims, 'torch', x.dtype, `${text}: ${l.kind} ${fmtShape(x.dims)} → ${fmtShape(dims)}`);
  if (isNorm) return out(x.dims);
  const w = l.window;
  const dims = x.dims.slice();
  if (!l.kind.includes('Pool')) dims[chAxis] = l.dims[1];
  for (let k = 0; k < n; k++) {
    const axis = nd - n + k;
    dims[axis] = w ? slide(x.dims[axis], w, k, line) : { v: freshSym(), line };
  }
  return out(dims);
}
