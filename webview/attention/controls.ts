/** The view's controls: layer and batch pickers, and the token labels (typed, from a file, indices). */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { el } from '../shared/vscode';
import { tokensNote, type Tokens } from './format';
import type { OpenPage } from './state';

export interface ControlActions {
  layerBatch(layer: number, batch: number): void;
  typedTokens(text: string): void;
  pickTokensFile(): void;
  resetTokens(): void;
}

function picker(
  id: string,
  label: string,
  n: number,
  value: number,
  onChange: (v: number) => void,
) {
  const wrap = el('label', { for: id });
  wrap.append(document.createTextNode(label));
  const sel = el('vscode-single-select', {
    id,
    'aria-label': label,
  }) as unknown as HTMLSelectElement;
  for (let i = 0; i < n; i++) {
    const o = el('vscode-option', { value: String(i) }, String(i));
    if (i === value) o.setAttribute('selected', '');
    sel.append(o);
  }
  sel.addEventListener('change', () => onChange(Number(sel.value)));
  wrap.append(sel);
  return { wrap, sel };
}

export class Controls {
  readonly root: HTMLElement;
  private readonly layerSel: HTMLSelectElement | undefined;
  private readonly batchSel: HTMLSelectElement | undefined;
  private readonly tokensInput: HTMLInputElement;
  private readonly note: HTMLElement;

  constructor(p: OpenPage, act: ControlActions) {
    const l = p.layout;
    const controls = el('div', { class: 'controls', role: 'toolbar', 'aria-label': 'View' });
    if (l.layers > 1) {
      const s = picker('layer', 'Layer', l.layers, p.view.layer, (v) =>
        act.layerBatch(v, p.view.batch),
      );
      controls.append(s.wrap);
      this.layerSel = s.sel;
    }
    if (l.batches > 1) {
      const s = picker('batch', 'Batch', l.batches, p.view.batch, (v) =>
        act.layerBatch(p.view.layer, v),
      );
      controls.append(s.wrap);
      this.batchSel = s.sel;
    }
    const tokWrap = el('label', { for: 'tokens-input' });
    tokWrap.append(document.createTextNode('Tokens'));
    const input = el('vscode-textfield', {
      id: 'tokens-input',
      placeholder: 'labels, comma or whitespace separated (empty: indices)',
      'aria-label': 'Token labels, comma or whitespace separated',
    }) as unknown as HTMLInputElement;
    input.addEventListener('change', () => act.typedTokens(input.value));
    tokWrap.append(input);
    this.tokensInput = input;
    const load = el(
      'vscode-button',
      { id: 'tokens-file', secondary: '', icon: 'folder-opened' },
      'From file…',
    );
    load.addEventListener('click', () => act.pickTokensFile());
    const reset = el(
      'vscode-button',
      { id: 'tokens-reset', secondary: '', icon: 'list-ordered' },
      'Indices',
    );
    reset.addEventListener('click', () => {
      input.value = '';
      act.resetTokens();
    });
    this.note = el('span', { id: 'tokens-note', 'aria-live': 'polite' });
    controls.append(tokWrap, load, reset, this.note);
    this.root = controls;
    if (p.tokens?.from === 'typed list') input.value = p.tokens.list.join(', ');
    this.showTokens(p);
  }

  showLayerBatch(layer: number, batch: number): void {
    if (this.layerSel) this.layerSel.value = String(layer);
    if (this.batchSel) this.batchSel.value = String(batch);
  }

  setTokensText(text: string): void {
    this.tokensInput.value = text;
  }

  showTokens(p: { tokens: Tokens | undefined; layout: OpenPage['layout'] }): void {
    this.note.textContent = tokensNote(p.tokens, p.layout);
  }
}
