import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { pythonJson, tempDir } from '../helpers/python';
import { decodePng, Image, pixel } from '../helpers/png';
import {
  driver,
  hookedFrame,
  paletteCommand,
  SCREENSHOTS,
  vsixUnderTest,
  Workbench,
} from './workbench';

/** The webview's test hook (webview/analysis/main.ts): the uPlot charts and what they drew. */
interface Hook {
  charts(): Record<
    string,
    {
      u: {
        data: (number | null)[][];
        valToPos(v: number, scale: string): number;
        over: HTMLElement;
        bbox: { width: number; height: number };
      };
      markers: Record<string, number>;
      report: { points: number; clamped?: number; note?: string };
    }
  >;
  shown(): { seq: number; type: string; title: string } | undefined;
  theme(): Record<string, string>;
  builds(): number;
}
type W = { __matrixLens?: Hook };

type RGB = [number, number, number];
function rgb(css: string): RGB {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(css);
  assert.ok(m, `colour ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
function near(a: RGB, b: RGB, tol = 40): boolean {
  return a.every((v, k) => Math.abs(v - b[k]) <= tol);
}
/** Whether a pixel within `r` px of (x, y) has colour c. */
function found(img: Image, x: number, y: number, c: RGB, r = 2, tol = 40): boolean {
  for (let dy = -r; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++) if (near(pixel(img, x + dx, y + dy), c, tol)) return true;
  return false;
}

/**
 * "Matrix Lens: Analyze" as a person runs it: NumPy writes the matrices, Quick Open opens
 * them, the command palette runs Analyze, and the checks read the charts' pixels from real
 * screenshots (positions from uPlot's own scales through the panel's test hook).
 */
describe('analysis panel in the real VS Code page (e2e)', function () {
  this.timeout(600_000);
  let wb: Workbench;
  let page: Page;
  let d: Awaited<ReturnType<typeof driver>>;
  let ref: {
    lowrank: {
      rank: number;
      tol: number;
      s: number[];
      fro: number;
      energy: number[];
      err: number[];
    };
    eig: { ev: [number, number][]; rho: number };
    sym: { ev: number[] };
  };

  before(async () => {
    const dir = tempDir('ml-e2e-analysis-');
    ref = pythonJson(
      `
import numpy as np, json, sys
d = sys.argv[1]
rng = np.random.default_rng(5)
# 40 x 30 of rank 7
a = rng.standard_normal((40, 7)) @ rng.standard_normal((7, 30))
np.save(d + '/lowrank.npy', a)
s = np.linalg.svd(a, compute_uv=False)
fro = np.linalg.norm(a, 'fro')
c = np.cumsum(s ** 2)
low = dict(rank=int(np.linalg.matrix_rank(a)), tol=float(s.max() * max(a.shape) * np.finfo(a.dtype).eps),
  s=s.tolist(), fro=float(fro), energy=[0.0] + (c / fro ** 2).tolist(),
  err=[float(fro)] + np.sqrt(np.maximum(fro ** 2 - c, 0)).tolist())
# nonsymmetric 9 x 9 with known eigenvalues: 1.5, 0.6±0.8i (on the unit circle), 0.3±0.4i,
# -0.7, ±1.2i (outside), -0.2, as V B V^-1 with B in real block form
blocks = [[[1.5]], [[0.6, 0.8], [-0.8, 0.6]], [[0.3, 0.4], [-0.4, 0.3]], [[-0.7]], [[0.0, 1.2], [-1.2, 0.0]], [[-0.2]]]
n = sum(len(b) for b in blocks)
B = np.zeros((n, n)); i = 0
for b in blocks:
    k = len(b); B[i:i+k, i:i+k] = b; i += k
V = rng.standard_normal((n, n)) + 3 * np.eye(n)
E = V @ B @ np.linalg.inv(V)
np.save(d + '/eig.npy', E)
ev = np.linalg.eigvals(E)
# symmetric 12 x 12
M = rng.standard_normal((12, 12)); S = (M + M.T) / 2
np.save(d + '/sym.npy', S)
np.save(d + '/big.npy', np.random.default_rng(1).standard_normal((1800, 1800)))
print(json.dumps(dict(lowrank=low, eig=dict(ev=[[float(z.real), float(z.imag)] for z in ev], rho=float(np.abs(ev).max())),
  sym=dict(ev=sorted(np.linalg.eigvalsh(S).tolist(), reverse=True)))))
`,
      [dir],
    );
    d = await driver();
    wb = await d.openWorkbench({
      label: 'e2e-analysis',
      vsix: vsixUnderTest(),
      workspaceFrom: dir,
      viewport: { width: 1920, height: 1200 },
    });
    page = wb.page;
    // start dark: a fresh code-server profile comes up light whatever the setting says, but
    // applies a change of the workspace setting at once (as the light half does later)
    mkdirSync(join(wb.workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(wb.workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'workbench.colorTheme': 'Default Dark Modern' }),
    );
    await page.waitForSelector('.monaco-workbench.vs-dark', { timeout: 30_000 });
    // more room for the panel: no side bar
    await command('View: Toggle Primary Side Bar Visibility');
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await wb?.close();
  });

  const command = (title: string, tab?: string, file = false): Promise<void> =>
    paletteCommand(page, title, tab, file);
  const panel = (timeoutMs?: number): Promise<Frame> =>
    hookedFrame(page, 'the analysis panel', timeoutMs);

  async function waitShown(f: Frame, type: string, file: string, timeout = 60_000): Promise<void> {
    await f.waitForFunction(
      ([t, name]) => {
        const s = (window as unknown as W).__matrixLens?.shown();
        return !!s && s.type === t && s.title.includes(name);
      },
      [type, file] as const,
      { timeout },
    );
  }

  /** Quick Open the file, run Analyze from the palette, wait for the panel to show `type`. */
  async function analyze(file: string, type = 'analysis'): Promise<Frame> {
    // Quick Open from the first group: files open there, the panel stays beside them
    await command(file, undefined, true);
    await page.locator('.tab', { hasText: file }).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    await command('Matrix Lens: Analyze', file);
    const f = await panel();
    await waitShown(f, type, file);
    return f;
  }

  async function theme(f: Frame): Promise<Record<string, string>> {
    return f.evaluate(() => (window as unknown as W).__matrixLens!.theme());
  }

  /** The plot area of chart `id` on the page (after scrolling it into view). */
  async function plotBox(f: Frame, id: string) {
    const over = f.locator(`#plot-${id} .u-over`);
    await over.scrollIntoViewIfNeeded();
    await page.waitForTimeout(150);
    const box = await over.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, `chart ${id} is visible and sized`);
    return box;
  }

  /** The singular-value chart checks, in whichever theme is on. */
  async function checkSingularValues(f: Frame, shot: string): Promise<void> {
    const r = ref.lowrank;
    assert.equal(r.rank, 7, 'NumPy: rank 7');
    assert.equal(await f.textContent('[data-key="stat-rank"]'), '7');
    const box = await plotBox(f, 'sv');
    const at = await f.evaluate(
      ([rank, tol]) => {
        const c = (window as unknown as W).__matrixLens!.charts().sv;
        const u = c.u;
        return {
          rankX: u.valToPos(rank, 'x'),
          tolY: u.valToPos(tol, 'y'),
          midX: u.valToPos(3.5, 'x'),
          xs: u.data[0] as number[],
          ys: u.data[1] as number[],
          pos: (u.data[0] as number[]).map((x, i) => [
            u.valToPos(x, 'x'),
            u.valToPos(u.data[1][i] as number, 'y'),
          ]),
          markers: c.markers,
          report: c.report,
          height: u.over.clientHeight,
        };
      },
      [r.rank, r.tol] as const,
    );
    // the marker and the line are drawn where uPlot's scales put rank and tolerance
    assert.ok(
      Math.abs(at.markers.rankX - at.rankX) <= 0.5,
      `rank marker ${at.markers.rankX} vs ${at.rankX}`,
    );
    assert.ok(
      Math.abs(at.markers.toleranceY - at.tolY) <= 0.5,
      `tol line ${at.markers.toleranceY} vs ${at.tolY}`,
    );
    // the noise-aware rank: the exact rank-7 matrix's noise is rounding, so 7 spikes; its
    // Marchenko–Pastur edge lies below the rank tolerance, so no edge line is drawn
    assert.equal(await f.textContent('[data-key="stat-signal-rank"]'), '7');
    assert.equal(at.markers.mpEdgeY, undefined);
    // one point per singular value, at NumPy's values
    assert.equal(at.report.points, r.s.length);
    assert.equal(at.ys.length, r.s.length);
    assert.deepEqual(
      at.xs,
      r.s.map((_, i) => i + 1),
    );
    at.ys.forEach((y, i) =>
      assert.ok(
        Math.abs(y - Math.max(r.s[i], r.s[0] * 1e-18)) <= 1e-9 * r.s[0],
        `σ#${i + 1} drawn at ${y}, NumPy ${r.s[i]}`,
      ),
    );
    const th = await theme(f);
    const img = decodePng(await page.screenshot({ path: join(SCREENSHOTS, shot) }));
    // pixels: the rank marker (vertical), the tolerance line (horizontal), every point
    const rankC = rgb(th.rank);
    const tolC = rgb(th.tolerance);
    const seriesC = rgb(th.series);
    for (const fy of [0.35, 0.6, 0.85])
      assert.ok(
        found(img, box.x + at.rankX, box.y + fy * at.height, rankC, 1),
        `rank marker pixel at x=${at.rankX}, ${fy} of the height: ${pixel(img, box.x + at.rankX, box.y + fy * at.height)} vs ${rankC}`,
      );
    assert.ok(
      found(img, box.x + at.midX, box.y + at.tolY, tolC, 1),
      `tolerance line pixel at y=${at.tolY}: ${pixel(img, box.x + at.midX, box.y + at.tolY)} vs ${tolC}`,
    );
    // and not where it would be a decade off
    assert.ok(
      !found(img, box.x + at.midX, box.y + at.tolY + 12, tolC, 1, 20),
      'the line is one line',
    );
    let seen = 0;
    at.pos.forEach(([x, y], i) => {
      if (i + 1 === r.rank) return; // under the rank marker
      assert.ok(
        found(img, box.x + x, box.y + y, seriesC, 1),
        `point σ#${i + 1} at (${x}, ${y}): ${pixel(img, box.x + x, box.y + y)}`,
      );
      seen++;
    });
    assert.equal(seen, r.s.length - 1);
  }

  it('singular values on a log axis: the rank marker at valToPos(rank), the tolerance line at valToPos(tol), one point per σ', async () => {
    const f = await analyze('lowrank.npy');
    await checkSingularValues(f, 'analysis-dark.png');
  });

  it('cumulative energy and the Eckart–Young curve match NumPy; hovering a point shows k and σ_k', async () => {
    const f = await panel();
    const r = ref.lowrank;
    const data = await f.evaluate(() => {
      const c = (window as unknown as W).__matrixLens!.charts();
      return { energy: c.energy.u.data, error: c.error.u.data, rankX: c.error.markers.rankX };
    });
    assert.equal(data.energy[1].length, r.s.length + 1);
    data.energy[1].forEach((v, k) =>
      assert.ok(Math.abs(v! - r.energy[k]) <= 1e-9, `energy(${k}) ${v} vs ${r.energy[k]}`),
    );
    assert.equal(data.error[1].length, r.s.length + 1);
    data.error[1].forEach((v, k) =>
      assert.ok(Math.abs(v! - r.err[k]) <= 1e-7 * r.fro, `‖A − A_${k}‖ ${v} vs ${r.err[k]}`),
    );
    // the cursor readout: hover point k = 3 of the singular values
    const box = await plotBox(f, 'sv');
    const p = await f.evaluate(() => {
      const u = (window as unknown as W).__matrixLens!.charts().sv.u;
      return [u.valToPos(3, 'x'), u.valToPos(u.data[1][2] as number, 'y')];
    });
    await page.mouse.move(box.x + p[0], box.y + p[1]);
    await f.waitForFunction(() =>
      /^k = 3\b/.test(document.querySelector('[data-key="readout-sv"]')?.textContent ?? ''),
    );
    const text = (await f.textContent('[data-key="readout-sv"]')) ?? '';
    const m = /σ_3 = (\S+)/.exec(text);
    assert.ok(m, text);
    assert.ok(
      Math.abs(Number(m[1]) - r.s[2]) <= 1e-5 * r.s[2],
      `readout ${text} vs σ_3 = ${r.s[2]}`,
    );
    // keyboard: focus the chart, End goes to the last point
    await f.focus('#plot-sv');
    await page.keyboard.press('End');
    assert.match(
      (await f.textContent('[data-key="readout-sv"]')) ?? '',
      new RegExp(`^k = ${r.s.length}\\b`),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'analysis-readout-dark.png') });
  });

  /** Eigenvalue chart checks: NumPy's eigenvalues where uPlot puts them, circles, equal aspect. */
  async function checkEigenvalues(f: Frame, shot: string): Promise<void> {
    const box = await plotBox(f, 'eig');
    const ev = ref.eig.ev;
    const at = await f.evaluate((ev) => {
      const c = (window as unknown as W).__matrixLens!.charts().eig;
      const u = c.u;
      return {
        markers: c.markers,
        points: c.report.points,
        data: [u.data[0], u.data[1]] as number[][],
        pos: ev.map(([re, im]) => [u.valToPos(re, 'x'), u.valToPos(im, 'y')]),
        origin: [u.valToPos(0, 'x'), u.valToPos(0, 'y')],
        one: [u.valToPos(1, 'x'), u.valToPos(1, 'y')],
      };
    }, ev);
    assert.equal(at.points, ev.length);
    // every NumPy eigenvalue is among the plotted points
    for (const [re, im] of ev)
      assert.ok(
        at.data[0].some((x, i) => Math.abs(x - re) < 1e-8 && Math.abs(at.data[1][i] - im) < 1e-8),
        `λ = ${re} + ${im}i plotted`,
      );
    // equal aspect: one unit is as many pixels across as up; the unit circle is drawn there
    const ux = at.one[0] - at.origin[0];
    const uy = at.origin[1] - at.one[1];
    assert.ok(Math.abs(ux - uy) <= 1, `aspect: 1 = ${ux} px across, ${uy} px up`);
    assert.ok(Math.abs(at.markers.unitRx - ux) <= 0.5 && Math.abs(at.markers.unitRy - uy) <= 0.5);
    assert.ok(Math.abs(at.markers.centerX - at.origin[0]) <= 0.5);
    // each point sits inside / on / outside the drawn unit circle as |λ| says
    ev.forEach(([re, im], i) => {
      const [x, y] = at.pos[i];
      const rel = Math.hypot(x - at.markers.centerX, y - at.markers.centerY) / at.markers.unitRx;
      const mod = Math.hypot(re, im);
      assert.ok(Math.abs(rel - mod) <= 0.02, `λ#${i} at ${rel} unit radii, |λ| = ${mod}`);
      const where = (v: number) => (Math.abs(v - 1) < 0.02 ? 'on' : v < 1 ? 'inside' : 'outside');
      assert.equal(where(rel), where(mod));
    });
    assert.deepEqual(
      ev
        .map(([re, im]) => Math.hypot(re, im))
        .map((v) => (Math.abs(v - 1) < 1e-6 ? 'on' : v < 1 ? 'in' : 'out'))
        .sort(),
      ['in', 'in', 'in', 'in', 'on', 'on', 'out', 'out', 'out'],
    );
    const th = await theme(f);
    const img = decodePng(await page.screenshot({ path: join(SCREENSHOTS, shot) }));
    const seriesC = rgb(th.series);
    at.pos.forEach(([x, y], i) =>
      assert.ok(
        found(img, box.x + x, box.y + y, seriesC, 1),
        `λ#${i} pixel ${pixel(img, box.x + x, box.y + y)}`,
      ),
    );
    // the unit circle and the spectral-radius circle (dashed: some pixel along an arc)
    const arc = (r: number, c: RGB) => {
      for (let deg = 190; deg <= 250; deg += 2) {
        const t = (deg * Math.PI) / 180;
        if (
          found(
            img,
            box.x + at.markers.centerX + r * ux * Math.cos(t),
            box.y + at.markers.centerY - r * uy * Math.sin(t),
            c,
            1,
          )
        )
          return true;
      }
      return false;
    };
    assert.ok(arc(1, rgb(th.unit)), 'unit circle drawn');
    assert.ok(arc(ref.eig.rho, rgb(th.radius)), 'spectral-radius circle drawn');
    assert.ok(!arc(1.3, rgb(th.radius)), 'no circle where there is none');
  }

  it('eigenvalues on the complex plane: NumPy eigenvalues at their positions relative to the unit circle', async () => {
    const f = await analyze('eig.npy');
    assert.equal(await f.locator('#plot-eig-real').count(), 0);
    await checkEigenvalues(f, 'analysis-eig-dark.png');
  });

  it('cancel from the panel: the progress bar follows the worker and Cancel ends in the cancelled state', async () => {
    const f = await analyze('big.npy', 'running');
    await f.waitForSelector('#cancel');
    // the bar is fed by the worker's progress messages
    await f.waitForFunction(
      () => /^\d+%$/.test(document.getElementById('progress-text')?.textContent ?? ''),
      undefined,
      {
        timeout: 60_000,
      },
    );
    const value = await f.evaluate(
      () => (document.getElementById('progress') as HTMLElement & { value?: number }).value,
    );
    assert.ok(typeof value === 'number' && value >= 0 && value <= 100, `progress ${value}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'analysis-running-dark.png') });
    const t0 = Date.now();
    await f.click('#cancel');
    await waitShown(f, 'cancelled', 'big.npy', 15_000);
    const ms = Date.now() - t0;
    assert.match((await f.textContent('[data-key="status"]')) ?? '', /Cancelled/);
    console.log(`    cancel clicked → panel shows "Cancelled" in ${ms} ms`);
    await page.screenshot({ path: join(SCREENSHOTS, 'analysis-cancelled-dark.png') });
  });

  it('symmetric input: real sorted eigenvalues; the toggle adds the spectral density histogram', async () => {
    const f = await analyze('sym.npy');
    assert.equal(await f.locator('#plot-eig').count(), 0, 'no complex plane for symmetric input');
    const lam = await f.evaluate(
      () => (window as unknown as W).__matrixLens!.charts()['eig-real'].u.data[1] as number[],
    );
    assert.equal(lam.length, ref.sym.ev.length);
    lam.forEach((v, i) =>
      assert.ok(Math.abs(v - ref.sym.ev[i]) <= 1e-9, `λ${i} ${v} vs ${ref.sym.ev[i]}`),
    );
    assert.equal(await f.locator('#plot-hist .u-over').count(), 0, 'histogram off by default');
    await f.click('#toggle-histogram');
    await f.waitForSelector('#plot-hist .u-over');
    const counts = await f.evaluate(() => {
      const u = (window as unknown as W).__matrixLens!.charts().hist.u;
      const xs = u.data[0] as number[];
      const w = xs[1] - xs[0];
      return (u.data[1] as number[]).reduce((s, dens) => s + dens * w, 0);
    });
    assert.ok(Math.abs(counts - 1) < 1e-9, `density integrates to ${counts}`);
    await plotBox(f, 'hist');
    await page.screenshot({ path: join(SCREENSHOTS, 'analysis-sym-dark.png') });
  });

  it('switching to a light theme re-renders the charts in its colours; same positions', async () => {
    const f = await panel();
    const before = await f.evaluate(() => (window as unknown as W).__matrixLens!.builds());
    const dark = await theme(f);
    // as if the user picked another theme: VS Code applies a settings change at once
    mkdirSync(join(wb.workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(wb.workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'workbench.colorTheme': 'Default Light Modern' }),
    );
    await f.waitForFunction(
      (n) =>
        document.body.classList.contains('vscode-light') &&
        (window as unknown as W).__matrixLens!.builds() > n,
      before,
      { timeout: 30_000 },
    );
    const light = await theme(f);
    console.log(
      `    theme colours: dark ${JSON.stringify(dark)}\n    light ${JSON.stringify(light)}`,
    );
    assert.equal(dark.kind, 'dark');
    assert.equal(light.kind, 'light');
    assert.notEqual(light.background, dark.background);
    // the plot area is light now
    const box = await plotBox(f, 'eig-real');
    const img = decodePng(
      await page.screenshot({ path: join(SCREENSHOTS, 'analysis-sym-light.png') }),
    );
    const bg = pixel(img, box.x + 3, box.y + box.height - 3);
    assert.ok(bg[0] + bg[1] + bg[2] > 600, `light background ${bg}`);
    assert.ok(near(bg, rgb(light.background), 12), `plot background ${bg} vs ${light.background}`);
    // the same checks in the light theme
    await checkSingularValues(await analyze('lowrank.npy'), 'analysis-light.png');
    await checkEigenvalues(await analyze('eig.npy'), 'analysis-eig-light.png');
    const f2 = await analyze('big.npy', 'running');
    await f2.waitForSelector('#cancel');
    await f2.waitForFunction(
      () => /^\d+%$/.test(document.getElementById('progress-text')?.textContent ?? ''),
      undefined,
      {
        timeout: 60_000,
      },
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'analysis-running-light.png') });
    await f2.click('#cancel');
    await waitShown(f2, 'cancelled', 'big.npy', 15_000);
    await checkEigenvalues(await analyze('eig.npy'), 'analysis-eig-light.png');
  });

  it('high-contrast theme: same checks, thicker lines in the theme colours', async () => {
    const f = await panel();
    const before = await f.evaluate(() => (window as unknown as W).__matrixLens!.builds());
    writeFileSync(
      join(wb.workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'workbench.colorTheme': 'Default High Contrast' }),
    );
    await f.waitForFunction(
      (n) =>
        document.body.classList.contains('vscode-high-contrast') &&
        (window as unknown as W).__matrixLens!.builds() > n,
      before,
      { timeout: 30_000 },
    );
    assert.equal((await theme(f)).kind, 'high-contrast');
    await checkSingularValues(await analyze('lowrank.npy'), 'analysis-hc.png');
    await checkEigenvalues(await analyze('eig.npy'), 'analysis-eig-hc.png');
  });

  it('the panel comes back with a result after a window reload (serializer)', async () => {
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    let f: Frame;
    let restored = '';
    try {
      // a restored panel loads when its tab is shown. VS Code saves webview state on its own
      // schedule, so the panel may come back with one of the recent results, not the last.
      const tab = page.locator('.tab', { hasText: 'Analysis: ' }).first();
      await tab.waitFor({ timeout: 60_000 });
      restored = /Analysis: (\S+)/.exec((await tab.textContent()) ?? '')?.[1] ?? '';
      await tab.click();
      f = await panel(60_000);
    } catch (e) {
      await page.screenshot({ path: join(SCREENSHOTS, 'analysis-reload-failed.png') });
      throw e;
    }
    assert.ok(['lowrank.npy', 'eig.npy'].includes(restored), `restored ${restored}`);
    await waitShown(f, 'analysis', restored, 60_000);
    if (restored === 'eig.npy') await checkEigenvalues(f, 'analysis-restored.png');
    else await checkSingularValues(f, 'analysis-restored.png');
  });
});
