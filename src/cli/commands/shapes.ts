import {
  closeSync,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  realpathSync,
  statSync,
  constants,
} from 'node:fs';
import { join } from 'node:path';
import { CliCommand, UsageError, parseArgs } from '../command';
import { parseMaxBytes } from '../load';
import { formatBytes } from '../../core/array/ndarray';
import {
  createShapeAnalyzer,
  fmtDim,
  type ShapeAnalyzer,
  type ShapeResult,
  type TreeSitterModule,
} from '../../core/shapes';
import { cellAt, parseNotebook, type NotebookProgram } from '../../core/shapes/notebook';
import { blankLargeGroups } from '../../core/shapes/largeLiterals';

/** Larger files are not read at all (`--max-bytes` above it raises this too). */
export const MAX_READ_BYTES = 8 * 1024 * 1024;

/**
 * Default cap on the source analysed (`--max-bytes` changes it), counted without the literals
 * over 100k characters that are blanked to unknown values. The analysis holds about 290 bytes
 * per source byte (the syntax tree copied out of tree-sitter, a value per node): 512 KiB (~12k
 * lines) peaks near 240 MB of process memory, inside the CLI's bound of 256 MB plus twice what
 * is shown; 1 MiB would need ~380 MB (BENCHMARKS.md, "Activation and hostile input").
 */
export const MAX_SOURCE_BYTES = 512 * 1024;

function tooLarge(what: string, maxBytes: number): Error {
  return new Error(
    `too large to analyse (${what}; the limit is ${formatBytes(maxBytes)}, --max-bytes raises it)`,
  );
}

