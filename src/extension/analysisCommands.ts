/**
 * "Matrix Lens: Analyze" and "Matrix Lens: Attention from Q, K, V". The host only picks
 * inputs and moves results: the numbers are computed in the worker (cancellable, with
 * progress in a notification) and shown in the results panel.
 *
 * Both commands take an optional argument so tests and other extensions can skip the
 * pickers: `matrixLens.analyze` `{ uri, member?, index?, text?, randomized?, token? }` (or a
 * Uri, as the editor title menu passes), `matrixLens.attentionFromQKV`
 * `{ q, k, v?, heads?, causal?, token? }` where q/k/v are a Uri, a path, or `{ uri, member? }`.
 * They resolve with a {@link CommandOutcome}: the state, the worker's result and what the
 * panel rendered.
 */
import * as vscode from 'vscode';
import type {
  AnalysisRenderedReport,
  AnalyzeParams,
  AnalyzeResult,
  ArrayEntryInfo,
  ArrayRef,
  ArraySource,
  AttentionSummary,
} from '../protocol/messages';
import { ARRAY_EDITOR_VIEW_TYPE, ArrayEditorProvider, userMessage } from './arrayEditor';
import { AnalysisPanel, PanelState } from './analysisPanel';
import { CallOptions, WorkerClient, WorkerError } from './workerClient';
import { readSettings } from './settings';
import { basename } from './paths';

type UriLike = vscode.Uri | string;
export type ArrayArg = UriLike | { uri: UriLike; member?: string };

export interface AnalyzeArgs {
  uri?: UriLike;
  member?: string;
  /** leading indices of an N-D array (default: the first 2-D slice). */
  index?: number[];
  /** array text to analyze instead of a file. */
  text?: string;
  randomized?: boolean;
  token?: vscode.CancellationToken;
}

export interface AttentionArgs {
  q: ArrayArg;
  k: ArrayArg;
  v?: ArrayArg;
  heads?: number;
  causal?: boolean;
  token?: vscode.CancellationToken;
}

export interface CommandOutcome<R> {
  /** 'aborted': the user dismissed a picker before anything ran. */
  state: 'done' | 'cancelled' | 'error' | 'aborted';
  /** cancelled: milliseconds from the Cancel request until the worker had stopped. */
  stopMs?: number;
  result?: R;
  report?: AnalysisRenderedReport;
  message?: string;
}

interface Target {
  ref?: ArrayRef;
  text?: string;
  label: string;
}

const ARRAY_FILTERS = { 'Array files': ['npy', 'npz', 'safetensors'] };

function toUri(u: UriLike): vscode.Uri {
  if (typeof u !== 'string') return u;
  return /^[a-z][\w+.-]+:/i.test(u) && !/^[a-z]:[\\/]/i.test(u)
    ? vscode.Uri.parse(u)
    : vscode.Uri.file(u);
}

function isUri(x: unknown): x is vscode.Uri {
  return x instanceof vscode.Uri;
}

async function sourceOf(uri: vscode.Uri): Promise<ArraySource> {
  if (uri.scheme === 'file') return { path: uri.fsPath };
  const { maxArrayBytes } = readSettings(uri);
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > maxArrayBytes)
    throw new WorkerError(
      `is ${stat.size} bytes, over the matrixLens.maxArrayBytes limit`,
      'too-large',
    );
  return { bytes: await vscode.workspace.fs.readFile(uri), name: basename(uri) };
}

function describe(e: ArrayEntryInfo): string {
  return `${e.dtype}[${e.shape.join(', ')}]`;
}

function isSingleArrayFile(uri: vscode.Uri): boolean {
  return /\.npy$/i.test(uri.path);
}

