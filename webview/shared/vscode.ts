import type { HostToWebview, WebviewToHost } from '../../src/protocol/heatmap';

interface VsCodeApi {
  postMessage(m: WebviewToHost): void;
  getState(): unknown;
  setState(s: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();

export function onHostMessage(handler: (m: HostToWebview) => void): void {
  window.addEventListener('message', (e: MessageEvent<HostToWebview>) => handler(e.data));
}

/** Adds a <style> with the page's CSP nonce. */
export function addStyle(css: string): void {
  const style = document.createElement('style');
  const nonce = document.getElementById('app')?.dataset.nonce;
  if (nonce) style.nonce = nonce;
  style.textContent = css;
  document.head.appendChild(style);
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A panel's message (`#message`): a spinning icon while loading, an alert for an error, an info
 * icon when what it showed is gone.
 */
export function messageBox(kind: 'loading' | 'error' | 'gone', text: string): HTMLDivElement {
  const box = el('div', {
    class: 'message',
    id: 'message',
    role: kind === 'error' ? 'alert' : 'status',
  });
  const icon =
    kind === 'loading'
      ? 'codicon-loading codicon-modifier-spin'
      : kind === 'gone'
        ? 'codicon-info'
        : 'codicon-error';
  box.append(el('span', { class: `codicon ${icon}`, 'aria-hidden': 'true' }), el('span', {}, text));
  return box;
}
