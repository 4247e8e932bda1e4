/**
 * Shape checking in the editor for Python files and Jupyter notebook cells: hover
 * (`shape (32, 3072) · float64` and how it was derived), diagnostics with related lines
 * (source "Matrix Lens"), optional inlay hints. Settings: matrixLens.shapes.hover /
 * .diagnostics / .inlayHints.
 *
 * The analysis runs on the extension host's thread, bounded so that no file can stall it:
 * sources over MAX_SOURCE_CHARS (or with a line over MAX_LINE_CHARS) are not analysed, and
 * the interpreter stops after BUDGET_MS (what follows stays unknown). A notebook's code cells
 * are analysed together, top to bottom, so state flows from cell to cell.
 */
import * as vscode from 'vscode';
import { cellAt, joinCells, type NotebookProgram } from '../../core/shapes/notebook';
import {
  createShapeAnalyzer,
  type ShapeAnalyzer,
  type ShapeResult,
  type TreeSitterModule,
} from '../../core/shapes';

const SELECTOR: vscode.DocumentSelector = { language: 'python' };
const DEBOUNCE_MS = 250;
/** Larger sources are not analysed (parsing alone could take seconds). */
const MAX_SOURCE_CHARS = 1024 * 1024;
const MAX_LINE_CHARS = 20_000;
/** Interpreter time per analysis. */
const BUDGET_MS = 300;

/** The analysis of a document, or of the notebook holding the cell, and where the document is in it. */
interface DocumentAnalysis {
  result: ShapeResult;
  /** First line of the document in the analysed program, and its line count. */
  offset: number;
  lines: number;
  /** The document holding a program line (a notebook's other cells), and the line in it. */
  locate(line: number): { uri: vscode.Uri; line: number } | undefined;
}

function tooLarge(text: string): boolean {
  if (text.length > MAX_SOURCE_CHARS) return true;
  let start = 0;
  for (let k = text.indexOf('\n'); ; k = text.indexOf('\n', start)) {
    const end = k < 0 ? text.length : k;
    if (end - start > MAX_LINE_CHARS) return true;
    if (k < 0) return false;
    start = k + 1;
  }
}

const EMPTY: ShapeResult = { shapes: [], diagnostics: [], hoverAt: () => undefined };

function notebookOf(doc: vscode.TextDocument): vscode.NotebookDocument | undefined {
  if (doc.uri.scheme !== 'vscode-notebook-cell') return undefined;
  return vscode.workspace.notebookDocuments.find((nb) =>
    nb.getCells().some((c) => c.document === doc),
  );
}

function codeCells(nb: vscode.NotebookDocument): vscode.NotebookCell[] {
  return nb
    .getCells()
    .filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python');
}

