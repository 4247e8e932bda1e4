/**
 * Shape checker for unannotated NumPy and PyTorch code.
 *
 *   const analyzer = await createShapeAnalyzer({ treeSitterWasm, pythonWasm });
 *   const r = analyzer.analyze(source);
 *   r.shapes       // every assigned name: { line, column, name, shape, dtype?, derivation }
 *   r.diagnostics  // operations that provably raise: { line, column, endLine, endColumn, ... }
 *   r.hoverAt(line, column)
 *
 * ALL LINES AND COLUMNS IN THIS API ARE 0-BASED (like VS Code positions); the CLI prints
 * 1-based lines. The wasm inputs are bytes or a path/URL that web-tree-sitter can load
 * (the core never touches the file system itself).
 *
 * `treeSitter` is the web-tree-sitter module itself, passed in by the caller as
 * `require('web-tree-sitter')`: a CommonJS bundle (dist/cli.js, dist/extension.js) must get
 * the package's CommonJS build, and esbuild only picks it for a `require` call; its ESM build
 * needs `import.meta.url`, which a CommonJS bundle does not have.
 */
import { BlankedGroup, blankLargeGroups } from './largeLiterals';
import type * as TreeSitter from 'web-tree-sitter';
import type { Tree } from 'web-tree-sitter';
import type { HoverInfo, ShapeDiagnostic, ShapeEntry } from './findings';
import type { Checkpoint } from './checkpoint';
import { Interpreter } from './interpreter';
import { copyTree, type Node as SyntaxNode } from './syntax';

export type { HoverInfo, ShapeDiagnostic, ShapeEntry } from './findings';
export type { BlankedGroup } from './largeLiterals';
export { fmtShape, fmtDim } from './values';

export interface ShapeResult {
  shapes: ShapeEntry[];
  diagnostics: ShapeDiagnostic[];
  /** The innermost inferred expression or name at a 0-based position, or undefined. */
  hoverAt(line: number, column: number): HoverInfo | undefined;
  /** The first syntax error (0-based); the statements around it are still analysed. */
  syntaxError?: { line: number; column: number };
  /** Why the analysis stopped early (time budget, nesting), if it did. */
  incomplete?: string;
  /** Bracketed groups too large to parse quickly, analysed as unknown values. */
  blanked?: BlankedGroup[];
}

export interface AnalyzeOptions {
  /** Stop interpreting after this many milliseconds; what follows stays unknown. */
  budgetMs?: number;
}

export interface ShapeAnalyzerOptions {
  /** web-tree-sitter's own wasm (`web-tree-sitter.wasm`): bytes or a path/URL. */
  treeSitterWasm: Uint8Array | string;
  /** The Python grammar (`tree-sitter-python.wasm`): bytes or a path/URL. */
  pythonWasm: Uint8Array | string;
  /** The web-tree-sitter module (`require('web-tree-sitter')`). */
  treeSitter: TreeSitterModule;
}

export type TreeSitterModule = Pick<typeof TreeSitter, 'Parser' | 'Language'>;

export interface ShapeAnalyzer {
  analyze(source: string, options?: AnalyzeOptions): ShapeResult;
  /** Frees the parser. */
  dispose(): void;
}

let initDone: Promise<void> | undefined;

function initParser(ts: TreeSitterModule, wasm: Uint8Array | string): Promise<void> {
  if (!initDone) {
    const opts: Record<string, unknown> =
      typeof wasm === 'string' ? { locateFile: () => wasm } : { wasmBinary: wasm };
    initDone = ts.Parser.init(opts).catch((e: unknown) => {
      initDone = undefined;
      throw e;
    });
  }
  return initDone;
}

