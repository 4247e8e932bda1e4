/**
 * "Matrix Lens: Attention from Q, K, V" and "Matrix Lens: Show as Attention Map". Both open
 * the attention view (src/extension/attentionPanel.ts); the weights are computed or read in
 * the worker, with a cancellable progress notification, and stay there.
 *
 * Arguments, so that tests and other extensions can skip the pickers:
 * `matrixLens.attentionFromQKV` `{ q, k, v?, heads?, causal?, token? }` where q/k/v are a Uri,
 * a path, or `{ uri, member? }`; `matrixLens.showAttention` a Uri (the editor title menu) or
 * `{ uri, member?, token? }`. They resolve with an {@link AttentionOutcome}: the state, the
 * worker's summary (shape, diagnostics) and what the view rendered.
 */
import * as vscode from 'vscode';
import type { ArrayRef } from '../protocol/common';
import type { AttentionOrigin, AttentionViewState } from '../protocol/attention';
import { GPU_AUTO_MIN_ELEMENTS, mayUseGpu } from '../protocol/compute';
import type { AttentionRenderedReport } from '../protocol/testing';
import type { AttentionViewInfo } from '../protocol/worker';
import { ARRAY_EDITOR_VIEW_TYPE, ArrayEditorProvider } from './arrayEditor';
import { AttentionView, AttentionViews, newAttentionKey } from './panels/attentionPanel';
import { basename } from './paths';
import { readSettings } from './settings';
import { WorkerClient, WorkerError } from './workerClient';
import {
  ARRAY_FILTERS,
  ArrayArg,
  UriLike,
  MULTI_STEP,
  describeEntry,
  isUri,
  runWithProgress,
  listEntries,
  sourceOf,
  userMessage,
  toUri,
} from './arrayRefs';

/** A Q/K/V origin (a file, or one member of it) as the worker's array reference. */
async function refOf(r: { uri: string; member?: string }): Promise<ArrayRef> {
  return { source: await sourceOf(vscode.Uri.parse(r.uri)), member: r.member };
}

export type { ArrayArg };

export interface AttentionArgs {
  q: ArrayArg;
  k: ArrayArg;
  v?: ArrayArg;
  heads?: number;
  causal?: boolean;
  token?: vscode.CancellationToken;
}

export interface ShowAttentionArgs {
  uri: UriLike;
  member?: string;
  token?: vscode.CancellationToken;
  /** what the view is called and says it shows (a live debugger value names its expression). */
  title?: string;
  sourceLabel?: string;
}

export interface AttentionOutcome {
  /** 'aborted': the user dismissed a picker before anything ran. */
  state: 'done' | 'cancelled' | 'error' | 'aborted';
  result?: AttentionViewInfo;
  /** what the view rendered once its tiles and focus head were drawn */
  report?: AttentionRenderedReport;
  message?: string;
  /** cancelled: milliseconds from the Cancel request until the worker had stopped */
  stopMs?: number;
  /** the panel (tests drive it) */
  view?: AttentionView;
}

function labelOf(r: { uri: string; member?: string }): string {
  const name = basename(vscode.Uri.parse(r.uri));
  return r.member ? `${name}#${r.member}` : name;
}

