import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';

const inlined = new Map<string, string>();

/**
 * A built file under dist/webview (`heatmap.js`, `codicon-inline.css`), safe to place inside
 * its <script>/<style> element.
 */
function inlineAsset(extensionUri: vscode.Uri, file: string): string {
  let text = inlined.get(file);
  if (text === undefined) {
    const raw = readFileSync(
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file).fsPath,
      'utf8',
    );
    text = file.endsWith('.css')
      ? raw.replace(/<\/style/gi, '<\\/style')
      : raw.replace(/<\/script/gi, '<\\/script');
    inlined.set(file, text);
  }
  return text;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

/** Folders a webview may load from: the built bundles, nothing else. */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')];
}

/**
 * The page for a webview bundle (`dist/webview/<bundle>.js`) under a strict
 * Content-Security-Policy: no remote origins, nonce'd script, no eval. The bundle is inlined:
 * a webview that must first fetch its script can stall (code-server routes webview resource
 * requests through a shared service worker; right after another webview closes, a request
 * sometimes waits 30 s for a reply). Codicons come as an inline stylesheet with the font as a data: URL.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  bundle: string,
  title: string,
): string {
  const n = nonce();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${n}'`,
    `font-src data:`,
    `script-src 'nonce-${n}' 'wasm-unsafe-eval'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">

<style nonce="${n}" id="vscode-codicon-stylesheet">${inlineAsset(extensionUri, 'codicon-inline.css')}</style>
<title>${title.replace(/[<>&"]/g, '')}</title>
</head>
<body>
<div id="app" data-nonce="${n}"></div>
<script nonce="${n}">${inlineAsset(extensionUri, `${bundle}.js`)}</script>
</body>
</html>`;
}
