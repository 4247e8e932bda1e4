// Benchmarks the heatmap webview (dist/webview/heatmap.js, the bundle the extension inlines)
// in headless Chromium on a plain page with a stub acquireVsCodeApi:
//   npm run bench:heatmap          (node scripts/bench-heatmap.mjs [--renderer auto|webgl2|canvas] [--sizes 4096,8192])
// For each size it hands the page a float32 array (--wide: float64 × 1e200) as the host would (an 'array' message) and
// measures
//   first paint   from the message arriving to its pixels being on screen (a 1×1 readback of
//                 the heatmap canvas, which waits for the GPU, then the next animation frame)
//   pan/zoom      frame times while scripted wheel zooms and drags move the view every frame
//   memory        JS heap + ArrayBuffer backing stores (CDP Runtime.getHeapUsage) after GC,
//                 against the array's bytes
// An 8192² slice is pooled by the worker to maxCells (4096² by default) before it reaches the
// webview: the worker's pooling time is measured here too (src/core/view/slice2d.ts in Node).
// Headless Chromium here has no GPU: WebGL2 runs on SwiftShader (a CPU rasterizer), so the
// frame times are an upper bound of what a GPU gives.
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './lib/browser.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const RENDERERS = opt('renderer', 'webgl2,canvas').split(',');
const SIZES = opt('sizes', '4096,8192').split(',').map(Number);
const MAX_CELLS = Number(opt('max-cells', String(4096 * 4096)));
const FRAMES = Number(opt('frames', '60'));
// --wide: a float64 array of the same pattern × 1e200 (beyond float32: drawn from float64 values)
const WIDE = argv.includes('--wide');
const SCALE = WIDE ? 1e200 : 1;

// the worker's pooling, in Node
const dir = mkdtempSync(join(tmpdir(), 'ml-bench-heatmap-'));
const coreOut = join(dir, 'core.cjs');
await esbuild.build({
  stdin: {
    contents: `export { extractSlice } from './src/core/view/slice2d';`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: coreOut,
  logLevel: 'warning',
});
const { extractSlice } = createRequire(join(process.cwd(), 'package.json'))(coreOut);

/** A smooth pattern with a few NaN/±Inf cells, like a weight matrix. */
function makeArray(n) {
  const a = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      a[i * n + j] = Math.sin(i / 97) * Math.cos(j / 61) + ((i * 7 + j * 13) % 17) / 40;
  a[5 * n + 7] = NaN;
  a[9 * n + 3] = Infinity;
  a[3 * n + 9] = -Infinity;
  return a;
}

function heatmapFor(n) {
  const a = WIDE ? Float64Array.from(makeArray(n), (v) => v * SCALE) : makeArray(n);
  const raw = {
    dtype: WIDE ? 'float64' : 'float32',
    shape: [n, n],
    fortranOrder: false,
    littleEndian: true,
    bytes: new Uint8Array(a.buffer),
  };
  const t0 = performance.now();
  const s = extractSlice(raw, { rowAxis: 0, colAxis: 1, indices: [0, 0] }, MAX_CELLS, 'mean');
  const poolMs = performance.now() - t0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of s.values) {
    if (v - v !== 0) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    poolMs,
    bytes: a.byteLength,
    heatmap: {
      rows: s.rows,
      cols: s.cols,
      fullRows: n,
      fullCols: n,
      rowAxis: 0,
      colAxis: 1,
      indices: [0, 0],
      sliceLabel: '',
      rowStep: s.rowStep,
      colStep: s.colStep,
      row0: 0,
      col0: 0,
      min,
      max,
      pooling: 'mean',
      values: s.values,
    },
  };
}

