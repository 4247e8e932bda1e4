import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliCommand, UsageError, parseArgs } from '../command';
import { createShapeAnalyzer, type TreeSitterModule } from '../../core/shapes';

/** The wasm files live next to the bundle (dist/); from sources, in node_modules. */
function wasmPath(name: string, pkgPath: string): string {
  const candidates = [join(__dirname, name), join(process.cwd(), 'node_modules', pkgPath)];
  const hit = candidates.find((p) => existsSync(p));
  if (!hit) throw new UsageError(`cannot find ${name} next to ${__dirname}`);
  return hit;
}

/** Expands `*`, `?` and `**` in a path with the file system (no shell). */
export function expandGlob(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return existsSync(pattern) ? [pattern] : [];
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex((p) => /[*?]/.test(p));
  const base = parts.slice(0, firstGlob).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const rest = parts.slice(firstGlob);
  const toRe = (seg: string): RegExp =>
    new RegExp(
      '^' +
        seg
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]') +
        '$',
    );
  const out: string[] = [];
  const walk = (dir: string, segs: string[]): void => {
    if (segs.length === 0) {
      if (existsSync(dir) && statSync(dir).isFile()) out.push(dir);
      return;
    }
    const [seg, ...more] = segs;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
    if (seg === '**') {
      walk(dir, more);
      for (const e of readdirSync(dir))
        if (statSync(join(dir, e)).isDirectory()) walk(join(dir, e), segs);
      return;
    }
    const re = toRe(seg);
    for (const e of readdirSync(dir).sort())
      if (re.test(e)) walk(dir === '.' && !pattern.startsWith('./') ? e : join(dir, e), more);
  };
  walk(base, rest);
  return [...new Set(out)];
}

export const shapesCommand: CliCommand = {
  name: 'shapes',
  usage: 'shapes FILE_OR_GLOB... [--json]',
  summary: 'inferred NumPy/PyTorch shapes of every assigned name, and shape errors',
  async run(args, ctx) {
    const { positionals, flags } = parseArgs(args, { flags: ['--json'] });
    if (positionals.length === 0) throw new UsageError('shapes needs at least one FILE or glob');
    const files: string[] = [];
    for (const p of positionals) {
      const hits = expandGlob(p);
      if (hits.length === 0) throw new UsageError(`no such file: ${p}`);
      files.push(...hits);
    }
    const analyzer = await createShapeAnalyzer({
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      treeSitter: require('web-tree-sitter') as TreeSitterModule,
      treeSitterWasm: new Uint8Array(
        readFileSync(wasmPath('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm')),
      ),
      pythonWasm: new Uint8Array(
        readFileSync(
          wasmPath('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'),
        ),
      ),
    });
    const multi = files.length > 1;
    const shapes: Record<string, unknown>[] = [];
    const diagnostics: Record<string, unknown>[] = [];
    let errors = 0;
    for (const f of files) {
      let src: string;
      try {
        src = readFileSync(f, 'utf8');
      } catch {
        throw new UsageError(`cannot read ${f}`);
      }
      const r = analyzer.analyze(src);
      for (const s of r.shapes) {
        const e: Record<string, unknown> = {
          line: s.line + 1,
          column: s.column + 1,
          name: s.name,
          shape: s.shape,
        };
        if (s.dtype) e.dtype = s.dtype;
        if (s.value !== undefined) e.value = s.value;
        e.derivation = s.derivation;
        if (multi) e.file = f;
        shapes.push(e);
      }
      for (const d of r.diagnostics) {
        if (d.severity === 'error') errors++;
        const e: Record<string, unknown> = {
          line: d.line + 1,
          column: d.column + 1,
          endLine: d.endLine + 1,
          endColumn: d.endColumn + 1,
          severity: d.severity,
          message: d.message,
          related: d.related.map((x) => ({ line: x.line + 1, message: x.message })),
        };
        if (multi) e.file = f;
        diagnostics.push(e);
      }
    }
    analyzer.dispose();
    if (flags.has('--json')) ctx.out(JSON.stringify({ shapes, diagnostics }) + '\n');
    else {
      const fmt = (s: unknown): string => {
        const d = s as (number | string)[] | null;
        return d === null ? '?' : d.length === 1 ? `(${d[0]},)` : `(${d.join(', ')})`;
      };
      for (const s of shapes) {
        const where = `${multi ? `${s.file}:` : ''}${s.line}`;
        const val = s.value !== undefined ? ` = ${s.value}` : '';
        ctx.out(`${where}: ${s.name}: ${fmt(s.shape)}${s.dtype ? ` ${s.dtype}` : ''}${val}\n`);
      }
      for (const d of diagnostics)
        ctx.out(`${multi ? `${d.file}:` : ''}${d.line}:${d.column}: ${d.severity}: ${d.message}\n`);
    }
    return errors > 0 ? 1 : 0;
  },
};
