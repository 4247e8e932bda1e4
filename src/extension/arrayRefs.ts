/**
 * What the array editor and the Analyze and attention commands share: how they take array
 * arguments (a Uri, a path, or `{ uri, member? }`), how a file becomes a worker `ArraySource`,
 * listing a file's arrays, one-line error messages, and running a worker call under a
 * cancellable progress notification.
 */
import * as vscode from 'vscode';
import type { ArrayEntryInfo, ArraySource } from '../protocol/common';
import { basename } from './paths';
import { readSettings } from './settings';
import { CallOptions, WorkerClient, WorkerError } from './workerClient';

export type UriLike = vscode.Uri | string;
export type ArrayArg = UriLike | { uri: UriLike; member?: string };

/**
 * Steps of a multi-step pick (attention's Q, K, V, heads and mask; compare's A and B) stay open
 * when focus moves: a webview that finishes loading takes focus, and the user would otherwise
 * lose the steps already chosen.
 */
export const MULTI_STEP = true;

export const ARRAY_FILTERS = { 'Array files': ['npy', 'npz', 'safetensors', 'pt', 'pth', 'bin'] };

/** A Uri, a `scheme:` string, or a file path (Windows drive letters are paths). */
export function toUri(u: UriLike): vscode.Uri {
  if (typeof u !== 'string') return u;
  return /^[a-z][\w+.-]+:/i.test(u) && !/^[a-z]:[\\/]/i.test(u)
    ? vscode.Uri.parse(u)
    : vscode.Uri.file(u);
}

export function isUri(x: unknown): x is vscode.Uri {
  return x instanceof vscode.Uri;
}

/**
 * The one host-side way a file becomes a worker `ArraySource`: local files are read by the
 * worker in pieces; other file systems (remote, virtual) are read whole here and parsed in
 * memory by the worker, which reuses them while uri, mtime and size stay the same. The limit
 * leaves room for headers and other members around an array of up to matrixLens.maxArrayBytes.
 */
export async function sourceOf(uri: vscode.Uri): Promise<ArraySource> {
  if (uri.scheme === 'file') return { path: uri.fsPath };
  const stat = await vscode.workspace.fs.stat(uri);
  const limit = readSettings(uri).maxArrayBytes;
  if (stat.size > limit + (64 << 20))
    throw new WorkerError(
      `is ${stat.size} bytes, over the matrixLens.maxArrayBytes limit (files that are not on the local disk are read whole)`,
      'too-large',
    );
  return {
    bytes: await vscode.workspace.fs.readFile(uri),
    name: basename(uri),
    key: `${uri.toString()}:${stat.mtime}:${stat.size}`,
  };
}

/** The arrays in a file (headers only); undefined when the worker cannot list it. */
export async function listEntries(
  worker: WorkerClient,
  source: ArraySource,
): Promise<ArrayEntryInfo[] | undefined> {
  try {
    return (await worker.call('listArrays', { source })).entries;
  } catch {
    return undefined;
  }
}

/** A one-line message for the UI: never a stack trace. */
export function userMessage(e: unknown): string {
  if (e instanceof WorkerError) return e.message;
  if (e instanceof Error) return e.message.split('\n')[0];
  return String(e);
}

/** `float32[3, 4]` */
export function describeEntry(e: ArrayEntryInfo): string {
  return `${e.dtype}[${e.shape.join(', ')}]`;
}

/**
 * Runs a worker call under a cancellable progress notification. Cancel from the notification
 * or from any of `tokens` cancels the call; `cancelledAt.t` records when it was first asked.
 */
export function runWithProgress<R>(
  title: string,
  call: (opts: CallOptions) => Promise<R>,
  cancelledAt: { t?: number },
  tokens: (vscode.CancellationToken | undefined)[],
  onProgress?: (fraction: number) => void,
): Promise<R> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, uiToken) => {
        const cts = new vscode.CancellationTokenSource();
        const cancel = () => {
          cancelledAt.t ??= Date.now();
          cts.cancel();
        };
        const subs = [uiToken.onCancellationRequested(cancel)];
        for (const token of tokens) {
          if (!token) continue;
          if (token.isCancellationRequested) cancel();
          subs.push(token.onCancellationRequested(cancel));
        }
        let shown = 0;
        try {
          return await call({
            token: cts.token,
            onProgress: (f) => {
              const pct = Math.floor(Math.min(1, Math.max(0, f)) * 100);
              if (pct > shown) {
                progress.report({ increment: pct - shown, message: `${pct}%` });
                shown = pct;
                onProgress?.(pct / 100);
              }
            },
          });
        } finally {
          subs.forEach((s) => s.dispose());
          cts.dispose();
        }
      },
    ),
  );
}
