/**
 * The worker's compare-view operations (protocol: src/protocol/compare.ts): two arrays through
 * the worker's cache (compareArrays + the Δ map), and two checkpoints streamed pair by pair
 * (compareCheckpoints), with progress per tensor and Cancel between pieces of work.
 */
import { compareCheckpoints } from '../core/compare/checkpointDiff';
import { compareArrays } from '../core/compare/compareArrays';
import { DeltaMap, deltaMap } from '../core/compare/deltaMap';
import { LensError } from '../core/errors';
import type { Handlers } from '../protocol/rpc';
import type { CompareApi } from '../protocol/compare';
import { loadRef, refLabel } from './analysisOps';
import { openFile } from './arrays';
import type { WorkerContext } from './worker';
import { basename } from 'node:path';
import type { ArraySource } from '../protocol/common';

/** Principal angles need two full SVDs: only for matrices up to this side. */
export const ANGLES_MAX_SIDE = 1024;

export const compareHandlers: Handlers<CompareApi, WorkerContext> = {
  compareView: async (p, { control, transfer }) => {
    const t0 = Date.now();
    const a = await prefixed(refLabel(p.a), () => loadRef(p.a, p.maxBytes));
    control.tick(0.2);
    const b = await prefixed(refLabel(p.b), () => loadRef(p.b, p.maxBytes));
    control.tick(0.4);
    const square = a.raw.shape.length === 2 ? Math.min(a.raw.shape[0], a.raw.shape[1]) : 0;
    const anglesOk = square > 0 && Math.max(...a.raw.shape) <= ANGLES_MAX_SIDE;
    let map: DeltaMap | null = null;
    const comparison = compareArrays(a.raw, b.raw, {
      rtol: p.rtol,
      atol: p.atol,
      anglesK: anglesOk ? Math.min(p.k, square) : 0,
      // the Δ map from the values compareArrays decoded (no second float64 copy of A and B)
      visit: (va, vb, components) => {
        map = deltaMap(va, vb, a.raw.shape, components, p.maxSide);
      },
    });
    control.tick(0.9);
    const drawn = map as DeltaMap | null;
    if (drawn) transfer(drawn.values.buffer);
    let anglesNote: string | undefined;
    if (comparison.spectrum && !comparison.angles)
      anglesNote = `principal angles are computed for matrices up to ${ANGLES_MAX_SIDE} a side`;
    return {
      nameA: a.name,
      nameB: b.name,
      comparison,
      map: drawn,
      ...(anglesNote ? { anglesNote } : {}),
      ms: Date.now() - t0,
    };
  },
  compareCheckpointFiles: async (p, { control }) => {
    const t0 = Date.now();
    const fa = await prefixed(label(p.a), () => openFile(p.a));
    const fb = await prefixed(label(p.b), () => openFile(p.b));
    control.tick(0);
    const diff = await compareCheckpoints(fa.file.entries, fb.file.entries, {
      rtol: p.rtol,
      atol: p.atol,
      // ΔW kept for its spectrum within the same limit as any array the worker loads
      deltaBytes: p.maxBytes,
      onRow: (_row, i, n) => control.tick((i + 1) / n),
    });
    // the table needs the ranks, not every singular value
    for (const r of diff.rows)
      if (r.spectrum) r.spectrum.singularValues = r.spectrum.singularValues.slice(0, 64);
    return { ...diff, ms: Date.now() - t0 };
  },
};

function label(s: ArraySource): string {
  return 'path' in s ? basename(s.path) : 'name' in s ? s.name : 'selection';
}

async function prefixed<T>(name: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof LensError) throw new LensError(`${name}: ${e.message}`, e.code);
    throw e;
  }
}