export function registerAttentionCommands(
  context: vscode.ExtensionContext,
  worker: WorkerClient,
  provider: ArrayEditorProvider,
): AttentionViews {
  /** Loads an origin's weights into the worker (under a progress notification). */
  async function load(
    origin: AttentionOrigin,
    key: string,
    token?: vscode.CancellationToken,
    cancelledAt: { t?: number } = {},
  ): Promise<{ info: AttentionViewInfo; ref?: ArrayRef; sourceLabel: string }> {
    const maxBytes = readSettings().maxArrayBytes;
    if (origin.kind === 'file') {
      const uri = vscode.Uri.parse(origin.uri);
      const ref: ArrayRef = { source: await sourceOf(uri), member: origin.member };
      const label = labelOf(origin);
      const info = await runWithProgress(
        `Matrix Lens: reading attention weights ${label}`,
        (o) => worker.call('attentionOpen', { key, ref, maxBytes }, o),
        cancelledAt,
        [token],
      ).catch((e: unknown) => {
        if (e instanceof WorkerError && e.code !== 'cancelled' && !e.message.startsWith(label))
          throw new WorkerError(`${label}: ${e.message}`, e.code);
        throw e;
      });
      return { info, ref, sourceLabel: uri.scheme === 'file' ? uri.fsPath : uri.toString() };
    }
    const q = await refOf(origin.q);
    const k = await refOf(origin.k);
    const v = origin.v ? await refOf(origin.v) : undefined;
    const names = [origin.q, origin.k, ...(origin.v ? [origin.v] : [])].map(labelOf);
    const info = await runWithProgress(
      `Matrix Lens: attention of ${names.join(', ')}`,
      (o) =>
        worker.call(
          'attentionCompute',
          { key, q, k, v, heads: origin.heads, causal: origin.causal, maxBytes },
          o,
        ),
      cancelledAt,
      [token],
    );
    const c = info.computed!;
    const sourceLabel = `Q = ${names[0]} · K = ${names[1]}${origin.v ? ` · V = ${names[2]}` : ''} · ${c.heads} head${c.heads === 1 ? '' : 's'} · ${c.causal ? 'causal mask' : 'no mask'}`;
    return { info, sourceLabel };
  }

  const views = new AttentionViews(context.extensionUri, worker, (o, key, token) =>
    load(o, key, token),
  );
  context.subscriptions.push(views);

  /** Runs a worker call under a cancellable progress notification; `token` cancels it too. */

  /** Loads `origin`, opens a view on it and waits until it has drawn its tiles and focus head. */
  async function openView(
    origin: AttentionOrigin,
    title: string,
    token: vscode.CancellationToken | undefined,
    sourceLabel?: string,
  ): Promise<AttentionOutcome> {
    const key = newAttentionKey();
    const cancelledAt: { t?: number } = {};
    let loaded: Awaited<ReturnType<typeof load>>;
    let view: AttentionView | undefined;
    try {
      const gpu = origin.kind === 'computed' ? await onGpu(origin, title, key) : undefined;
      view = gpu?.view;
      loaded = gpu?.loaded ?? (await load(origin, key, token, cancelledAt));
      if (gpu?.note && loaded.info.computedOn)
        loaded.info.computedOn = { ...loaded.info.computedOn, note: gpu.note };
    } catch (e) {
      if (e instanceof WorkerError && e.code === 'cancelled') {
        void vscode.window.setStatusBarMessage('Matrix Lens: cancelled', 3000);
        const stopMs = cancelledAt.t === undefined ? undefined : Date.now() - cancelledAt.t;
        return { state: 'cancelled', message: 'cancelled', stopMs };
      }
      const message = userMessage(e);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      view?.panel.dispose();
      return { state: 'error', message };
    }
    const state: AttentionViewState = { origin, title, layer: 0, batch: 0, head: 0 };
    if (view) view.attach(key, loaded.info, loaded.ref, sourceLabel ?? loaded.sourceLabel);
    else
      view = views.create(state, key, loaded.info, loaded.ref, sourceLabel ?? loaded.sourceLabel);
    const report = await view.waitReport(
      (r) => r.state === 'error' || (r.state === 'open' && r.tiles > 0 && !!r.focus),
    );
    return { state: 'done', result: loaded.info, report, view };
  }

  /**
   * `matrixLens.compute`: when the setting and the size allow the GPU, the view opens first
   * and its page computes the weights (the worker then keeps them, computing the checks); it
   * answers 'cpu' (no adapter, a software one under `auto`, a lost device) and the caller's
   * worker path runs, with the page's reason. Undefined: the worker path, no view yet.
   */
  async function onGpu(
    origin: Extract<AttentionOrigin, { kind: 'computed' }>,
    title: string,
    key: string,
  ): Promise<
    { view: AttentionView; loaded?: Awaited<ReturnType<typeof load>>; note?: string } | undefined
  > {
    const s = readSettings();
    if (s.compute === 'cpu') return undefined;
    const q = await refOf(origin.q);
    const k = await refOf(origin.k);
    const v = origin.v ? await refOf(origin.v) : undefined;
    const params = {
      q,
      k,
      v,
      heads: origin.heads,
      causal: origin.causal,
      maxBytes: s.maxArrayBytes,
    };
    const inputs = await worker.call('attentionInputs', {
      ...params,
      ...(s.compute === 'auto' ? { minWeights: GPU_AUTO_MIN_ELEMENTS } : {}),
    });
    const { heads: H, queries: T, keys: S } = inputs;
    if (!inputs.q.length) return undefined;
    // float32 scores must stay far from overflow; the weights must fit the memory limit
    if (
      !mayUseGpu(s.compute, H * T * S) ||
      !(inputs.maxScore < 1e30) ||
      H * T * S * 4 > s.maxArrayBytes
    )
      return undefined;
    const view = views.createEmpty({ origin, title, layer: 0, batch: 0, head: 0 });
    view.showLoading(`computing the attention weights (${H} × ${T} × ${S})…`);
    const answer = await view
      .routeGpu({ ...inputs, mode: s.compute, causal: origin.causal })
      .catch(() => ({ where: 'cpu' as const, note: 'the view closed before it answered' }));
    if (answer.where === 'cpu' && 'cancelled' in answer && answer.cancelled) {
      view.showCancelled();
      throw new WorkerError('cancelled', 'cancelled');
    }
    if (answer.where === 'cpu') return { view, note: answer.note };
    const names = [origin.q, origin.k, ...(origin.v ? [origin.v] : [])].map(labelOf);
    const info = await worker.call('attentionAdopt', {
      key,
      weights: answer.weights,
      ms: answer.ms,
      computed: {
        heads: H,
        headDim: inputs.headDim,
        valueDim: inputs.hasV ? inputs.valueDim : 0,
        causal: origin.causal,
        qShape: inputs.qShape,
        kShape: inputs.kShape,
        vShape: inputs.vShape,
        ...(inputs.hasV ? { outputShape: [H, T, inputs.valueDim] } : {}),
      },
      computedOn: { where: 'gpu', label: answer.label, accuracy: answer.accuracy },
    });
    const sourceLabel = `Q = ${names[0]} · K = ${names[1]}${origin.v ? ` · V = ${names[2]}` : ''} · ${H} head${H === 1 ? '' : 's'} · ${origin.causal ? 'causal mask' : 'no mask'}`;
    return { view, loaded: { info, sourceLabel } };
  }

  // ---------- Attention from Q, K, V ----------

  interface Picked {
    uri: vscode.Uri;
    member?: string;
    shape?: number[];
  }

  /** Q, K or V: from open Matrix Lens editors, or a file picked in a dialog. */
  async function pickRef(
    role: 'Q' | 'K' | 'V',
    optional: boolean,
  ): Promise<Picked | null | undefined> {
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
        const entries = await listEntries(worker, await sourceOf(input.uri));
        if (entries && entries.length > 1) {
          for (const e of entries)
            items.push({
              label: e.name,
              description: describeEntry(e),
              detail: basename(input.uri),
              uri: input.uri,
              member: e.name,
              shape: e.shape,
            });
        } else
          items.push({
            label: basename(input.uri),
            description: entries?.[0] ? describeEntry(entries[0]) : undefined,
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
        ignoreFocusOut: MULTI_STEP,
      });
    }
    if (!picked) return undefined;
    if (picked.none) return null;
    if (picked.uri) return { uri: picked.uri, member: picked.member, shape: picked.shape };
    const files = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: ARRAY_FILTERS,
      openLabel: `Use as ${role}`,
      title: `Matrix Lens: Attention — ${role}`,
    });
    if (!files?.[0]) return undefined;
    const entries = await listEntries(worker, await sourceOf(files[0]));
    if (!entries || entries.length <= 1) return { uri: files[0], shape: entries?.[0]?.shape };
    const one = await vscode.window.showQuickPick(
      entries.map((e) => ({ label: e.name, description: describeEntry(e), entry: e })),
      {
        title: `Matrix Lens: Attention ${role} — ${basename(files[0])} holds ${entries.length} arrays`,
        placeHolder: 'Pick an array',
        ignoreFocusOut: MULTI_STEP,
      },
    );
    return one && { uri: files[0], member: one.entry.name, shape: one.entry.shape };
  }

  async function attentionInputs(
    arg: AttentionArgs | undefined,
  ): Promise<AttentionOrigin | undefined> {
    const ref = (p: Picked) => ({
      uri: p.uri.toString(),
      ...(p.member !== undefined ? { member: p.member } : {}),
    });
    if (arg?.q !== undefined && arg.k !== undefined) {
      const one = (a: ArrayArg) => {
        const u = typeof a === 'string' || isUri(a) ? { uri: a } : a;
        return ref({ uri: toUri(u.uri), member: u.member });
      };
      return {
        kind: 'computed',
        q: one(arg.q),
        k: one(arg.k),
        ...(arg.v !== undefined ? { v: one(arg.v) } : {}),
        heads: arg.heads,
        causal: !!arg.causal,
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
        ignoreFocusOut: MULTI_STEP,
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
      { title: 'Matrix Lens: Attention — mask', ignoreFocusOut: MULTI_STEP },
    );
    if (!mask) return undefined;
    return {
      kind: 'computed',
      q: ref(q),
      k: ref(k),
      ...(v ? { v: ref(v) } : {}),
      heads,
      causal: mask.causal,
    };
  }

  async function attentionFromQKV(arg?: AttentionArgs): Promise<AttentionOutcome> {
    let origin: AttentionOrigin | undefined;
    try {
      origin = await attentionInputs(arg && !isUri(arg) ? arg : undefined);
    } catch (e) {
      const message = userMessage(e);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      return { state: 'error', message };
    }
    if (!origin || origin.kind !== 'computed') return { state: 'aborted' };
    const title = `Attention: ${labelOf(origin.q)}, ${labelOf(origin.k)}`;
    return openView(origin, title, arg?.token);
  }

  // ---------- Show as Attention Map ----------

  async function showAttention(arg?: ShowAttentionArgs | vscode.Uri): Promise<AttentionOutcome> {
    let target: { uri: vscode.Uri; member?: string } | undefined;
    if (isUri(arg)) {
      const a = provider.activeArray();
      target = {
        uri: arg,
        member: a && a.uri.toString() === arg.toString() ? a.member : undefined,
      };
    } else if (arg?.uri !== undefined) target = { uri: toUri(arg.uri), member: arg.member };
    else target = provider.activeArray();
    if (!target) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: ARRAY_FILTERS,
        openLabel: 'Show as Attention Map',
        title: 'Matrix Lens: Show as Attention Map — attention weights [T, S] … [L, B, H, T, S]',
      });
      if (!picked?.[0]) return { state: 'aborted' };
      target = { uri: picked[0] };
    }
    const origin: AttentionOrigin = {
      kind: 'file',
      uri: target.uri.toString(),
      ...(target.member ? { member: target.member } : {}),
    };
    if (isUri(arg)) return openView(origin, `Attention: ${labelOf(origin)}`, undefined);
    return openView(
      origin,
      arg?.title ?? `Attention: ${labelOf(origin)}`,
      arg?.token,
      arg?.sourceLabel,
    );
  }

  // the editor title button shows for arrays of at least 2 dimensions
  const NDIM_KEY = 'matrixLens.activeArrayNdim';
  let ndimSeq = 0;
  async function updateNdim(): Promise<void> {
    const seq = ++ndimSeq;
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    let ndim = 0;
    if (input instanceof vscode.TabInputCustom && input.viewType === ARRAY_EDITOR_VIEW_TYPE) {
      try {
        const entries = await listEntries(worker, await sourceOf(input.uri));
        ndim = Math.max(0, ...(entries ?? []).map((e) => e.shape.length));
      } catch {
        ndim = 0;
      }
    }
    if (seq === ndimSeq) void vscode.commands.executeCommand('setContext', NDIM_KEY, ndim);
  }
  context.subscriptions.push(
    vscode.window.tabGroups.onDidChangeTabs(() => void updateNdim()),
    vscode.window.tabGroups.onDidChangeTabGroups(() => void updateNdim()),
    vscode.commands.registerCommand('matrixLens.attentionFromQKV', attentionFromQKV),
    vscode.commands.registerCommand('matrixLens.showAttention', showAttention),
  );
  void updateNdim();
  return views;
}
