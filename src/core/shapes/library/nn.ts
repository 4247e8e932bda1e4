/**
 * `torch.nn` layers (built by `nn.Linear(768, 3072)`, applied by `layer(x)`), their weights,
 * and `torch.nn.functional`.
 */
import {
  dimEq,
  dimProd,
  fmtDim,
  fmtShape,
  lineRef,
  ShapeError,
  UNKNOWN,
  type ArrVal,
  type DimInfo,
  type LayerVal,
  type Val,
} from '../values';
import type { Node } from '../syntax';
import {
  argOr,
  dimOf,
  keywordIsFalse,
  makeArray,
  rows,
  shapeFrom,
  shortText,
  type Call,
  type Rule,
} from './call';
import { applyWindowLayer, CONV_LAYERS } from './conv';

/** A layer value: `kind` and its defining sizes. */
function layer(
  kind: string,
  dims: DimInfo[],
  line: number,
  extra: Partial<LayerVal> = {},
): LayerVal {
  return { k: 'layer', kind, dims, line, ...extra };
}

function sizeArg(call: Call, i: number, ...keywords: string[]): DimInfo | undefined {
  const v = argOr(call.args, i, ...keywords);
  return v ? dimOf(v) : undefined;
}

const linear: Rule = (_ctx, call) => {
  const i = sizeArg(call, 0, 'in_features');
  const o = sizeArg(call, 1, 'out_features');
  if (!i || !o) return UNKNOWN;
  return layer('Linear', [i, o], call.line, { bias: !keywordIsFalse(call.node, 'bias') });
};

const embedding: Rule = (_ctx, call) => {
  const n = sizeArg(call, 0, 'num_embeddings');
  const d = sizeArg(call, 1, 'embedding_dim');
  if (!n || !d) return UNKNOWN;
  return layer('Embedding', [n, d], call.line);
};

const layerNorm: Rule = (_ctx, call) => {
  const s = argOr(call.args, 0, 'normalized_shape');
  const shape = s ? shapeFrom([s]) : undefined;
  if (!shape) return UNKNOWN;
  return layer('LayerNorm', shape, call.line);
};

const sequential: Rule = (_ctx, call) => {
  const layers = call.args.pos.filter((v): v is LayerVal => v.k === 'layer');
  if (layers.length !== call.args.pos.length) return UNKNOWN;
  return layer('Sequential', [], call.line, { layers });
};

/** A layer that keeps its input's shape. */
const shapePreserving: Rule = (_ctx, call) => layer(call.name, [], call.line);

/** `nn.<name>(...)` → a layer value. */
export const LAYERS: Record<string, Rule> = {};
rows(LAYERS, ['Linear'], linear);
rows(LAYERS, ['Embedding'], embedding);
rows(LAYERS, ['LayerNorm'], layerNorm);
rows(LAYERS, ['Sequential'], sequential);
rows(LAYERS, ['Flatten'], shapePreserving);
Object.assign(LAYERS, CONV_LAYERS);
/** `nn.ModuleList([...])`: the list itself (iterating it gives its modules). */
rows(LAYERS, ['ModuleList'], (_ctx, call) => {
  const list = call.args.pos[0];
  return list?.k === 'tuple' ? list : UNKNOWN;
});
rows(
  LAYERS,
  [
    ...['ReLU', 'GELU', 'Dropout', 'Tanh', 'Sigmoid', 'SiLU', 'Identity', 'Softmax'],
    ...['LogSoftmax', 'LeakyReLU', 'ELU', 'Softplus', 'Mish', 'Hardtanh'],
  ],
  shapePreserving,
);

