/**
 * The attention page's state: one discriminated union. Before the weights are open (and
 * when they are gone or failed) there is only a message; once open, everything the page
 * draws from is there and never null.
 */
import { attentionLayout, type AttentionLayout } from '../../src/core/attention/weights';
import type { AttentionViewState } from '../../src/protocol/attention';
import type { AttentionFocusData, AttentionViewInfo } from '../../src/protocol/worker';
import type { CellWindow } from '../shared/viewWindow';
import type { Tokens } from './format';

/** Loading, gone (the weights were released) or failed: a message, nothing to draw. */
export interface MessagePage {
  phase: 'loading' | 'gone' | 'error';
  title: string;
  message: string;
  /** what was shown before (a reload or a recompute brings it back). */
  shape?: number[];
  view?: AttentionViewState;
  tokens?: Tokens;
}

export interface OpenPage {
  phase: 'open';
  title: string;
  info: AttentionViewInfo;
  layout: AttentionLayout;
  /** layer, batch and head in focus (saved with `setState`, sent to the host). */
  view: AttentionViewState;
  tokens: Tokens | undefined;
  colormap: string;
  /** the focus head's zoom window (whole cells); undefined = the whole head. */
  zoom: CellWindow | undefined;
  /** the focus data drawn (undefined until the first answer). */
  focus: AttentionFocusData | undefined;
}

export type Page = MessagePage | OpenPage;

/** The open page for the host's `open` message: the saved head clamped to the weights. */
export function openPage(
  title: string,
  info: AttentionViewInfo,
  saved: AttentionViewState,
  colormap: string,
): OpenPage {
  const layout = attentionLayout(info.shape);
  const clamp = (x: number, n: number) => Math.max(0, Math.min(x, n - 1));
  return {
    phase: 'open',
    title,
    info,
    layout,
    view: {
      ...saved,
      layer: clamp(saved.layer, layout.layers),
      batch: clamp(saved.batch, layout.batches),
      head: clamp(saved.head, layout.heads),
    },
    tokens: saved.tokens,
    colormap,
    zoom: undefined,
    focus: undefined,
  };
}

/** A message page that remembers what an open page showed. */
export function messagePage(
  phase: MessagePage['phase'],
  title: string,
  message: string,
  prev: Page,
): MessagePage {
  const p: MessagePage = { phase, title, message };
  const shape = prev.phase === 'open' ? prev.layout.shape : prev.shape;
  const view = prev.view;
  const tokens = prev.tokens;
  if (shape) p.shape = shape;
  if (view) p.view = view;
  if (tokens) p.tokens = tokens;
  return p;
}

/** The view state to save: the head in focus and the token labels. */
export function savedView(p: OpenPage): AttentionViewState {
  const rest: AttentionViewState = { ...p.view };
  delete rest.tokens;
  return p.tokens ? { ...rest, tokens: p.tokens } : rest;
}