export function registerAnalysisCommands(
  context: vscode.ExtensionContext,
  worker: WorkerClient,
  provider: ArrayEditorProvider,
): void {
  const panel = new AnalysisPanel(context.extensionUri);
  context.subscriptions.push(panel);

  /** The arrays in a file (headers only); undefined when the worker cannot list it. */
  async function listing(source: ArraySource): Promise<ArrayEntryInfo[] | undefined> {
    try {
      return (await worker.call('listArrays', { source })).entries;
    } catch {
      return undefined;
    }
  }

  /** A member of `uri`: the given one, the only one, or the user's pick (undefined: dismissed). */
  async function refOf(
    uri: vscode.Uri,
    member: string | undefined,
    role: string,
    /** list even a .npy (one array) to learn its shape */
    needShape = false,
  ): Promise<{ ref: ArrayRef; label: string; shape?: number[] } | undefined> {
    const source = await sourceOf(uri);
    const file = basename(uri);
    const entries =
      member === undefined && isSingleArrayFile(uri) && !needShape
        ? undefined
        : await listing(source);
    if (member !== undefined || !entries || entries.length <= 1) {
      const e =
        entries?.find((x) => x.name === member) ??
        (member === undefined ? entries?.[0] : undefined);
      return {
        ref: { source, member },
        label: member ? `${file}#${member}` : file,
        shape: e?.shape,
      };
    }
    const picked = await vscode.window.showQuickPick(
      entries.map((e) => ({ label: e.name, description: describe(e), entry: e })),
      {
        title: `Matrix Lens: ${role} — ${file} holds ${entries.length} arrays`,
        placeHolder: 'Pick an array',
      },
    );
    if (!picked) return undefined;
    return {
      ref: { source, member: picked.entry.name },
      label: `${file}#${picked.entry.name}`,
      shape: picked.entry.shape,
    };
  }

  /** The array in the active Matrix Lens editor, if one is active (or was last). */
  function activeArrayUri(): vscode.Uri | undefined {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.viewType === ARRAY_EDITOR_VIEW_TYPE)
      return input.uri;
    return provider.activeUri;
  }

  async function analyzeTarget(
    arg: AnalyzeArgs | vscode.Uri | undefined,
  ): Promise<Target | undefined> {
    const editor = vscode.window.activeTextEditor;
    const selected =
      editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    if (isUri(arg)) {
      // from a menu: the editor's resource. A text editor with a selection means the selection.
      if (selected && editor!.document.uri.toString() === arg.toString())
        return { text: selected, label: `selection in ${basename(arg)}` };
      const r = await refOf(arg, undefined, 'Analyze');
      return r && { ref: r.ref, label: r.label };
    }
    if (arg?.text !== undefined) return { text: arg.text, label: 'text' };
    if (arg?.uri !== undefined) {
      const r = await refOf(toUri(arg.uri), arg.member, 'Analyze');
      return r && { ref: r.ref, label: r.label };
    }
    if (selected)
      return { text: selected, label: `selection in ${basename(editor!.document.uri)}` };
    const uri = activeArrayUri();
    if (uri) {
      const r = await refOf(uri, undefined, 'Analyze');
      return r && { ref: r.ref, label: r.label };
    }
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: ARRAY_FILTERS,
      openLabel: 'Analyze',
      title: 'Matrix Lens: Analyze — select text with an array, open an array file, or pick one',
    });
    if (!picked?.[0]) return undefined;
    const r = await refOf(picked[0], undefined, 'Analyze');
    return r && { ref: r.ref, label: r.label };
  }

  /** Runs a worker call under a cancellable progress notification; `token` cancels it too. */
  function runWithProgress<R>(
    title: string,
    call: (opts: CallOptions) => Promise<R>,
    /** set to Date.now() when cancellation is requested */
    cancelledAt: { t?: number },
    token: vscode.CancellationToken | undefined,
  ): Thenable<R> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, uiToken) => {
        const cts = new vscode.CancellationTokenSource();
        const cancel = () => {
          cancelledAt.t ??= Date.now();
          cts.cancel();
        };
        const subs = [uiToken.onCancellationRequested(cancel)];
        if (token) {
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
              }
            },
          });
        } finally {
          subs.forEach((s) => s.dispose());
          cts.dispose();
        }
      },
    );
  }

  /** Runs, then shows the result / "cancelled" / the error (one line, one dialog) in the panel. */
  async function runAndShow<R>(
    title: string,
    detail: string,
    /** errors start with this (the array's name) unless they already do; '' for none. */
    errorPrefix: string,
    call: (opts: CallOptions) => Promise<R>,
    token: vscode.CancellationToken | undefined,
    present: (r: R) => PanelState,
  ): Promise<CommandOutcome<R>> {
    const seq = panel.begin();
    const cancelledAt: { t?: number } = {};
    void panel.show(seq, { type: 'running', title, detail });
    let result: R;
    try {
      result = await runWithProgress(`Matrix Lens: ${detail}`, call, cancelledAt, token);
    } catch (e) {
      if (e instanceof WorkerError && e.code === 'cancelled') {
        const stopMs = cancelledAt.t === undefined ? undefined : Date.now() - cancelledAt.t;
        void vscode.window.setStatusBarMessage('Matrix Lens: cancelled', 3000);
        const report = await panel.show(seq, { type: 'cancelled', title });
        return { state: 'cancelled', report, message: 'cancelled', stopMs };
      }
      let message = userMessage(e);
      if (errorPrefix && !message.startsWith(errorPrefix)) message = `${errorPrefix}: ${message}`;
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      const report = await panel.show(seq, { type: 'error', title, message });
      return { state: 'error', report, message };
    }
    const report = await panel.show(seq, present(result));
    return { state: 'done', result, report };
  }

  async function analyze(arg?: AnalyzeArgs | vscode.Uri): Promise<CommandOutcome<AnalyzeResult>> {
    let target: Target | undefined;
    try {
      target = await analyzeTarget(arg);
    } catch (e) {
      const message = userMessage(e);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      return { state: 'error', message };
    }
    if (!target) return { state: 'aborted' };
    const opts = isUri(arg) ? undefined : arg;
    const settings = readSettings();
    const params: AnalyzeParams = {
      input: target.text !== undefined ? { text: target.text, name: target.label } : target.ref!,
      maxBytes: settings.maxArrayBytes,
      index: opts?.index,
      randomized: opts?.randomized,
    };
    const label = target.label;
    return runAndShow<AnalyzeResult>(
      `Analysis: ${label}`,
      `analyzing ${label}`,
      label,
      (o) => worker.call('analyze', params, o),
      opts?.token,
      (result) => ({
        type: 'analysis',
        title: `Analysis: ${label}`,
        result,
      }),
    );
  }

  /** Q, K or V: from open Matrix Lens editors, or a file picked in a dialog. */
  async function pickRef(
    role: 'Q' | 'K' | 'V',
    optional: boolean,
  ): Promise<{ ref: ArrayRef; label: string; shape?: number[] } | null | undefined> {
    type Item = vscode.QuickPickItem & {
      uri?: vscode.Uri;
      member?: string;
      shape?: number[];
      none?: boolean;
    };
    const items: Item[] = [];
    const seen = new Set<string>();
    for (const group of vscode.window.tabGroups.all)
      for (const tab of group.tabs) {
        const input = tab.input;
        if (
          !(input instanceof vscode.TabInputCustom) ||
          input.viewType !== ARRAY_EDITOR_VIEW_TYPE ||
          seen.has(input.uri.toString())
        )
          continue;
        seen.add(input.uri.toString());
        // headers only: shows each array's dtype and shape (and Q's width for the heads check)
        const entries = await listing(await sourceOf(input.uri));
        if (entries && entries.length > 1) {
          for (const e of entries)
            items.push({
              label: e.name,
              description: describe(e),
              detail: basename(input.uri),
              uri: input.uri,
              member: e.name,
              shape: e.shape,
            });
        } else
          items.push({
            label: basename(input.uri),
            description: entries?.[0] ? describe(entries[0]) : undefined,
            uri: input.uri,
            shape: entries?.[0]?.shape,
          });
      }
    const browse: Item = {
      label: '$(folder-opened) Browse…',
      description: 'an .npy, .npz or .safetensors file',
    };
    const none: Item = {
      label: '$(circle-slash) None',
      description: 'weights only, no output',
      none: true,
    };
    let picked: Item | undefined = browse;
    if (items.length || optional) {
      picked = await vscode.window.showQuickPick([...items, ...(optional ? [none] : []), browse], {
        title: `Matrix Lens: Attention — ${role}${optional ? ' (optional)' : ''}`,
        placeHolder: `Pick the ${role} array`,
      });
    }
    if (!picked) return undefined;
    if (picked.none) return null;
    if (picked.uri)
      return {
        ref: { source: await sourceOf(picked.uri), member: picked.member },
        label: picked.member ? `${basename(picked.uri)}#${picked.member}` : basename(picked.uri),
        shape: picked.shape,
      };
    const files = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: ARRAY_FILTERS,
      openLabel: `Use as ${role}`,
      title: `Matrix Lens: Attention — ${role}`,
    });
    if (!files?.[0]) return undefined;
    return refOf(files[0], undefined, `Attention ${role}`, true);
  }

  async function attentionInputs(
    arg: AttentionArgs | undefined,
  ): Promise<
    | { q: ArrayRef; k: ArrayRef; v?: ArrayRef; heads?: number; causal: boolean; label: string }
    | undefined
  > {
    if (arg?.q !== undefined && arg.k !== undefined) {
      const ref = async (a: ArrayArg) => {
        const u = typeof a === 'string' || isUri(a) ? { uri: a } : a;
        const uri = toUri(u.uri);
        return {
          ref: { source: await sourceOf(uri), member: u.member },
          label: u.member ? `${basename(uri)}#${u.member}` : basename(uri),
        };
      };
      const q = await ref(arg.q);
      const k = await ref(arg.k);
      const v = arg.v !== undefined ? await ref(arg.v) : undefined;
      return {
        q: q.ref,
        k: k.ref,
        v: v?.ref,
        heads: arg.heads,
        causal: !!arg.causal,
        label: [q, k, v]
          .filter((x) => x)
          .map((x) => x!.label)
          .join(', '),
      };
    }
    const q = await pickRef('Q', false);
    if (!q) return undefined;
    const k = await pickRef('K', false);
    if (!k) return undefined;
    const v = await pickRef('V', true);
    if (v === undefined) return undefined;
    let heads: number | undefined;
    if (q.shape?.length !== 3) {
      const width = q.shape?.length === 2 ? q.shape[1] : undefined;
      const input = await vscode.window.showInputBox({
        title: 'Matrix Lens: Attention — number of heads',
        prompt:
          width !== undefined
            ? `Q is [${q.shape!.join(', ')}]: its width ${width} splits into heads of equal size`
            : 'Q [T, H·d] splits into H heads of equal width',
        value: '1',
        validateInput: (s) => {
          const h = Number(s.trim());
          if (!/^\d+$/.test(s.trim()) || !Number.isInteger(h) || h < 1)
            return 'a positive whole number';
          if (h > 4096) return 'at most 4096 heads';
          if (width !== undefined && width % h !== 0)
            return `Q's width ${width} is not divisible by ${h}`;
          return undefined;
        },
      });
      if (input === undefined) return undefined;
      heads = Number(input.trim());
    }
    const mask = await vscode.window.showQuickPick(
      [
        { label: 'None', description: 'every query sees every key', causal: false },
        { label: 'Causal', description: 'query i sees keys 0…i (torch is_causal)', causal: true },
      ],
      { title: 'Matrix Lens: Attention — mask' },
    );
    if (!mask) return undefined;
    return {
      q: q.ref,
      k: k.ref,
      v: v?.ref,
      heads,
      causal: mask.causal,
      label: [q, k, v]
        .filter((x) => x)
        .map((x) => x!.label)
        .join(', '),
    };
  }

  async function attentionCommand(arg?: AttentionArgs): Promise<CommandOutcome<AttentionSummary>> {
    let inputs: Awaited<ReturnType<typeof attentionInputs>>;
    try {
      inputs = await attentionInputs(arg && !isUri(arg) ? arg : undefined);
    } catch (e) {
      const message = userMessage(e);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      return { state: 'error', message };
    }
    if (!inputs) return { state: 'aborted' };
    const { label, ...rest } = inputs;
    const title = `Attention: ${label}`;
    const params = { ...rest, maxBytes: readSettings().maxArrayBytes };
    return runAndShow<AttentionSummary>(
      title,
      `attention of ${label}`,
      '', // the worker names Q/K/V and their files
      (o) => worker.call('attention', params, o),
      arg?.token,
      (r) => {
        // the panel shows numbers only: the weights stay here (returned to the caller)
        const shown: Partial<AttentionSummary> = { ...r };
        delete shown.weights;
        return { type: 'attention', title, result: shown as Omit<AttentionSummary, 'weights'> };
      },
    );
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('matrixLens.analyze', analyze),
    vscode.commands.registerCommand('matrixLens.attentionFromQKV', attentionCommand),
  );
}