/** `layer.weight`, `layer.in_features`, …: the attributes of a layer value. */
export function layerAttribute(l: LayerVal, name: string, text: string): Val {
  const int = (d: DimInfo): Val => ({ k: 'int', v: d.v, line: d.line });
  if (l.kind === 'Linear') {
    if (name === 'weight')
      return makeArray(
        [l.dims[1], l.dims[0]],
        'torch',
        'float32',
        `${text}: Linear weight (out_features, in_features)`,
      );
    if (name === 'bias')
      return l.bias === false
        ? { k: 'none' }
        : makeArray([l.dims[1]], 'torch', 'float32', `${text}: Linear bias`);
    if (name === 'in_features') return int(l.dims[0]);
    if (name === 'out_features') return int(l.dims[1]);
  }
  if (l.kind === 'Embedding') {
    if (name === 'weight')
      return makeArray(
        [l.dims[0], l.dims[1]],
        'torch',
        'float32',
        `${text}: Embedding weight (num_embeddings, embedding_dim)`,
      );
    if (name === 'num_embeddings') return int(l.dims[0]);
    if (name === 'embedding_dim') return int(l.dims[1]);
  }
  if (l.kind === 'LayerNorm' && (name === 'weight' || name === 'bias'))
    return makeArray(l.dims, 'torch', 'float32', `${text}: LayerNorm ${name}`);
  return UNKNOWN;
}

/** `layer(x)` at call node n. */
export function callLayer(l: LayerVal, args: { pos: Val[] }, n: Node): Val {
  const x = args.pos[0];
  if (x?.k !== 'arr') return UNKNOWN;
  const argNode = n.childForFieldName('arguments')?.namedChildren[0];
  return applyLayer(
    l,
    x,
    argNode ? shortText(argNode) : 'input',
    n,
    shortText(n.childForFieldName('function') ?? n),
  );
}

/** The output of layer l (named layerName in messages) on input x (named xName). */
export function applyLayer(l: LayerVal, x: ArrVal, xName: string, n: Node, layerName: string): Val {
  const text = shortText(n);
  const nd = x.dims.length;
  const out = (dims: DimInfo[], dtype = x.dtype): ArrVal =>
    makeArray(dims, 'torch', dtype, `${text}: ${l.kind} ${fmtShape(x.dims)} → ${fmtShape(dims)}`);
  switch (l.kind) {
    case 'Linear': {
      const [inF, outF] = l.dims;
      if (nd === 0) throw new ShapeError(`${layerName} (Linear): input ${xName} is 0-dimensional`);
      const last = x.dims[nd - 1];
      if (dimEq(last.v, inF.v) === false) {
        const rowCount = dimProd(x.dims.slice(0, -1).map((d) => d.v));
        throw new ShapeError(
          `mat1 and mat2 shapes cannot be multiplied (${fmtDim(rowCount)}x${fmtDim(last.v)} and ${fmtDim(inF.v)}x${fmtDim(outF.v)}): ${layerName} is nn.Linear(in_features=${fmtDim(inF.v)} (from ${lineRef(inF.line)}), out_features=${fmtDim(outF.v)}) but ${xName} ${fmtShape(x.dims)} has last dimension ${fmtDim(last.v)} (from ${lineRef(last.line)})`,
          [
            { line: inF.line, message: `in_features = ${fmtDim(inF.v)} comes from here` },
            {
              line: last.line,
              message: `${xName}.shape[${nd - 1}] = ${fmtDim(last.v)} comes from here`,
            },
          ],
        );
      }
      return out([...x.dims.slice(0, -1), outF]);
    }
    case 'Embedding':
      return out([...x.dims, l.dims[1]], 'float32');
    case 'LayerNorm': {
      const k = l.dims.length;
      const tail = x.dims.slice(nd - k);
      if (nd < k || tail.some((d, i) => dimEq(d.v, l.dims[i].v) === false))
        throw new ShapeError(
          `${layerName} (LayerNorm): expected input with shape [*, ${l.dims.map((d) => fmtDim(d.v)).join(', ')}] (normalized_shape from ${lineRef(l.dims[0]?.line ?? l.line)}), but ${xName} has shape ${fmtShape(x.dims)}`,
          [{ line: l.dims[0]?.line ?? l.line, message: 'normalized_shape comes from here' }],
        );
      return out(x.dims);
    }
    case 'Sequential': {
      let cur: Val = x;
      const layers = l.layers ?? [];
      for (let i = 0; i < layers.length; i++) {
        if (cur.k !== 'arr') return UNKNOWN;
        cur = applyLayer(
          layers[i],
          cur,
          i === 0 ? xName : `the output of ${layerName}[${i - 1}]`,
          n,
          `${layerName}[${i}]`,
        );
      }
      return cur.k === 'arr'
        ? { ...cur, deriv: `${text}: Sequential ${fmtShape(x.dims)} → ${fmtShape(cur.dims)}` }
        : cur;
    }
    case 'Flatten':
      if (nd < 2) return UNKNOWN;
      return out([x.dims[0], { v: dimProd(x.dims.slice(1).map((d) => d.v)), line: n.startRow }]);
    default:
      if (l.kind in CONV_LAYERS) return applyWindowLayer(l, x, xName, layerName, text, n.startRow);
      return out(x.dims);
  }
}

