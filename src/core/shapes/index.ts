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
import type * as TreeSitter from 'web-tree-sitter';
import type { Tree } from 'web-tree-sitter';
import type { HoverInfo, ShapeDiagnostic, ShapeEntry } from './findings';
import { Interpreter } from './interpreter';
import { copyTree, type Node as SyntaxNode } from './syntax';

export type { HoverInfo, ShapeDiagnostic, ShapeEntry } from './findings';
export { fmtShape, fmtDim } from './values';

export interface ShapeResult {
  shapes: ShapeEntry[];
  diagnostics: ShapeDiagnostic[];
  /** The innermost inferred expression or name at a 0-based position, or undefined. */
  hoverAt(line: number, column: number): HoverInfo | undefined;
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
  analyze(source: string): ShapeResult;
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
  let last: { source: string; tree: Tree; root: SyntaxNode } | undefined;
  const cache = new Map<string, SyntaxNode>();
  return {
    analyze(source: string): ShapeResult {
      // the same text again: nothing to parse or copy
      if (last?.source === source) return analyzeTree(last.root);
      const prev = last;
      last = undefined;
      let tree: Tree | null = null;
      try {
        if (prev) {
          // indices and columns are UTF-16 code units on both sides (web-tree-sitter parses a
          // JavaScript string as UTF-16)
          const edit = diffEdit(prev.source, source);
          if (edit) prev.tree.edit(edit);
        }
        tree = parser.parse(source, prev?.tree ?? null);
        if (!tree) throw new Error('tree-sitter failed to parse');
        last = { source, tree, root: copyTree(tree, source, cache) };
      } catch (e) {
        // start afresh next time: the old tree may have been edited already
        tree?.delete();
        cache.clear();
        throw e;
      } finally {
        prev?.tree.delete();
      }
      return analyzeTree(last.root);
    },
    dispose(): void {
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

function analyzeTree(root: SyntaxNode): ShapeResult {
  const interpreter = new Interpreter();
  interpreter.run(root);
  const { findings } = interpreter;
  return {
    shapes: findings.shapes,
    diagnostics: findings.diagnostics,
    hoverAt: (line: number, column: number) => findings.hoverAt(line, column),
  };
}
