/**
 * "Matrix Lens: Compare Arrays…" and the explorer's "Compare with…": two arrays (open array
 * editors, members of one file, files from a dialog) or two checkpoints (whole multi-array
 * files: .safetensors, sharded index.json, .pt, .npz) open the compare view
 * (src/extension/panels/comparePanel.ts).
 *
 * Arguments, so that tests and other extensions can skip the pickers:
 * `matrixLens.compareArrays` `{ a, b, checkpoints?, rtol?, atol?, k?, token? }` where a/b are a
 * Uri, a path, or `{ uri, member? }`; `matrixLens.compareWith` gets the explorer's (clicked,
 * selected[]) Uris. Both resolve with a {@link CompareOutcome}.
 */
import * as vscode from 'vscode';
import type { ArrayEntryInfo } from '../protocol/common';
import type { CompareRenderedReport, CompareSide } from '../protocol/compare';
import { ARRAY_EDITOR_VIEW_TYPE } from './arrayEditor';
import {
  ARRAY_FILTERS,
  ArrayArg,
  MULTI_STEP,
  describeEntry,
  isUri,
  listEntries,
  sourceOf,
  toUri,
  userMessage,
} from './arrayRefs';
import { CompareKind, CompareView, CompareViews, DEFAULT_TOLERANCES } from './panels/comparePanel';
import { basename } from './paths';
import type { WorkerClient } from './workerClient';

export interface CompareArgs {
  a: ArrayArg;
  b: ArrayArg;
  /** compare every shared tensor of two multi-array files (default: when both hold several) */
  checkpoints?: boolean;
  /** names for A and B in the title and report (default: the file names) */
  labels?: [string, string];
  rtol?: number;
  atol?: number;
  k?: number;
  token?: vscode.CancellationToken;
}

export interface CompareOutcome {
  state: 'done' | 'cancelled' | 'error' | 'aborted';
  kind?: CompareKind;
  view?: CompareView;
  /** what the view rendered (test builds) */
  report?: CompareRenderedReport;
  message?: string;
}

interface Side {
  uri: vscode.Uri;
  member?: string;
  /** the whole file, as a checkpoint */
  whole?: boolean;
}

const FILTERS = { ...ARRAY_FILTERS, 'Sharded checkpoint index': ['json'] };

function sideOf(s: Side, label?: string): CompareSide {
  const name = basename(s.uri);
  return {
    uri: s.uri.toString(),
    ...(s.member !== undefined ? { member: s.member } : {}),
    label: label ?? (s.member ? `${name}#${s.member}` : name),
  };
}

