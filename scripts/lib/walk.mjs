import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The files under `dir` (recursively) for which `pred(path)` holds; none when it is missing. */
export function walk(dir, pred) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, pred) : pred(p) ? [p] : [];
  });
}