/** `F.<name>(x, ...)` with x an array; names not here are looked up as array rules. */
type FunctionalRule = (call: Call, x: ArrVal, xName: string) => Val;

const functionalLinear: FunctionalRule = (call, x, xName) => {
  const W = call.args.pos[1] ?? call.args.kw.get('weight');
  if (W?.k !== 'arr' || W.dims.length !== 2) return UNKNOWN;
  const l = layer('Linear', [W.dims[1], W.dims[0]], call.line);
  const wName = call.args.nodes[1] ? shortText(call.args.nodes[1]) : 'weight';
  return applyLayer(l, x, xName, call.node, wName);
};

const functionalEmbedding: FunctionalRule = (call, x) => {
  const W = call.args.pos[1];
  if (W?.k !== 'arr' || W.dims.length !== 2) return UNKNOWN;
  return makeArray([...x.dims, W.dims[1]], 'torch', W.dtype, call.text);
};

const functionalLayerNorm: FunctionalRule = (call, x, xName) => {
  const s = argOr(call.args, 1, 'normalized_shape');
  const shape = s ? shapeFrom([s]) : undefined;
  if (!shape) return UNKNOWN;
  return applyLayer(layer('LayerNorm', shape, call.line), x, xName, call.node, 'layer_norm');
};

const oneHot: FunctionalRule = (call, x) => {
  const c = argOr(call.args, 1, 'num_classes');
  const d = c ? dimOf(c) : undefined;
  if (!d) return UNKNOWN;
  return makeArray([...x.dims, d], 'torch', 'int64', call.text);
};

const loss: FunctionalRule = (call, x) => makeArray([], 'torch', x.dtype, call.text);

const attention: FunctionalRule = (call, q) => {
  const v = call.args.pos[2];
  if (v?.k !== 'arr' || v.dims.length === 0) return UNKNOWN;
  return makeArray(
    [...q.dims.slice(0, -1), v.dims[v.dims.length - 1]],
    'torch',
    q.dtype,
    call.text,
  );
};

export const FUNCTIONAL: Record<string, FunctionalRule> = {};
rows(FUNCTIONAL, ['linear'], functionalLinear);
rows(FUNCTIONAL, ['embedding'], functionalEmbedding);
rows(FUNCTIONAL, ['layer_norm'], functionalLayerNorm);
rows(FUNCTIONAL, ['one_hot'], oneHot);
rows(
  FUNCTIONAL,
  [
    ...['cross_entropy', 'mse_loss', 'nll_loss', 'l1_loss', 'binary_cross_entropy'],
    'binary_cross_entropy_with_logits',
  ],
  loss,
);
rows(FUNCTIONAL, ['scaled_dot_product_attention'], attention);
rows(FUNCTIONAL, ['normalize'], (call, x) => makeArray(x.dims, 'torch', x.dtype, call.text));
rows(FUNCTIONAL, ['pad'], () => UNKNOWN);