const bundle = readFileSync('dist/webview/heatmap.js', 'utf8');
const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body{--vscode-foreground:#ccc;--vscode-editor-background:#1e1e1e;--vscode-font-family:sans-serif;--vscode-font-size:13px;background:#1e1e1e;color:#ccc}
</style></head><body><div id="app"></div></body></html>`;

const browser = await launchChromium();
const results = [];
try {
  for (const renderer of RENDERERS) {
    for (const n of SIZES) {
      const { poolMs, bytes, heatmap } = heatmapFor(n);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const cdp = await page.context().newCDPSession(page);
      await page.setContent(html);
      await page.evaluate(() => {
        window.__posted = [];
        window.acquireVsCodeApi = () => ({
          postMessage: (m) => window.__posted.push(m),
          getState: () => undefined,
          setState: () => {},
        });
      });
      await page.addScriptTag({ content: bundle });
      // the array arrives from the host: its values are built in the page (a transfer from
      // Node would time the test harness, not the webview)
      const msg = { ...heatmap, values: undefined };
      const r = await page.evaluate(
        async ({ msg, n, renderer, frames, pattern, scale }) => {
          const rows = msg.rows;
          const cols = msg.cols;
          const v = scale === 1 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
          // the same pattern as the worker's output (pooled when the array is larger)
          const f = new Function('i', 'j', 'n', pattern);
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < cols; j++)
              v[i * cols + j] = f(i * msg.rowStep, j * msg.colStep, n) * scale;
          v[5 * cols + 7] = NaN;
          const data = {
            type: 'array',
            fileName: 'bench.npy',
            view: {
              fileFormat: 'npy',
              entries: [],
              name: '',
              shape: [n, n],
              dtype: scale === 1 ? 'float32' : 'float64',
              fortranOrder: false,
              byteLength: n * n * (scale === 1 ? 4 : 8),
              stats: {},
              summary: `${scale === 1 ? 'float32' : 'float64'}[${n}, ${n}]`,
              heatmap: { ...msg, values: v },
            },
            settings: { colormap: 'viridis', renderer, maxCells: rows * cols },
          };
          const frame = () => new Promise((res) => requestAnimationFrame(() => res()));
          const readback = () => {
            const c = document.getElementById('heatmap');
            const probe = document.createElement('canvas');
            probe.width = probe.height = 1;
            const ctx = probe.getContext('2d');
            ctx.drawImage(c, c.width >> 1, c.height >> 1, 1, 1, 0, 0, 1, 1);
            return ctx.getImageData(0, 0, 1, 1).data[0];
          };
          await frame();
          // first paint: dispatch synchronously (the message has arrived), wait for the pixels
          const t0 = performance.now();
          window.dispatchEvent(new MessageEvent('message', { data }));
          readback();
          await frame();
          const firstPaint = performance.now() - t0;
          // longest main-thread stall in the 2 s after (pyramid levels are built then)
          let longest = 0;
          let last = performance.now();
          const until = last + 2000;
          while (performance.now() < until) {
            await frame();
            const now = performance.now();
            longest = Math.max(longest, now - last);
            last = now;
          }
          const c = document.getElementById('heatmap');
          const box = c.getBoundingClientRect();
          // pan/zoom: one wheel zoom or drag step per frame, the frame's pixels read back
          const times = [];
          let prev = performance.now();
          for (let k = 0; k < frames; k++) {
            const x = box.left + box.width * (0.3 + (0.4 * ((k * 37) % 10)) / 10);
            const y = box.top + box.height * (0.3 + (0.4 * ((k * 53) % 10)) / 10);
            if (k % 3 === 2) {
              c.dispatchEvent(
                new PointerEvent('pointerdown', {
                  clientX: x,
                  clientY: y,
                  button: 0,
                  pointerId: 1,
                  bubbles: true,
                }),
              );
              c.dispatchEvent(
                new PointerEvent('pointermove', {
                  clientX: x + 25,
                  clientY: y - 15,
                  pointerId: 1,
                  bubbles: true,
                }),
              );
              c.dispatchEvent(
                new PointerEvent('pointerup', {
                  clientX: x + 25,
                  clientY: y - 15,
                  pointerId: 1,
                  bubbles: true,
                }),
              );
            } else
              c.dispatchEvent(
                new WheelEvent('wheel', {
                  clientX: x,
                  clientY: y,
                  deltaY: k < frames / 2 ? -40 : 40,
                  bubbles: true,
                  cancelable: true,
                }),
              );
            await frame();
            readback();
            const now = performance.now();
            times.push(now - prev);
            prev = now;
          }
          times.sort((a, b) => a - b);
          const rendered = window.__posted.filter((m) => m.type === 'rendered').pop();
          return {
            firstPaint,
            longestStall: longest,
            frameMedian: times[times.length >> 1],
            frameP95: times[Math.floor(times.length * 0.95)],
            rendererUsed: rendered?.report?.heatmap?.renderer,
            rendererNote: rendered?.report?.heatmap?.rendererNote,
            canvas: [c.width, c.height],
          };
        },
        {
          msg,
          n,
          renderer,
          frames: FRAMES,
          scale: SCALE,
          pattern: 'return Math.sin(i / 97) * Math.cos(j / 61) + ((i * 7 + j * 13) % 17) / 40;',
        },
      );
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = await cdp.send('Runtime.getHeapUsage');
      const mem = (heap.usedSize ?? 0) + (heap.backingStorageSize ?? 0);
      results.push({
        renderer,
        n,
        drawn: `${heatmap.rows}×${heatmap.cols}${heatmap.rowStep > 1 ? ` (pooled ${heatmap.rowStep}×${heatmap.colStep})` : ''}`,
        poolMs,
        ...r,
        heapMiB: (heap.usedSize ?? 0) / 2 ** 20,
        buffersMiB: (heap.backingStorageSize ?? 0) / 2 ** 20,
        memRatio: mem / bytes,
        arrayMiB: bytes / 2 ** 20,
      });
      await page.close();
    }
  }
} finally {
  await browser.close();
}

const f = (x, d = 0) => (x === undefined ? '–' : x.toFixed(d));
console.log(
  `heatmap webview benchmark · ${new Date().toISOString().slice(0, 10)} · ${cpus().length}× ${cpus()[0]?.model ?? 'CPU'} · headless Chromium (SwiftShader WebGL, no GPU) · maxCells ${MAX_CELLS}`,
);
console.log(
  '| renderer | array | drawn in the webview | worker pooling ms | first paint ms | longest stall ms (2 s after) | frame ms median / p95 (fps) | JS heap + buffers MiB | × array bytes |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results)
  console.log(
    `| ${r.rendererUsed ?? '?'}${r.renderer !== r.rendererUsed ? ` (asked ${r.renderer}: ${r.rendererNote})` : ''} | ${r.n}² ${WIDE ? 'float64 ×1e200' : 'float32'} (${f(r.arrayMiB)} MiB) | ${r.drawn} | ${f(r.poolMs)} | ${f(r.firstPaint)} | ${f(r.longestStall)} | ${f(r.frameMedian, 1)} / ${f(r.frameP95, 1)} (${f(1000 / r.frameMedian)}) | ${f(r.heapMiB)} + ${f(r.buffersMiB)} | ${f(r.memRatio, 2)} |`,
  );
