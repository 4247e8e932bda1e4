/**
 * The interpreter's state between two top-level statements, kept so that the analysis of an
 * edited file can start again at the first statement that changed instead of at the top.
 *
 * A checkpoint taken before statement `index` holds everything the statements before it left
 * behind: the module's names (values copied where later statements could change them in
 * place: objects and the scopes functions close over), the findings so far, whether torch was
 * imported, and the fresh-symbol count. It is valid for any later text whose first `index`
 * top-level statements are the same copied nodes at the same places (see index.ts), since
 * the interpreter runs the module's statements in order and each sees only what came before.
 */
import type { Findings } from './findings';
import { Env, type Val } from './values';

export interface Checkpoint {
  /** The top-level statement the state is taken before. */
  readonly index: number;
  readonly env: Env;
  readonly findings: Findings;
  readonly torchUsed: boolean;
  readonly incomplete: string | undefined;
  readonly symbols: number;
}

/**
 * A copy of `env` and everything reachable from it that the interpreter changes in place:
 * scopes (`Env.vars`) and objects (`attrs`). Values without such parts are immutable and
 * shared. Shared structure stays shared in the copy (a function's scope is the copied module
 * scope, two names bound to one object are bound to one copied object).
 */
export function cloneEnv(env: Env): Env {
  const seen = new Map<object, unknown>();
  const envCopy = (e: Env): Env => {
    const had = seen.get(e);
    if (had) return had as Env;
    const c = new Env(e.parent && envCopy(e.parent));
    seen.set(e, c);
    for (const [k, v] of e.vars) c.vars.set(k, valCopy(v));
    return c;
  };
  const valCopy = (v: Val): Val => {
    switch (v.k) {
      case 'obj': {
        const had = seen.get(v);
        if (had) return had as Val;
        const c: Val = { k: 'obj', attrs: new Map() };
        seen.set(v, c);
        for (const [k, x] of v.attrs) c.attrs.set(k, valCopy(x));
        return c;
      }
      case 'func': {
        const had = seen.get(v);
        if (had) return had as Val;
        const c = { ...v, env: envCopy(v.env) };
        seen.set(v, c);
        return c;
      }
      case 'tuple': {
        // tuples are never changed in place, but may hold objects and functions
        if (!v.items.some(mutable)) return v;
        const had = seen.get(v);
        if (had) return had as Val;
        const c = { ...v, items: v.items.map(valCopy) };
        seen.set(v, c);
        return c;
      }
      default:
        return v;
    }
  };
  return envCopy(env);
}

function mutable(v: Val): boolean {
  return v.k === 'obj' || v.k === 'func' || (v.k === 'tuple' && v.items.some(mutable));
}
