/**
 * The side list of a multi-array file (.npz/.safetensors): one option per array with its
 * dtype, shape and size, keyboard navigation, and the safetensors metadata.
 */
import type { ArrayListing } from '../../src/protocol/common';
import { formatBytes } from '../../src/core/array/ndarray';
import { el } from '../shared/vscode';
import { shapeText } from './data';

export class Sidebar {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;

  constructor(
    listing: ArrayListing,
    private readonly selected: () => string | undefined,
    private readonly onSelect: (name: string) => void,
  ) {
    const nav = el('nav', { class: 'sidebar', 'aria-label': 'Arrays in this file' });
    const n = listing.entries.length;
    nav.append(
      el(
        'div',
        { class: 'sidebar-title' },
        `${n} array${n === 1 ? '' : 's'} · .${listing.fileFormat}`,
      ),
    );
    const list = el('ul', {
      id: 'entries',
      role: 'listbox',
      tabindex: '0',
      'aria-label': 'Arrays',
    });
    this.list = list;
    listing.entries.forEach((e, i) => {
      const li = el('li', {
        role: 'option',
        id: `entry-${i}`,
        'aria-selected': 'false',
        title: e.name,
      });
      li.dataset.name = e.name;
      li.append(
        el('span', { class: 'entry-name' }, e.name || '(unnamed)'),
        el(
          'span',
          { class: 'entry-meta' },
          `${e.dtype} ${shapeText(e.shape)} · ${formatBytes(e.byteLength)}`,
        ),
      );
      li.addEventListener('click', () => {
        list.focus();
        onSelect(e.name);
      });
      list.append(li);
    });
    list.addEventListener('keydown', (ev) => this.onKey(ev));
    nav.append(list);
    const meta = listing.metadata;
    if (meta && Object.keys(meta).length) {
      const details = el('details', { id: 'metadata', open: '' });
      details.append(el('summary', {}, `Metadata (${Object.keys(meta).length})`));
      const dl = el('dl', { class: 'kv' });
      for (const [k, v] of Object.entries(meta)) dl.append(el('dt', {}, k), el('dd', {}, v));
      details.append(dl);
      nav.append(details);
    }
    this.root = nav;
  }

  private items(): HTMLElement[] {
    return [...this.list.querySelectorAll<HTMLElement>('li[role=option]')];
  }

  private onKey(ev: KeyboardEvent): void {
    const items = this.items();
    if (!items.length) return;
    const selected = this.selected();
    const cur = Math.max(
      0,
      items.findIndex((li) => li.dataset.name === selected),
    );
    const moves: Record<string, number> = {
      ArrowDown: cur + 1,
      ArrowUp: cur - 1,
      Home: 0,
      End: items.length - 1,
      Enter: cur,
      ' ': cur,
    };
    const next = moves[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    const target = items[Math.min(items.length - 1, Math.max(0, next))];
    const name = target.dataset.name;
    if (name !== undefined && (name !== selected || ev.key === 'Enter')) this.onSelect(name);
  }

  /** Marks the selected array (and scrolls it into view). */
  mark(): void {
    const selected = this.selected();
    for (const li of this.items()) {
      const on = li.dataset.name === selected;
      li.setAttribute('aria-selected', String(on));
      if (on) {
        this.list.setAttribute('aria-activedescendant', li.id);
        li.scrollIntoView({ block: 'nearest' });
      }
    }
  }

  /** Selects `name` as a click would (focus moves to the list). */
  click(name: string): boolean {
    const li = this.items().find((x) => x.dataset.name === name);
    li?.click();
    return !!li;
  }
}
