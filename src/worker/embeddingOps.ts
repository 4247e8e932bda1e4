/**
 * The worker's embeddings and compare operations (protocol: src/protocol/embeddings.ts). Opened
 * vectors (float32, with their norms) stay here under the caller's key, at most two sets, so a
 * neighbour query or a tile costs only its own arithmetic.
 */
import { LensError } from '../core/errors';
import { Vectors, vectorsOf } from '../core/embeddings/vectors';
import { rowOf, topNeighbors } from '../core/embeddings/neighbors';
import { cosineOverview, cosineWindow } from '../core/embeddings/cosineTiles';
import { embeddingPca } from '../core/embeddings/pcaProjection';
import { nearDuplicates } from '../core/embeddings/nearDuplicates';
import { clusterOrder } from '../core/embeddings/clusterOrder';
import { compareArrays } from '../core/compare/compareArrays';
import type { Handlers } from '../protocol/rpc';
import { duplicateSearchRefusal, type EmbeddingsApi } from '../protocol/embeddings';
import { loadRef, refLabel } from './analysisOps';
import type { WorkerContext } from './worker';

const KEEP = 2;
const held = new Map<string, { name: string; v: Vectors }>();

function vectorsFor(key: string): Vectors {
  const h = held.get(key);
  if (!h) throw new LensError('the embeddings are no longer loaded; open them again');
  return h.v;
}

export const embeddingHandlers: Handlers<EmbeddingsApi, WorkerContext> = {
  embeddingsOpen: async (p, { control }) => {
    const { name, raw } = await prefixed(refLabel(p.ref), () => loadRef(p.ref, p.maxBytes));
    control.tick(0.5);
    const v = await prefixed(refLabel(p.ref), () => Promise.resolve(vectorsOf(raw)));
    held.delete(p.key);
    held.set(p.key, { name, v });
    while (held.size > KEEP) held.delete(held.keys().next().value as string);
    return {
      key: p.key,
      name,
      rows: v.rows,
      cols: v.cols,
      zeroRows: v.zeroRows.slice(0, 1000),
      nonFiniteRows: v.nonFiniteRows.slice(0, 1000),
    };
  },
  embeddingsNeighbors: (p) => {
    const v = vectorsFor(p.key);
    let query: Float32Array;
    if (p.row !== undefined) {
      if (!Number.isInteger(p.row) || p.row < 0 || p.row >= v.rows)
        throw new LensError(`row ${p.row} is outside 0..${v.rows - 1}`);
      if (v.nonFiniteRows.includes(p.row))
        throw new LensError(`row ${p.row} holds NaN or Inf values`);
      query = rowOf(v, p.row);
    } else if (p.query) {
      if (p.query.length !== v.cols)
        throw new LensError(`the query has ${p.query.length} values; the vectors have ${v.cols}`);
      query = p.query;
    } else throw new LensError('give a row or a query vector');
    return { neighbors: topNeighbors(v, query, { k: p.k, by: p.by, exclude: p.row }) };
  },
  embeddingsTiles: (p, { transfer }) => {
    const v = vectorsFor(p.key);
    if (p.order && (p.order.length !== v.rows || !isPermutation(p.order)))
      throw new LensError(`the display order is not a permutation of the ${v.rows} rows`);
    const t = p.window
      ? cosineWindow(v, p.window.row0, p.window.rows, p.window.col0, p.window.cols, p.order)
      : cosineOverview(v, p.size ?? 512, p.order);
    const values = Float32Array.from(t.data);
    transfer(values.buffer);
    return {
      rows: t.rows,
      cols: t.cols,
      values,
      rowStarts: t.rowStarts,
      colStarts: t.colStarts,
    };
  },
  embeddingsRelease: (p) => {
    held.delete(p.key);
    return {};
  },
  embeddingsPca: (p, { transfer }) => {
    const v = vectorsFor(p.key);
    const all = embeddingPca(v, Math.min(10, v.cols));
    const k = Math.min(3, all.k);
    const projections = new Float32Array(v.rows * k);
    for (let i = 0; i < v.rows; i++)
      for (let c = 0; c < k; c++) projections[i * k + c] = all.projections[i * all.k + c];
    const norms = Float32Array.from(v.norms);
    transfer(projections.buffer);
    transfer(norms.buffer);
    return {
      k,
      projections,
      explainedVariance: all.explainedVariance,
      explainedVarianceRatio: all.explainedVarianceRatio,
      norms,
      samples: all.samples,
    };
  },
  embeddingsClusterOrder: (p, { transfer }) => {
    const v = vectorsFor(p.key);
    const c = clusterOrder(v.data, v.rows, v.cols);
    transfer(c.order.buffer);
    return { order: c.order, k: c.k, sizes: c.sizes };
  },
  embeddingsDuplicates: (p) => {
    const v = vectorsFor(p.key);
    const refusal = duplicateSearchRefusal(v.rows, v.cols);
    if (refusal) throw new LensError(refusal, 'unsupported');
    if (!(p.threshold >= -1 && p.threshold <= 1))
      throw new LensError(`the threshold ${p.threshold} is outside −1…1`);
    return nearDuplicates(v, p.threshold, Math.max(1, Math.min(p.maxPairs ?? 200, 1000)));
  },
  compareArrays: async (p, { control }) => {
    const a = await prefixed(refLabel(p.a), () => loadRef(p.a, p.maxBytes));
    control.tick(0.3);
    const b = await prefixed(refLabel(p.b), () => loadRef(p.b, p.maxBytes));
    control.tick(0.6);
    return compareArrays(a.raw, b.raw, { rtol: p.rtol, atol: p.atol, anglesK: p.anglesK });
  },
};

function isPermutation(order: Int32Array): boolean {
  const seen = new Uint8Array(order.length);
  for (const i of order) {
    if (i < 0 || i >= order.length || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

async function prefixed<T>(label: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof LensError) throw new LensError(`${label}: ${e.message}`, e.code);
    throw e;
  }
}