export function registerShapeFeatures(context: vscode.ExtensionContext): void {
  let analyzer: Promise<ShapeAnalyzer> | undefined;
  const load = (): Promise<ShapeAnalyzer> => {
    analyzer ??= (async () => {
      const read = async (name: string): Promise<Uint8Array> =>
        vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'dist', name));
      return createShapeAnalyzer({
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        treeSitter: require('web-tree-sitter') as TreeSitterModule,
        treeSitterWasm: await read('web-tree-sitter.wasm'),
        pythonWasm: await read('tree-sitter-python.wasm'),
      });
    })();
    analyzer.catch(() => (analyzer = undefined));
    return analyzer;
  };

  // one result per document version (per version of all its cells for a notebook)
  const results = new Map<
    string,
    { version: string; result: ShapeResult; program?: NotebookProgram }
  >();
  const run = async (
    key: string,
    version: string,
    text: () => string,
    program?: NotebookProgram,
  ): Promise<{ result: ShapeResult; program?: NotebookProgram }> => {
    const hit = results.get(key);
    if (hit && hit.version === version) return hit;
    const a = await load();
    const source = text();
    const result = tooLarge(source) ? EMPTY : a.analyze(source, { budgetMs: BUDGET_MS });
    const entry = { version, result, program };
    results.set(key, entry);
    return entry;
  };
  const analyze = async (doc: vscode.TextDocument): Promise<DocumentAnalysis> => {
    const nb = notebookOf(doc);
    if (nb) {
      const cells = codeCells(nb);
      const version = cells
        .map((c) => `${c.document.uri.toString()}@${c.document.version}`)
        .join(',');
      const program = joinCells(cells.map((c) => ({ index: c.index, text: c.document.getText() })));
      const { result } = await run(nb.uri.toString(), version, () => program.source, program);
      const mine = cells.find((c) => c.document === doc);
      const at = program.cells.find((c) => c.index === mine?.index);
      return {
        result,
        offset: at?.startLine ?? 0,
        lines: at?.lineCount ?? doc.lineCount,
        locate: (line) => {
          const hit = cellAt(program, line);
          const cell = hit && cells.find((c) => c.index === hit.cell.index);
          return hit && cell ? { uri: cell.document.uri, line: hit.line } : undefined;
        },
      };
    }
    const { result } = await run(doc.uri.toString(), String(doc.version), () => doc.getText());
    return {
      result,
      offset: 0,
      lines: doc.lineCount,
      locate: (line) => ({ uri: doc.uri, line }),
    };
  };

  const config = (): vscode.WorkspaceConfiguration =>
    vscode.workspace.getConfiguration('matrixLens.shapes');
  const diagnostics = vscode.languages.createDiagnosticCollection('matrix-lens-shapes');
  context.subscriptions.push(diagnostics);

  const isPython = (doc: vscode.TextDocument): boolean => doc.languageId === 'python';

  const refresh = async (doc: vscode.TextDocument): Promise<void> => {
    if (!isPython(doc) || doc.isClosed) return;
    if (!config().get<boolean>('diagnostics', true)) {
      diagnostics.delete(doc.uri);
      return;
    }
    let a: DocumentAnalysis;
    try {
      a = await analyze(doc);
    } catch (e) {
      console.error('Matrix Lens shapes:', e);
      return;
    }
    if (doc.isClosed) return;
    const mine = a.result.diagnostics.filter(
      (d) => d.line >= a.offset && d.line < a.offset + a.lines,
    );
    diagnostics.set(
      doc.uri,
      mine.map((d) => {
        const range = new vscode.Range(
          d.line - a.offset,
          d.column,
          d.endLine - a.offset,
          d.endColumn,
        );
        const diag = new vscode.Diagnostic(
          range,
          d.message,
          d.severity === 'error'
            ? vscode.DiagnosticSeverity.Error
            : vscode.DiagnosticSeverity.Warning,
        );
        diag.source = 'Matrix Lens';
        diag.code = 'shape';
        diag.relatedInformation = d.related.flatMap((x) => {
          const at = a.locate(x.line);
          if (!at) return [];
          const same = at.uri.toString() === doc.uri.toString();
          const end = same ? doc.lineAt(Math.min(at.line, doc.lineCount - 1)).text.length : 0;
          return [
            new vscode.DiagnosticRelatedInformation(
              new vscode.Location(at.uri, new vscode.Range(at.line, 0, at.line, end)),
              x.message,
            ),
          ];
        });
        return diag;
      }),
    );
  };

  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const schedule = (doc: vscode.TextDocument, delay = DEBOUNCE_MS): void => {
    if (!isPython(doc)) return;
    const key = doc.uri.toString();
    const t = timers.get(key);
    if (t) clearTimeout(t);
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void refresh(doc);
      }, delay),
    );
  };

  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((doc) => schedule(doc, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      // a cell's change can change what every later cell sees
      const nb = notebookOf(e.document);
      if (nb) for (const c of codeCells(nb)) schedule(c.document);
      else schedule(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      const key = doc.uri.toString();
      const t = timers.get(key);
      if (t) clearTimeout(t);
      timers.delete(key);
      results.delete(key);
      diagnostics.delete(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('matrixLens.shapes'))
        for (const doc of vscode.workspace.textDocuments) schedule(doc, 0);
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
  for (const doc of vscode.workspace.textDocuments) schedule(doc, 0);

  context.subscriptions.push(
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(doc, pos) {
        if (!config().get<boolean>('hover', true)) return undefined;
        const a = await analyze(doc);
        const h = a.result.hoverAt(pos.line + a.offset, pos.character);
        if (!h || h.line < a.offset) return undefined;
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${escapeMd(h.name)}**: \`${h.text}\``);
        if (h.derivation) md.appendMarkdown('\n\n').appendCodeblock(h.derivation, 'text');
        return new vscode.Hover(
          md,
          new vscode.Range(h.line - a.offset, h.column, h.endLine - a.offset, h.endColumn),
        );
      },
    }),
    vscode.languages.registerInlayHintsProvider(SELECTOR, {
      async provideInlayHints(doc, range) {
        if (!config().get<boolean>('inlayHints', false)) return [];
        const a = await analyze(doc);
        const hints: vscode.InlayHint[] = [];
        for (const s of a.result.shapes) {
          const line = s.line - a.offset;
          if (!s.shape || s.shape.length === 0 || line < range.start.line || line > range.end.line)
            continue;
          const pos = new vscode.Position(line, s.column + s.name.length);
          const dims = s.shape
            .map((d) => (typeof d === 'number' ? String(d) : d.replace(/#\d+/g, '')))
            .join(', ');
          const h = new vscode.InlayHint(
            pos,
            `: (${dims}${s.shape.length === 1 ? ',' : ''})`,
            vscode.InlayHintKind.Type,
          );
          h.paddingLeft = false;
          h.tooltip = s.derivation;
          hints.push(h);
        }
        return hints;
      },
    }),
  );
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|]/g, '\\$&');
}
