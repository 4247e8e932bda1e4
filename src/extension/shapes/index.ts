/**
 * Shape checking in the editor for Python files: hover (`shape (32, 3072) · float64` and how
 * it was derived), diagnostics with related lines (source "Matrix Lens"), optional inlay hints.
 * Settings: matrixLens.shapes.hover / .diagnostics / .inlayHints.
 */
import * as vscode from 'vscode';
import {
  createShapeAnalyzer,
  type ShapeAnalyzer,
  type ShapeResult,
  type TreeSitterModule,
} from '../../core/shapes';

const SELECTOR: vscode.DocumentSelector = { language: 'python' };
const DEBOUNCE_MS = 250;

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

  // one result per document version
  const results = new Map<string, { version: number; result: ShapeResult }>();
  const analyze = async (doc: vscode.TextDocument): Promise<ShapeResult> => {
    const key = doc.uri.toString();
    const hit = results.get(key);
    if (hit && hit.version === doc.version) return hit.result;
    const a = await load();
    const result = a.analyze(doc.getText());
    results.set(key, { version: doc.version, result });
    return result;
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
    let r: ShapeResult;
    try {
      r = await analyze(doc);
    } catch (e) {
      console.error('Matrix Lens shapes:', e);
      return;
    }
    if (doc.isClosed) return;
    diagnostics.set(
      doc.uri,
      r.diagnostics.map((d) => {
        const range = new vscode.Range(d.line, d.column, d.endLine, d.endColumn);
        const diag = new vscode.Diagnostic(
          range,
          d.message,
          d.severity === 'error'
            ? vscode.DiagnosticSeverity.Error
            : vscode.DiagnosticSeverity.Warning,
        );
        diag.source = 'Matrix Lens';
        diag.code = 'shape';
        diag.relatedInformation = d.related.map(
          (x) =>
            new vscode.DiagnosticRelatedInformation(
              new vscode.Location(
                doc.uri,
                new vscode.Range(
                  x.line,
                  0,
                  x.line,
                  doc.lineAt(Math.min(x.line, doc.lineCount - 1)).text.length,
                ),
              ),
              x.message,
            ),
        );
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
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
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
        const r = await analyze(doc);
        const h = r.hoverAt(pos.line, pos.character);
        if (!h) return undefined;
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${escapeMd(h.name)}**: \`${h.text}\``);
        if (h.derivation) md.appendMarkdown('\n\n').appendCodeblock(h.derivation, 'text');
        return new vscode.Hover(md, new vscode.Range(h.line, h.column, h.endLine, h.endColumn));
      },
    }),
    vscode.languages.registerInlayHintsProvider(SELECTOR, {
      async provideInlayHints(doc, range) {
        if (!config().get<boolean>('inlayHints', false)) return [];
        const r = await analyze(doc);
        const hints: vscode.InlayHint[] = [];
        for (const s of r.shapes) {
          if (
            !s.shape ||
            s.shape.length === 0 ||
            s.line < range.start.line ||
            s.line > range.end.line
          )
            continue;
          const pos = new vscode.Position(s.line, s.column + s.name.length);
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
