/**
 * Compares the checker's claims with a runtime trace (trace.ts): every shape it claims must
 * agree with every runtime value of that name on that line (symbols consistently), every
 * dtype too; an error is reported only on the line that raised at runtime.
 */
import type { ShapeResult } from '../../../src/core/shapes';
import type { TraceResult } from './trace';

export interface Comparison {
  /** Runtime arrays and numbers recorded at assignments. */
  total: number;
  /** Of those, the ones the checker gave a shape. */
  known: number;
  /** Distinct (program, line, name) places among the records, and those given a shape. */
  sites: number;
  knownSites: number;
  symbolic: number;
  dtypeChecked: number;
  /** Claims that disagree with the runtime. */
  wrong: string[];
  dtypeWrong: string[];
  falseAlarms: string[];
  /** Programs that raised; flagged on the raising line (and nowhere earlier). */
  errorPrograms: number;
  flagged: number;
  missed: string[];
  unknown: string[];
}

export function compare(
  ids: string[],
  traces: TraceResult[],
  results: ShapeResult[],
  lineOffset = 0,
): Comparison {
  const c: Comparison = {
    total: 0,
    known: 0,
    sites: 0,
    knownSites: 0,
    symbolic: 0,
    dtypeChecked: 0,
    wrong: [],
    dtypeWrong: [],
    falseAlarms: [],
    errorPrograms: 0,
    flagged: 0,
    missed: [],
    unknown: [],
  };
  ids.forEach((id, i) => {
    const t = traces[i];
    const r = results[i];
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    const at = (d: { line: number }): number => d.line + 1 - lineOffset;
    if (t.error) {
      c.errorPrograms++;
      const hit = errs.some((d) => at(d) === t.error?.line);
      const early = errs.filter((d) => at(d) < (t.error?.line ?? 0));
      if (hit && early.length === 0) c.flagged++;
      else
        c.missed.push(
          `${id}: runtime ${t.error.type} on line ${t.error.line} (${t.error.message}); checker: ${errs.map((d) => `${at(d)}: ${d.message}`).join(' | ') || 'nothing'}`,
        );
      for (const d of early)
        c.falseAlarms.push(
          `${id}: line ${at(d)}: ${d.message} (runtime error only on line ${t.error.line})`,
        );
    } else for (const d of errs) c.falseAlarms.push(`${id}: line ${at(d)}: ${d.message}`);
    const places = new Map<string, boolean>();
    const bind = new Map<string, number>();
    // a record seen again in its frame starts a new loop iteration (an epoch of that frame)
    const epochs = new Map<string | number, { n: number; seen: Set<string> }>();
    for (const rec of t.records) {
      let ep = epochs.get(rec.frame);
      if (!ep) epochs.set(rec.frame, (ep = { n: 0, seen: new Set() }));
      const here = `${rec.line}:${rec.name}`;
      if (ep.seen.has(here)) {
        ep.n++;
        ep.seen.clear();
      }
      ep.seen.add(here);
      c.total++;
      const where = `${id} line ${rec.line} ${rec.name}`;
      const e = r.shapes.find((s) => at(s) === rec.line && s.name === rec.name);
      if (!places.has(here)) places.set(here, !!e && e.shape !== null);
      if (!e || e.shape === null) {
        c.unknown.push(`${where}: runtime ${JSON.stringify(rec.shape)}`);
        continue;
      }
      c.known++;
      if (e.shape.some((d) => typeof d === 'string')) c.symbolic++;
      if (!shapeMatches(e.shape, rec.shape, rec.frame, bind, ep.n))
        c.wrong.push(
          `${where}: checker ${JSON.stringify(e.shape)} (${e.derivation}) vs runtime ${JSON.stringify(rec.shape)}`,
        );
      if (e.dtype && rec.dtype) {
        c.dtypeChecked++;
        if (e.dtype !== rec.dtype)
          c.dtypeWrong.push(`${where}: checker ${e.dtype} vs runtime ${rec.dtype}`);
      }
    }
    c.sites += places.size;
    for (const k of places.values()) if (k) c.knownSites++;
  });
  return c;
}

export const pct = (a: number, b: number): string =>
  (b ? ((100 * a) / b).toFixed(1) : '100.0') + '%';

/**
 * Whether the checker's shape agrees with the runtime one: numbers equal, and each symbol bound
 * to one runtime size per frame (`bind` keeps the bindings across the records of a program).
 * A fresh symbol (an unnamed size, `?#12`, made where the checker evaluates a loop body once
 * for all its iterations) is one size per iteration: it is bound per `epoch` of the frame.
 */
export function shapeMatches(
  claimed: readonly (number | string)[],
  runtime: readonly number[],
  frame: string | number,
  bind: Map<string, number>,
  epoch = 0,
): boolean {
  if (claimed.length !== runtime.length) return false;
  let ok = true; // every dimension is visited, so each symbol gets bound even after a mismatch
  claimed.forEach((d, k) => {
    if (typeof d === 'number') ok &&= d === runtime[k];
    else {
      const key = /#\d{1,6}(?!\d)/.test(d) ? `${frame}@${epoch}:${d}` : `${frame}:${d}`;
      const prev = bind.get(key);
      if (prev === undefined) bind.set(key, runtime[k]);
      else ok &&= prev === runtime[k];
    }
  });
  return ok;
}