export function registerCompareCommands(
  context: vscode.ExtensionContext,
  worker: WorkerClient,
): CompareViews {
  const views = new CompareViews(context.extensionUri, worker);
  context.subscriptions.push(views);

  const entriesOf = async (uri: vscode.Uri): Promise<ArrayEntryInfo[] | undefined> =>
    listEntries(worker, await sourceOf(uri));

  async function open(
    kind: CompareKind,
    a: Side,
    b: Side,
    args: Partial<CompareArgs> = {},
  ): Promise<CompareOutcome> {
    const [la, lb] = args.labels ?? [];
    const view = views.create(kind, sideOf(a, la), sideOf(b, lb), openRow, {
      rtol: args.rtol ?? DEFAULT_TOLERANCES.rtol,
      atol: args.atol ?? DEFAULT_TOLERANCES.atol,
      k: args.k ?? DEFAULT_TOLERANCES.k,
    });
    const state = await view.compute(args.token);
    const report = await view.waitReport(
      (r) => r.state === 'error' || r.state === kind || (state !== 'done' && r.state !== 'loading'),
    );
    return { state, kind, view, report };
  }

  /** A checkpoint row: that tensor of both files in its own view. */
  function openRow(a: CompareSide, b: CompareSide, name: string): void {
    void open(
      'arrays',
      { uri: vscode.Uri.parse(a.uri), member: name },
      { uri: vscode.Uri.parse(b.uri), member: name },
    );
  }

  /** Arrays unless both files hold several arrays and no member was named (or asked for). */
  async function kindOf(a: Side, b: Side, checkpoints?: boolean): Promise<CompareKind> {
    if (checkpoints !== undefined) return checkpoints ? 'checkpoints' : 'arrays';
    if (a.member !== undefined || b.member !== undefined) return 'arrays';
    const [ea, eb] = [await entriesOf(a.uri), await entriesOf(b.uri)];
    return (ea?.length ?? 1) > 1 && (eb?.length ?? 1) > 1 ? 'checkpoints' : 'arrays';
  }

  type Item = vscode.QuickPickItem & { side?: Side; browse?: boolean };

  /** A or B from open editors, the other members of A's file, or a file dialog. */
  async function pickSide(role: 'A' | 'B', first?: Side): Promise<Side | undefined> {
    const items: Item[] = [];
    const wantWhole = first?.whole;
    if (first && !first.whole) {
      const entries = (await entriesOf(first.uri)) ?? [];
      const others = entries.filter((e) => e.name !== first.member);
      if (others.length)
        items.push({ label: basename(first.uri), kind: vscode.QuickPickItemKind.Separator });
      for (const e of others)
        items.push({
          label: e.name,
          description: describeEntry(e),
          side: { uri: first.uri, member: e.name },
        });
    }
    const seen = new Set<string>();
    for (const group of vscode.window.tabGroups.all)
      for (const tab of group.tabs) {
        const input = tab.input;
        if (
          !(input instanceof vscode.TabInputCustom) ||
          input.viewType !== ARRAY_EDITOR_VIEW_TYPE ||
          seen.has(input.uri.toString()) ||
          input.uri.toString() === first?.uri.toString()
        )
          continue;
        seen.add(input.uri.toString());
        const entries = (await entriesOf(input.uri)) ?? [];
        const name = basename(input.uri);
        if (entries.length > 1) {
          if (wantWhole !== false)
            items.push({
              label: `$(files) ${name}`,
              description: `all ${entries.length} tensors (checkpoint)`,
              side: { uri: input.uri, whole: true },
            });
          if (!wantWhole)
            for (const e of entries)
              items.push({
                label: `${name}#${e.name}`,
                description: describeEntry(e),
                side: { uri: input.uri, member: e.name },
              });
        } else if (!wantWhole && entries.length === 1)
          items.push({
            label: name,
            description: describeEntry(entries[0]),
            side: { uri: input.uri },
          });
      }
    const browse: Item = {
      label: '$(folder-opened) Browse…',
      description: wantWhole ? 'a checkpoint file' : 'an array file',
      browse: true,
    };
    const title = `Matrix Lens: Compare — ${role}${first ? ` (A = ${sideOf(first).label})` : ''}`;
    let picked: Item | undefined = browse;
    if (items.length)
      picked = await vscode.window.showQuickPick([...items, browse], {
        title,
        placeHolder:
          role === 'A' ? 'Pick the first array or checkpoint' : 'Pick what to compare it with',
        ignoreFocusOut: MULTI_STEP,
      });
    if (!picked) return undefined;
    if (picked.side) return picked.side;
    const files = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: FILTERS,
      openLabel: `Use as ${role}`,
      title,
    });
    if (!files?.[0]) return undefined;
    return chooseIn(files[0], title, first);
  }

  /** One file: the whole of it (checkpoint) or one member. */
  async function chooseIn(uri: vscode.Uri, title: string, first?: Side): Promise<Side | undefined> {
    if (first?.whole) return { uri, whole: true };
    const entries = (await entriesOf(uri)) ?? [];
    if (entries.length <= 1) return { uri };
    const items: Item[] = [
      ...(first
        ? []
        : [
            {
              label: `$(files) All ${entries.length} tensors`,
              description: 'compare as a checkpoint',
              side: { uri, whole: true },
            },
          ]),
      ...entries.map((e) => ({
        label: e.name,
        description: describeEntry(e),
        side: { uri, member: e.name },
      })),
    ];
    const one = await vscode.window.showQuickPick(items, {
      title: `${title} — ${basename(uri)} holds ${entries.length} arrays`,
      ignoreFocusOut: MULTI_STEP,
    });
    return one?.side;
  }

  const toSide = (x: ArrayArg): Side => {
    const u = typeof x === 'string' || isUri(x) ? { uri: x } : x;
    return { uri: toUri(u.uri), member: u.member };
  };

  async function compareArrays(arg?: CompareArgs): Promise<CompareOutcome> {
    try {
      if (arg && !isUri(arg) && arg.a !== undefined && arg.b !== undefined) {
        const a = toSide(arg.a);
        const b = toSide(arg.b);
        return await open(await kindOf(a, b, arg.checkpoints), a, b, arg);
      }
      const a = await pickSide('A');
      if (!a) return { state: 'aborted' };
      const b = await pickSide('B', a);
      if (!b) return { state: 'aborted' };
      return await open(a.whole ? 'checkpoints' : 'arrays', a, b);
    } catch (e) {
      const message = userMessage(e);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      return { state: 'error', message };
    }
  }

  async function compareWith(
    clicked?: vscode.Uri,
    selected?: vscode.Uri[],
  ): Promise<CompareOutcome> {
    try {
      const uris = selected?.length ? selected : clicked ? [clicked] : [];
      if (uris.length > 2) {
        void vscode.window.showErrorMessage('Matrix Lens: select two array files to compare.');
        return { state: 'error', message: 'select two array files' };
      }
      if (uris.length === 2) {
        const [a, b] = [{ uri: uris[0] }, { uri: uris[1] }];
        return await open(await kindOf(a, b), a, b);
      }
      if (!uris.length) return await compareArrays();
      const title = `Matrix Lens: Compare ${basename(uris[0])} with…`;
      const a = await chooseIn(uris[0], title);
      if (!a) return { state: 'aborted' };
      const b = await pickSide('B', a);
      if (!b) return { state: 'aborted' };
      return await open(a.whole ? 'checkpoints' : 'arrays', a, b);
    } catch (e) {
      const message = userMessage(e);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      return { state: 'error', message };
    }
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('matrixLens.compareArrays', compareArrays),
    vscode.commands.registerCommand('matrixLens.compareWith', compareWith),
  );
  return views;
}
