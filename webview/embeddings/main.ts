/**
 * The embeddings view: an [N, d] array as N vectors. The vectors stay in the worker; this page
 * asks for what it draws through the typed request channel of src/protocol/embeddingsView.ts
 * (the shared ./rpc client numbers the calls, the host answers them from the worker):
 * the cosine-similarity heatmap (similarity.ts), nearest neighbours (neighbors.ts), the PCA
 * scatter with explained variance (scatter.ts), and the norm histogram, zero/NaN rows and
 * near-duplicate pairs (checks.ts). Row labels come from a list typed here, a text file, or the
 * command. After every draw the page reads its own DOM back and reports it to the host.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { COLORMAPS, colormapLut, type ColormapName } from '../../src/core/color/colormaps';
import type { EmbeddingsInfo, EmbeddingsPcaData } from '../../src/protocol/embeddings';
import { duplicateSearchRefusal } from '../../src/protocol/embeddings';
import type {
  EmbeddingsDriveAction,
  EmbeddingsHostToWebview,
  EmbeddingsOrder,
  EmbeddingsViewApi,
  EmbeddingsWebviewToHost,
} from '../../src/protocol/embeddingsView';
import type { WebviewToHost } from '../../src/protocol/heatmap';
import { RpcClient } from '../../src/protocol/rpc';
import type { EmbeddingsRenderedReport } from '../../src/protocol/testing';
import { float32Values } from '../shared/values';
import { addStyle, el, messageBox, vscode } from '../shared/vscode';
import { ChecksPanel } from './checks';
import {
  displayOrder,
  labelsNote,
  labelsOf,
  parseLabelText,
  shapeLine,
  type Labels,
} from './format';
import { NeighborsPanel } from './neighbors';
import { PcaScatter } from './scatter';
import { OVERVIEW, SimilarityMap } from './similarity';
import panelCss from '../shared/panel.css';
import css from './styles.css';

addStyle(panelCss);
addStyle(css);
const app = document.getElementById('app')!;

function post(m: EmbeddingsWebviewToHost): void {
  vscode.postMessage(m as unknown as WebviewToHost);
}

const rpc = new RpcClient<EmbeddingsViewApi>({
  send: (id, method, params) => post({ type: 'call', id, method, params }),
});

interface Parts {
  info: EmbeddingsInfo;
  map: SimilarityMap;
  neighbors: NeighborsPanel;
  scatter: PcaScatter;
  checks: ChecksPanel;
  labelsNote: HTMLElement;
  labelsInput: HTMLInputElement;
}

let state: 'loading' | 'open' | 'error' = 'loading';
let title = '';
let message = '';
let parts: Parts | undefined;
let labels: Labels | undefined;
let pca: EmbeddingsPcaData | undefined;
let order: EmbeddingsOrder = 'original';
let perm: number[] | null = null;
let clusters: Promise<{ order: number[]; k: number; sizes: number[] }> | undefined;
let tilesSeq = 0;
let normLut = colormapLut('viridis');
const simLut = colormapLut('rdbu');

function header(sub?: string): HTMLElement {
  const h = el('header');
  h.append(el('h1', { id: 'title' }, title));
  if (sub) h.append(el('div', { class: 'sub', id: 'source' }, sub));
  return h;
}

function showMessage(kind: 'loading' | 'error', t: string, text: string): void {
  parts?.map.dispose();
  parts = undefined;
  state = kind;
  title = t;
  message = text;
  app.replaceChildren(header());
  app.append(messageBox(kind, text));
  report();
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function build(info: EmbeddingsInfo, sourceLabel: string): Parts {
  parts?.map.dispose();
  app.replaceChildren(
    header(sourceLabel),
    el('div', { class: 'sub', id: 'shape' }, shapeLine(info)),
  );
  // labels
  const lab = el('div', { class: 'bar', id: 'labels-bar' });
  const labelsInput = el('vscode-textfield', {
    id: 'labels-input',
    placeholder: 'labels: comma separated, Enter',
    'aria-label': 'Row labels, comma separated',
  }) as unknown as HTMLInputElement;
  labelsInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') setLabels(parseLabelText(labelsInput.value));
  });
  const fileBtn = el('vscode-button', { id: 'labels-file', secondary: '' });
  fileBtn.append(el('span', { class: 'codicon codicon-folder-opened', 'aria-hidden': 'true' }));
  fileBtn.append(document.createTextNode(' Labels file…'));
  fileBtn.addEventListener('click', () => {
    rpc.call('pickLabels', {}).then(
      (l) => l && setLabels(labelsOf(l.list, l.from)),
      (e: unknown) => (note.textContent = errText(e)),
    );
  });
  const note = el('span', { class: 'sub', id: 'labels-note' });
  lab.append(el('span', {}, 'Labels'), labelsInput, fileBtn, note);
  app.append(lab);

  const pick = (row: number) => parts?.neighbors.pickRow(row);
  const map = new SimilarityMap(
    info.rows,
    () => labels,
    (r) => (perm ? perm[r] : r),
    order,
    simLut,
    {
      order: (o) => setOrder(o),
      fetch: (w) => {
        const seq = tilesSeq;
        rpc.call('tiles', { window: w }).then(
          (t) => {
            if (seq !== tilesSeq || !parts) return;
            parts.map.setDetail({ ...t, values: float32Values(t.values) });
            report();
          },
          () => undefined,
        );
      },
      pick,
    },
  );
  const neighbors = new NeighborsPanel(
    info.rows,
    info.cols,
    () => labels,
    (q) => {
      rpc.call('neighbors', { row: q.row, query: q.query, k: q.k, by: q.by }).then(
        (r) => {
          if (parts?.neighbors.last !== q) return;
          parts.neighbors.show(r.neighbors);
          report();
        },
        (e: unknown) => {
          parts?.neighbors.failed(errText(e));
          report();
        },
      );
    },
  );
  const top = el('div', { class: 'layout' });
  top.append(map.root, neighbors.root);
  const scatter = new PcaScatter(
    () => labels,
    () => normLut,
    pick,
  );
  const checks = new ChecksPanel(info, () => labels, askDuplicates, pick);
  const bottom = el('div', { class: 'layout' });
  bottom.append(scatter.root, checks.root);
  app.append(top, bottom, map.tooltip, scatter.tooltip);
  const p: Parts = { info, map, neighbors, scatter, checks, labelsNote: note, labelsInput };
  note.textContent = labelsNote(labels, info.rows);
  return p;
}

function askDuplicates(threshold: number): void {
  const o = parts;
  if (!o) return;
  const refusal = duplicateSearchRefusal(o.info.rows, o.info.cols);
  if (refusal) {
    o.checks.duplicatesFailed(
      `Not searched: ${refusal}. The neighbours of a row are exact at any N.`,
    );
    report();
    return;
  }
  rpc.call('duplicates', { threshold }).then(
    (d) => {
      if (parts !== o) return;
      o.checks.setDuplicates(d);
      report();
    },
    (e: unknown) => {
      o.checks.duplicatesFailed(errText(e));
      report();
    },
  );
}

function setLabels(l: Labels | undefined): void {
  labels = l && l.list.length ? l : undefined;
  const o = parts;
  if (!o) return;
  o.labelsNote.textContent = labelsNote(labels, o.info.rows);
  o.scatter.fillColorOptions();
  o.scatter.draw();
  o.neighbors.fill();
  o.checks.showBad();
  o.checks.fillDuplicates();
  report();
}

function requestOverview(): void {
  const seq = ++tilesSeq;
  rpc.call('tiles', { size: OVERVIEW }).then(
    (t) => {
      if (seq !== tilesSeq || !parts) return;
      parts.map.setOverview({ ...t, values: float32Values(t.values) });
      report();
    },
    (e: unknown) => showMessage('error', title, errText(e)),
  );
}

async function setOrder(o: EmbeddingsOrder): Promise<void> {
  const p = parts;
  if (!p) return;
  order = o;
  if (o === 'cluster') {
    // computed in the worker over all d dimensions (seconds for 50,000 × 768), once per open
    clusters ??= rpc.call('clusterOrder', {});
    let c: Awaited<typeof clusters>;
    try {
      c = await clusters;
    } catch (e) {
      clusters = undefined;
      showMessage('error', title, errText(e));
      return;
    }
    if (parts !== p || order !== o) return;
    perm = c.order;
    const opt = p.map.root.querySelector('vscode-option[value="cluster"]');
    if (opt) opt.textContent = `clustered (spherical k-means, k = ${c.k})`;
  } else {
    perm = pca ? displayOrder(o, pca.norms, pca.projections, pca.k) : null;
    if (!pca && o !== 'original') order = 'original';
  }
  await rpc.call('setOrder', { order: perm });
  p.map.resetView();
  requestOverview();
}

function open(m: Extract<EmbeddingsHostToWebview, { type: 'open' }>): void {
  title = m.title;
  state = 'open';
  const cm = (COLORMAPS as string[]).includes(m.colormap)
    ? (m.colormap as ColormapName)
    : 'viridis';
  normLut = colormapLut(cm === 'rdbu' || cm === 'gray' ? 'viridis' : cm);
  labels = m.labels ? labelsOf(m.labels.list, m.labels.from) : undefined;
  pca = undefined;
  order = 'original';
  perm = null;
  clusters = undefined;
  parts = build(m.info, m.sourceLabel);
  const o = parts;
  requestOverview();
  rpc.call('pca', {}).then(
    (r) => {
      if (parts !== o) return;
      pca = { ...r, projections: float32Values(r.projections), norms: float32Values(r.norms) };
      o.scatter.setData(pca);
      o.checks.setNorms(pca.norms);
      report();
    },
    (e: unknown) => {
      o.scatter.root.querySelector('#pca-note')!.textContent = errText(e);
      report();
    },
  );
  askDuplicates(o.checks.threshold());
}

// ---------- report ----------

function report(): void {
  const r: EmbeddingsRenderedReport = {
    state,
    title: document.getElementById('title')?.textContent ?? title,
    ...(state !== 'open' ? { message } : {}),
  };
  const o = parts;
  if (o && state === 'open') {
    r.rows = o.info.rows;
    r.cols = o.info.cols;
    r.order = order;
    const l = o.map.shown();
    if (l)
      r.heatmap = {
        rows: l.rows,
        cols: l.cols,
        row0: l.row0,
        col0: l.col0,
        rowStep: l.rowStep,
        colStep: l.colStep,
        fullRows: l.rowEnd - l.row0,
        fullCols: l.colEnd - l.col0,
        canvasWidth: o.map.canvas.width,
      };
    if (l) r.sample = Array.from(l.values.subarray(0, 3));
    if (o.neighbors.last)
      r.neighbors = { query: o.neighbors.queryNote(), rows: o.neighbors.read() };
    if (pca)
      r.pca = {
        points: pca.norms.length,
        ratios: o.scatter.ratios(),
        mode: o.scatter.state.mode,
        labelsDrawn: o.scatter.labelsDrawn,
        colorBy: o.scatter.state.colorBy,
      };
    r.labels = { count: labels?.list.length ?? 0, from: labels?.from ?? 'indices' };
    if (o.checks.counts.length) r.histogram = o.checks.counts;
    r.zeroText = o.checks.badText();
    const d = o.checks.report();
    if (d) r.duplicates = d;
  }
  post({ type: 'rendered', report: r });
}

// ---------- host messages ----------

function drive(a: EmbeddingsDriveAction): void {
  const o = parts;
  if (!o) return;
  switch (a.kind) {
    case 'pickRow':
      o.neighbors.pickRow(a.row);
      return;
    case 'query':
      o.neighbors.queryVector(a.text);
      return;
    case 'order':
      void setOrder(a.order);
      return;
    case 'labels':
      o.labelsInput.value = a.text;
      setLabels(parseLabelText(a.text));
      return;
    case 'threshold':
      o.checks.setThreshold(a.value);
      return;
    case 'scatter':
      o.scatter.setMode(a.mode, a.yaw, a.pitch);
      report();
      return;
    case 'zoom':
      o.map.zoomTo(a.window ?? undefined);
      report();
      return;
    case 'colorBy':
      o.scatter.setColorBy(a.by === 'norm' ? 'norm' : `col:${a.column ?? 0}`);
      report();
      return;
  }
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    parts?.map.draw();
    parts?.scatter.draw();
  }, 100);
});

window.addEventListener('message', (e: MessageEvent<EmbeddingsHostToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'loading':
      showMessage('loading', m.title, m.message);
      return;
    case 'open':
      open(m);
      return;
    case 'error':
      showMessage('error', m.title, m.message);
      return;
    case 'labels':
      setLabels(labelsOf(m.list, m.from));
      return;
    case 'reply':
      rpc.receive(m.reply);
      return;
    case 'drive':
      drive(m.action);
      return;
  }
});

showMessage('loading', '', 'loading embeddings…');
post({ type: 'ready' });