export async function createShapeAnalyzer(opts: ShapeAnalyzerOptions): Promise<ShapeAnalyzer> {
  const { Parser, Language } = opts.treeSitter;
  await initParser(opts.treeSitter, opts.treeSitterWasm);
  const lang = await Language.load(opts.pythonWasm);
  const parser = new Parser();
  parser.setLanguage(lang);
  let last:
    | { source: string; tree: Tree; root: SyntaxNode; syntaxError?: ShapeResult['syntaxError'] }
    | undefined;
  const cache = new Map<string, SyntaxNode>();
  const resumer = new Resumer();
  return {
    analyze(original: string, options: AnalyzeOptions = {}): ShapeResult {
      // groups too large to parse quickly become unknown values first (same lines and columns)
      const { text: source, blanked } = blankLargeGroups(original);
      const withBlanked = (r: ShapeResult): ShapeResult => (blanked.length ? { ...r, blanked } : r);
      // the same text again: nothing to parse or copy
      if (last?.source === source)
        return withBlanked(analyzeTree(last.root, last.syntaxError, options, resumer));
      const prev = last;
      last = undefined;
      let tree: Tree | null = null;
      try {
        let edit: ReturnType<typeof diffEdit>;
        if (prev) {
          // indices and columns are UTF-16 code units on both sides (web-tree-sitter parses a
          // JavaScript string as UTF-16)
          edit = diffEdit(prev.source, source);
          if (edit) prev.tree.edit(edit);
        }
        tree = parser.parse(source, prev?.tree ?? null);
        if (!tree) throw new Error('tree-sitter failed to parse');
        const syntaxError = firstSyntaxError(tree);
        // statements found by position must have been copied from the old text itself (a
        // repaired copy is of a text with lines blanked)
        const byPosition =
          prev && edit && !prev.syntaxError
            ? {
                previous: prev.root.namedChildren,
                edit: {
                  start: edit.startIndex,
                  oldEnd: edit.oldEndIndex,
                  newEnd: edit.newEndIndex,
                },
              }
            : undefined;
        last = {
          source,
          tree,
          root: syntaxError
            ? copyRepaired(parser, source, tree, cache)
            : copyTree(tree, source, cache, byPosition?.previous, byPosition?.edit),
          syntaxError,
        };
      } catch (e) {
        // start afresh next time: the old tree may have been edited already
        tree?.delete();
        cache.clear();
        resumer.clear();
        throw e;
      } finally {
        prev?.tree.delete();
      }
      return withBlanked(analyzeTree(last.root, last.syntaxError, options, resumer));
    },
    dispose(): void {
      resumer.clear();
      last?.tree.delete();
      last = undefined;
      parser.delete();
    },
  };
}

function point(s: string, i: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let k = s.indexOf('\n'); k >= 0 && k < i; k = s.indexOf('\n', k + 1)) {
    row++;
    lineStart = k + 1;
  }
  return { row, column: i - lineStart };
}

