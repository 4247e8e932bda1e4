/**
 * The checks: the norm histogram (HTML bars in the theme's chart colour), the zero and NaN/Inf
 * rows by name, and the near-duplicate pairs (cosine > threshold, adjustable) counted and
 * the most similar listed; a click on a pair shows the first row's neighbours.
 */
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { DuplicatePairs } from '../../src/core/embeddings/nearDuplicates';
import type { EmbeddingsInfo } from '../../src/protocol/embeddings';
import { el } from '../shared/vscode';
import { badRowsText, duplicatesText, fmt4, fmt6, histogram, labelAt, type Labels } from './format';

export const BINS = 40;
/** pairs listed */
const LISTED = 50;

export class ChecksPanel {
  readonly root: HTMLElement;
  private readonly hist: HTMLElement;
  private readonly histAxis: HTMLElement;
  private readonly bad: HTMLElement;
  private readonly dupNote: HTMLElement;
  private readonly dupList: HTMLElement;
  private readonly thresholdInput: HTMLInputElement;
  counts: number[] = [];
  dups: DuplicatePairs | undefined;

  constructor(
    private readonly info: EmbeddingsInfo,
    private readonly labels: () => Labels | undefined,
    private readonly askDuplicates: (threshold: number) => void,
    private readonly pick: (row: number) => void,
  ) {
    const sec = el('section', { id: 'checks-section', 'aria-label': 'Checks' });
    this.hist = el('div', { id: 'norm-hist', role: 'img', 'aria-label': 'Histogram of row norms' });
    this.histAxis = el('div', { class: 'hist-axis sub' });
    this.bad = el('p', { id: 'bad-rows' });
    const bar = el('div', { class: 'bar' });
    this.thresholdInput = el('vscode-textfield', {
      id: 'threshold',
      value: '0.99',
      'aria-label': 'Near-duplicate threshold (cosine)',
    }) as unknown as HTMLInputElement;
    this.thresholdInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.submit();
    });
    this.thresholdInput.addEventListener('change', () => this.submit());
    const lt = el('label', {}, 'cosine > ');
    lt.append(this.thresholdInput);
    bar.append(el('h3', {}, 'Near-duplicate pairs'), lt);
    this.dupNote = el('p', { id: 'dup-note', role: 'status' });
    this.dupList = el('ol', { id: 'dup-list' });
    sec.append(
      el('h2', {}, 'Norms and checks'),
      this.hist,
      this.histAxis,
      this.bad,
      bar,
      this.dupNote,
      this.dupList,
    );
    this.root = sec;
  }

  threshold(): number {
    return Number(this.thresholdInput.value);
  }

  setThreshold(v: number): void {
    this.thresholdInput.value = String(v);
    this.submit();
  }

  private submit(): void {
    const t = Number(this.thresholdInput.value.trim());
    if (!(t >= -1 && t <= 1) || this.thresholdInput.value.trim() === '') {
      this.dupNote.textContent = 'the threshold is a cosine between −1 and 1';
      this.dupNote.classList.add('bad');
      return;
    }
    this.dupNote.classList.remove('bad');
    this.dupNote.textContent = 'searching pairs…';
    this.askDuplicates(t);
  }

  setNorms(norms: Float32Array): void {
    const h = histogram(norms, BINS);
    this.counts = h.counts;
    const max = Math.max(1, ...h.counts);
    this.hist.replaceChildren();
    const w = (h.hi - h.lo) / BINS;
    h.counts.forEach((c, b) => {
      const bar = el('span', { class: 'hbar' });
      bar.style.height = `${(c / max) * 100}%`;
      bar.title = `${c} rows with norm ${fmt4(h.lo + b * w)}…${fmt4(h.lo + (b + 1) * w)}`;
      this.hist.append(bar);
    });
    this.histAxis.replaceChildren(
      el('span', {}, `‖x‖ ${fmt4(h.lo)}`),
      el('span', {}, `${fmt4(h.hi)}`),
    );
    this.showBad();
  }

  showBad(): void {
    this.bad.textContent = badRowsText(this.info, this.labels());
    this.bad.className = this.info.zeroRows.length + this.info.nonFiniteRows.length ? 'bad' : 'ok';
  }

  setDuplicates(d: DuplicatePairs): void {
    this.dups = d;
    this.dupNote.classList.remove('bad');
    this.dupNote.textContent = duplicatesText(d);
    this.fillDuplicates();
  }

  fillDuplicates(): void {
    const d = this.dups;
    if (!d) return;
    const labels = this.labels();
    const name = (i: number) => {
      const s = labelAt(labels, i);
      return s === undefined ? String(i) : `${i} “${s}”`;
    };
    this.dupList.replaceChildren();
    for (const [i, j, c] of d.pairs.slice(0, LISTED)) {
      const li = el('li', { tabindex: '0', title: `show the neighbours of row ${i}` });
      li.textContent = `${name(i)} ~ ${name(j)}: ${fmt6(c)}`;
      li.addEventListener('click', () => this.pick(i));
      li.addEventListener('keydown', (e) => e.key === 'Enter' && this.pick(i));
      this.dupList.append(li);
    }
  }

  duplicatesFailed(message: string): void {
    this.dupNote.textContent = message;
    this.dupNote.classList.add('bad');
  }

  report(): { threshold: number; count: number; listed: number; text: string } | undefined {
    const d = this.dups;
    return (
      d && {
        threshold: d.threshold,
        count: d.count,
        listed: this.dupList.children.length,
        text: this.dupNote.textContent ?? '',
      }
    );
  }

  badText(): string {
    return this.bad.textContent ?? '';
  }
}