/** The wasm files live next to the bundle (dist/); from sources, in node_modules. */
function wasmPath(name: string, pkgPath: string): string {
  const candidates = [join(__dirname, name), join(process.cwd(), 'node_modules', pkgPath)];
  const hit = candidates.find((p) => existsSync(p));
  if (!hit) throw new UsageError(`cannot find ${name} next to ${__dirname}`);
  return hit;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false; // dangling symlink, loop, no permission
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Expands `*`, `?` and `**` in a path with the file system (no shell). Dangling symlinks are
 * skipped; a directory reached twice through symlinks (a loop) is walked once.
 */
export function expandGlob(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return existsSync(pattern) || isSymlink(pattern) ? [pattern] : [];
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
  const walked = new Set<string>();
  const walk = (dir: string, segs: string[]): void => {
    if (segs.length === 0) {
      if (isFile(dir)) out.push(dir);
      return;
    }
    const [seg, ...more] = segs;
    if (!isDirectory(dir)) return;
    if (seg === '**') {
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        return;
      }
      const key = `${real}\0${segs.length}`;
      if (walked.has(key)) return;
      walked.add(key);
      walk(dir, more);
      for (const e of list(dir)) if (isDirectory(join(dir, e))) walk(join(dir, e), segs);
      return;
    }
    const re = toRe(seg);
    for (const e of list(dir))
      if (re.test(e)) walk(dir === '.' && !pattern.startsWith('./') ? e : join(dir, e), more);
  };
  walk(base, rest);
  return [...new Set(out)];
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Reads a source file: refused before opening unless it is a regular file (a FIFO or device
 * would block or never end), opened without blocking, checked again on the open descriptor,
 * and capped at MAX_SOURCE_BYTES.
 */
export function readSource(path: string, maxBytes = MAX_READ_BYTES): string {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? 'no such file (or a dangling symlink)'
        : `cannot read (${code ?? 'error'})`,
    );
  }
  if (!st.isFile()) throw new Error('not a regular file');
  if (st.size > maxBytes) throw tooLarge(formatBytes(st.size), maxBytes);
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw new Error('not a regular file');
    const buf = Buffer.alloc(Math.min(fst.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const k = readSync(fd, buf, n, buf.length - n, null);
      if (k === 0) break;
      n += k;
      if (n >= buf.length) throw tooLarge(`more than ${formatBytes(maxBytes)}`, maxBytes);
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Control characters escaped (no terminal sequences from file content), long text elided. */
export function clean(s: string, max = 200): string {
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\t' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  if (escaped.length <= max) return escaped;
  const keep = Math.floor((max - 20) / 2);
  return `${escaped.slice(0, keep)}…(${escaped.length - 2 * keep} more)…${escaped.slice(-keep)}`;
}

/** Where a 0-based program line is, 1-based, for output: `12` or `cell 3:4` in a notebook. */
function place(line: number, nb: NotebookProgram | undefined): { line: number; cell?: number } {
  if (!nb) return { line: line + 1 };
  const at = cellAt(nb, line);
  return at ? { line: at.line + 1, cell: at.cell.index + 1 } : { line: line + 1 };
}

function analyzeFile(
  analyzer: ShapeAnalyzer,
  file: string,
  maxBytes: number,
): { result: ShapeResult; notebook?: NotebookProgram } {
  const text = readSource(file, Math.max(maxBytes, MAX_READ_BYTES));
  const notebook = file.toLowerCase().endsWith('.ipynb') ? parseNotebook(text) : undefined;
  const source = notebook ? notebook.source : text;
  // what the parser will build nodes for: the source less the literals blanked to unknowns
  const { blanked } = blankLargeGroups(source);
  const analysed = source.length - blanked.reduce((sum, g) => sum + g.chars, 0);
  if (analysed > maxBytes) throw tooLarge(`${formatBytes(analysed)} of code`, maxBytes);
  return { result: analyzer.analyze(source), notebook };
}

export const shapesCommand: CliCommand = {
  name: 'shapes',
  usage: 'shapes FILE_OR_GLOB... [--json] [--strict] [--max-bytes N]',
  help: [
    'Infers the shape of every assigned NumPy/PyTorch name and reports shape errors, in .py',
    'files and .ipynb notebooks (cells in order). Nothing is imported or run.',
    '',
    '  --json           one JSON document',
    '  --strict         exit 1 also on a syntax error or a skipped file (shape errors: always)',
    '  --max-bytes N    largest source analysed (default 512K; K/M suffixes). The analysis',
    '                   holds ~300 bytes per source byte, so the default keeps the process',
    '                   under ~250 MB; larger files are skipped with a note',
  ].join('\n'),
  summary: 'inferred NumPy/PyTorch shapes of every assigned name, and shape errors (.py, .ipynb)',
  async run(args, ctx) {
    const { positionals, flags, options } = parseArgs(args, {
      flags: ['--json', '--strict'],
      options: ['--max-bytes'],
    });
    const maxBytes = options.has('--max-bytes')
      ? parseMaxBytes(options.get('--max-bytes'))
      : MAX_SOURCE_BYTES;
    if (positionals.length === 0) throw new UsageError('shapes needs at least one FILE or glob');
    const files: string[] = [];
    for (const p of positionals) {
      const hits = expandGlob(p);
      if (hits.length === 0) throw new UsageError(`no such file: ${clean(p)}`);
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
    let problems = 0;
    let analysed = 0;
    const note = (file: string, text: string): void => {
      problems++;
      process.stderr.write(`matrix-lens shapes: ${clean(file)}: ${clean(text, 300)}\n`);
    };
    for (const f of files) {
      let analysis: ReturnType<typeof analyzeFile>;
      try {
        analysis = analyzeFile(analyzer, f, maxBytes);
      } catch (e) {
        // one bad file never blanks the others
        note(f, e instanceof Error ? e.message : String(e));
        continue;
      }
      analysed++;
      const { result: r, notebook } = analysis;
      if (r.syntaxError) {
        const at = place(r.syntaxError.line, notebook);
        note(
          f,
          `${at.cell ? `cell ${at.cell}, ` : ''}line ${at.line}:${r.syntaxError.column + 1}: syntax error; the rest of the file was analysed`,
        );
      }
      if (r.incomplete) note(f, `${r.incomplete}; what follows is not checked`);
      for (const b of r.blanked ?? []) {
        const at = place(b.line, notebook);
        note(
          f,
          `${at.cell ? `cell ${at.cell}, ` : ''}line ${at.line}: a bracketed group of ${b.chars} characters is too large to parse quickly; it was analysed as an unknown value`,
        );
      }
      for (const s of r.shapes) {
        const at = place(s.line, notebook);
        const e: Record<string, unknown> = {
          line: at.line,
          column: s.column + 1,
          name: clean(s.name),
          // symbols by the name they are shown by (`B`, `n_embd`), as in hovers
          shape: s.shape && s.shape.map((d) => (typeof d === 'number' ? d : fmtDim(d))),
        };
        if (at.cell) e.cell = at.cell;
        if (s.dtype) e.dtype = s.dtype;
        if (s.value !== undefined)
          e.value = typeof s.value === 'number' ? s.value : fmtDim(s.value);
        e.derivation = clean(s.derivation);
        if (multi) e.file = f;
        shapes.push(e);
      }
      for (const d of r.diagnostics) {
        if (d.severity === 'error') errors++;
        const at = place(d.line, notebook);
        const e: Record<string, unknown> = {
          line: at.line,
          column: d.column + 1,
          endLine: place(d.endLine, notebook).line,
          endColumn: d.endColumn + 1,
          severity: d.severity,
          message: clean(d.message, 1000),
          related: d.related.map((x) => ({
            line: place(x.line, notebook).line,
            message: clean(x.message),
          })),
        };
        if (at.cell) e.cell = at.cell;
        if (multi) e.file = f;
        diagnostics.push(e);
      }
    }
    analyzer.dispose();
    if (flags.has('--json'))
      ctx.out(
        JSON.stringify({ shapes, diagnostics }).replace(
          /[\u007f-\u009f\u2028\u2029]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        ) + '\n',
      );
    else {
      const fmt = (s: unknown): string => {
        const d = s as (number | string)[] | null;
        return d === null ? '?' : clean(d.length === 1 ? `(${d[0]},)` : `(${d.join(', ')})`);
      };
      const where = (e: Record<string, unknown>): string =>
        `${multi ? `${clean(String(e.file))}:` : ''}${e.cell ? `cell ${e.cell}:` : ''}${e.line}`;
      for (const s of shapes) {
        const val = s.value !== undefined ? ` = ${clean(String(s.value))}` : '';
        ctx.out(`${where(s)}: ${s.name}: ${fmt(s.shape)}${s.dtype ? ` ${s.dtype}` : ''}${val}\n`);
      }
      for (const d of diagnostics)
        ctx.out(`${where(d)}:${d.column}: ${d.severity}: ${d.message}\n`);
    }
    if (analysed === 0) return 2;
    if (errors > 0) return 1;
    return flags.has('--strict') && problems > 0 ? 1 : 0;
  },
};
