/** Reads test/fixtures/shapes/*.py: programs separated by `# %% name` lines, each run after PRELUDE. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './load';

export const PRELUDE =
  'import numpy as np\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

export interface Program {
  file: string;
  name: string;
  source: string;
}

export function loadCorpus(): Program[] {
  const dir = join(ROOT, 'test/fixtures/shapes');
  const out: Program[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.py'))
    .sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const parts = text.split(/^# %% /m).slice(1);
    for (const p of parts) {
      const nl = p.indexOf('\n');
      out.push({
        file: f,
        name: p.slice(0, nl).trim(),
        source: PRELUDE + p.slice(nl + 1).trimEnd() + '\n',
      });
    }
  }
  return out;
}
