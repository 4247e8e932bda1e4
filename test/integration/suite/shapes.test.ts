/**
 * Shape checking inside the real extension host: hover text, diagnostics on the raising line,
 * and their disappearance once the file is fixed; a notebook opened in the notebook editor,
 * with state flowing from cell to cell.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

async function until<T>(
  what: string,
  f: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

describe('shape checker in the editor', function () {
  this.timeout(60_000);
  let folder: vscode.Uri;

  before(async () => {
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'a workspace folder is open');
    await vscode.extensions.getExtension('matrix-lens.matrix-lens')?.activate();
    folder = vscode.Uri.joinPath(ws.uri, 'shapes-it');
    await vscode.workspace.fs.createDirectory(folder);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(folder, { recursive: true, useTrash: false });
  });

  it('hover shows the inferred shape and dtype', async () => {
    const uri = vscode.Uri.joinPath(folder, 'hover.py');
    const src = [
      'import numpy as np',
      'x = np.zeros((32, 768))',
      'W = np.ones((768, 3072))',
      'y = x @ W',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(src));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'python');
    const text = await until('hover on y', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        uri,
        new vscode.Position(3, 0),
      );
      const t = hoverText(hovers ?? []);
      return t.includes('shape (32, 3072)') ? t : undefined;
    });
    assert.match(text, /shape \(32, 3072\) · float64/);
    assert.match(text, /x @ W: \(32, 768\) @ \(768, 3072\)/);
  });

  it('diagnoses a broken file on the raising line and clears it when fixed', async () => {
    const uri = vscode.Uri.joinPath(folder, 'broken.py');
    const src = [
      'import numpy as np',
      'x = np.zeros((32, 768))',
      'W = np.ones((512, 3072))',
      'y = x @ W',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(src));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diags = await until('a shape diagnostic', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'Matrix Lens');
      return d.length ? d : undefined;
    });
    assert.equal(diags.length, 1);
    assert.equal(diags[0].range.start.line, 3);
    assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Error);
    assert.match(diags[0].message, /\(32, 768\)/);
    assert.match(diags[0].message, /\(512, 3072\)/);
    const related = (diags[0].relatedInformation ?? [])
      .map((r) => r.location.range.start.line)
      .sort();
    assert.deepEqual(related, [1, 2]);

    // fix line 3: W = np.ones((768, 3072))
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, doc.lineAt(2).range, 'W = np.ones((768, 3072))');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await doc.save();
    await until('the diagnostic to clear', () =>
      vscode.languages.getDiagnostics(uri).some((x) => x.source === 'Matrix Lens')
        ? undefined
        : true,
    );
  });
  it('a notebook in the notebook editor: hovers and diagnostics in its cells, state cell to cell', async () => {
    const uri = vscode.Uri.joinPath(folder, 'cells.ipynb');
    const cell = (kind: 'code' | 'markdown', lines: string[]): Record<string, unknown> => ({
      cell_type: kind,
      metadata: {},
      source: lines.map((l, i) => (i < lines.length - 1 ? l + '\n' : l)),
      ...(kind === 'code' ? { outputs: [], execution_count: null } : {}),
    });
    const nbJson = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      cells: [
        cell('code', ['import numpy as np', 'x = np.zeros((8, 3))']),
        cell('markdown', ['# weights']),
        cell('code', ['W = np.ones((3, 5))', 'y = x @ W']),
        cell('code', ['bad = y @ W']),
      ],
    };
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(nbJson)));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(nb);
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    assert.equal(code.length, 3);
    assert.equal(code[1].document.languageId, 'python');
    // y in the third cell uses x from the first: (8, 3) @ (3, 5)
    const text = await until('hover on y in a cell', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        code[1].document.uri,
        new vscode.Position(1, 0),
      );
      const t = hoverText(hovers ?? []);
      return t.includes('shape (8, 5)') ? t : undefined;
    });
    assert.match(text, /shape \(8, 5\) · float64/);
    // the last cell multiplies (8, 5) by (3, 5): flagged on its own line 0, nowhere else
    const diags = await until('a shape diagnostic in the last cell', () => {
      const d = vscode.languages
        .getDiagnostics(code[2].document.uri)
        .filter((x) => x.source === 'Matrix Lens');
      return d.length ? d : undefined;
    });
    assert.equal(diags.length, 1);
    assert.equal(diags[0].range.start.line, 0);
    assert.match(diags[0].message, /\(8, 5\)/);
    assert.match(diags[0].message, /\(3, 5\)/);
    for (const c of code.slice(0, 2))
      assert.deepEqual(
        vscode.languages.getDiagnostics(c.document.uri).filter((x) => x.source === 'Matrix Lens'),
        [],
      );
  });
});