/** The single edit turning a into b (common prefix and suffix), for incremental parsing. */
function diffEdit(a: string, b: string): Parameters<Tree['edit']>[0] | undefined {
  if (a === b) return undefined;
  let p = 0;
  const n = Math.min(a.length, b.length);
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let q = 0;
  while (q < n - p && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
  return {
    startIndex: p,
    oldEndIndex: a.length - q,
    newEndIndex: b.length - q,
    startPosition: point(a, p),
    oldEndPosition: point(a, a.length - q),
    newEndPosition: point(b, b.length - q),
  } as Parameters<Tree['edit']>[0];
}

/** How many broken lines are blanked before the rest is analysed as parsed. */
const MAX_REPAIRS = 32;

/**
 * A tree for the parsable rest of a source with syntax errors: the lines of each error are
 * blanked (same length, so positions stay) and the text parsed again, up to MAX_REPAIRS times.
 */
function copyRepaired(
  parser: TreeSitter.Parser,
  source: string,
  tree: Tree,
  cache: Map<string, SyntaxNode>,
): SyntaxNode {
  let text = source;
  let current: Tree | null = tree;
  try {
    for (let i = 0; i < MAX_REPAIRS; i++) {
      const row = brokenStatementRow(current);
      if (row === undefined) break;
      const blanked = blankLine(text, row);
      if (blanked === text) break;
      text = blanked;
      if (current !== tree) current.delete();
      current = parser.parse(text);
      if (!current) return copyTree(tree, source, cache);
    }
    return copyTree(current, text, cache);
  } finally {
    if (current && current !== tree) current.delete();
  }
}

/** The text with the 0-based row's characters replaced by spaces. */
function blankLine(text: string, row: number): string {
  let start = 0;
  for (let r = 0; r < row; r++) {
    const k = text.indexOf('\n', start);
    if (k < 0) return text;
    start = k + 1;
  }
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

/** The first line of the innermost statement holding the first syntax error. */
function brokenStatementRow(tree: Tree): number | undefined {
  let n = tree.rootNode;
  if (!n.hasError) return undefined;
  let row = n.startPosition.row;
  for (;;) {
    const bad = n.children.find((c) => c && (c.hasError || c.isMissing || c.type === 'ERROR'));
    if (!bad) return row;
    if (n.type === 'module' || n.type === 'block') row = bad.startPosition.row;
    if (bad.type === 'ERROR' || bad.isMissing) return row;
    n = bad;
  }
}

/** Where the first ERROR or missing node is, descending only into subtrees that have one. */
function firstSyntaxError(tree: Tree): ShapeResult['syntaxError'] {
  let n = tree.rootNode;
  if (!n.hasError) return undefined;
  for (;;) {
    const bad = n.children.find((c) => c && (c.hasError || c.isMissing || c.type === 'ERROR'));
    if (!bad || bad.type === 'ERROR' || bad.isMissing)
      return {
        line: (bad ?? n).startPosition.row,
        column: (bad ?? n).startPosition.column,
      };
    n = bad;
  }
}

function analyzeTree(
  root: SyntaxNode,
  syntaxError: ShapeResult['syntaxError'],
  options: AnalyzeOptions,
  resumer: Resumer,
): ShapeResult {
  const interpreter = new Interpreter();
  resumer.run(interpreter, root, options.budgetMs);
  const { findings } = interpreter;
  const result: ShapeResult = {
    shapes: findings.shapes,
    diagnostics: findings.diagnostics,
    hoverAt: (line: number, column: number) => findings.hoverAt(line, column),
  };
  if (syntaxError) result.syntaxError = syntaxError;
  if (interpreter.incomplete) result.incomplete = interpreter.incomplete;
  return result;
}

/** How many checkpoints are kept between analyses. */
const MAX_CHECKPOINTS = 3;

/**
 * Runs the interpreter from the latest checkpoint that the new tree still allows, and keeps
 * checkpoints for the next analysis: before the first top-level statement that changed (where
 * the next edit most likely is too) and after the last (the same text again).
 *
 * A checkpoint taken before statement i of an earlier tree is valid for a new tree when its
 * first i top-level statements are the same copied nodes (copyTree reuses a node only for the
 * same text at the same column) starting at the same index in the text, so every position
 * and text the interpreter reads in them is the same.
 */
class Resumer {
  /** The top-level statements of the last analysed tree and where each started. */
  private kids: readonly SyntaxNode[] = [];
  private starts: number[] = [];
  /** Valid for the last analysed tree, by increasing index. */
  private checkpoints: Checkpoint[] = [];

  clear(): void {
    this.kids = [];
    this.starts = [];
    this.checkpoints = [];
  }

  run(interpreter: Interpreter, root: SyntaxNode, budgetMs: number | undefined): void {
    const kids = root.namedChildren;
    const starts = kids.map((k) => k.startIndex);
    // the first top-level statement that is not the old one at the old place
    let same = 0;
    const n = Math.min(kids.length, this.kids.length);
    while (same < n && kids[same] === this.kids[same] && starts[same] === this.starts[same]) same++;
    const valid = this.checkpoints.filter((c) => c.index <= same);
    // With a time budget the statements before the checkpoint cost nothing, so a resumed
    // analysis may get further than one from scratch; what both reach is the same. A
    // checkpoint is only taken where the interpreter got to in time.
    const taken = interpreter.run(root, budgetMs, valid[valid.length - 1], [same, kids.length]);
    this.kids = kids;
    this.starts = starts;
    // the new ones, the earliest old one (valid after most edits), then the latest old ones
    const old = valid.filter((c) => !taken.some((t) => t.index === c.index));
    const keep = [...taken, ...old.slice(0, 1), ...old.slice(1).reverse()];
    this.checkpoints = keep.slice(0, MAX_CHECKPOINTS).sort((a, b) => a.index - b.index);
  }
}
