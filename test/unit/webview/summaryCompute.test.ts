/**
 * Issue 15, the array panel's summary: what the host feeds the page's GPU (float32 chunks read
 * by the worker, |z| for complex arrays, bounds checked), which arrays it refuses to send and
 * why, and the lines that say where the summary was computed, with the GPU's stated accuracy
 * and its comparison with the worker's float64 summary (the kernel itself:
 * test/e2e/gpuKernels.test.ts; the panel: test/e2e/gpuSummary.test.ts).
 */
import assert from 'node:assert/strict';
import { writeNpy } from '../../../src/core/formats/npyWrite';
import { inspectText, openArrayView, summaryValues } from '../../../src/worker/arrays';
import { computeStats, type Stats } from '../../../src/core/stats/summary';
import type { RawArray } from '../../../src/core/array/ndarray';
import { SUMMARY_CHUNK_VALUES, summaryGpuRefusal } from '../../../src/protocol/compute';
import {
  compareWithCpu,
  cpuSummaryLine,
  gpuMeanBound,
  gpuSummaryLines,
  type GpuSummaryNumbers,
} from '../../../webview/heatmap/summaryText';
import { GROUP_WEIGHTS, headGroups } from '../../../webview/attention/gpuJob';
import { runSummaryJob } from '../../../webview/heatmap/gpuSummary';
import type { SummaryJob } from '../../../src/protocol/heatmap';

const MAX = 1 << 30;

function f64Raw(values: number[]): RawArray {
  const v = Float64Array.from(values);
  return {
    dtype: 'float64',
    shape: [v.length],
    fortranOrder: false,
    littleEndian: true,
    bytes: new Uint8Array(v.buffer),
  };
}

function gpuOf(x: Float32Array): GpuSummaryNumbers {
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of x) {
    if (Number.isNaN(v)) nan++;
    else if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
    else {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
  }
  const finite = x.length - nan - posInf - negInf;
  return {
    count: x.length,
    finite,
    nan,
    posInf,
    negInf,
    ...(finite ? { min, max, mean: Math.fround(sum / finite) } : {}),
  };
}

describe('array summary on the GPU: the worker side', () => {
  const values = [1.5, NaN, -Infinity, 3, Infinity, -2.25, 0, 1e-3];
  const ref = { source: { bytes: writeNpy(values, [2, 4], 'float64'), name: 'v.npy' } };

  it('opening an array says how its summary was computed (time, one thread)', async () => {
    const view = await openArrayView(
      { ...ref, maxBytes: MAX, maxCells: 1e6, pooling: 'mean' },
      () => {},
    );
    assert.ok(view.computed && view.computed.ms >= 0);
    assert.equal(view.computed.threads, 1);
    assert.equal(view.computed.streamed, undefined);
  });

  it('streams the summary of an array over maxArrayBytes and says so', async () => {
    const view = await openArrayView(
      { ...ref, maxBytes: 16, maxCells: 1e6, pooling: 'mean' },
      () => {},
    );
    assert.equal(view.heatmap, null);
    assert.equal(view.computed?.streamed, true);
    assert.match(summaryGpuRefusal(view.stats, false)!, /not held in memory/);
  });

  it('gives any chunk as float32, NaN and ±Inf kept', async () => {
    const a = await summaryValues({ ...ref, maxBytes: MAX, start: 0, count: 8 });
    assert.ok(a instanceof Float32Array);
    assert.deepEqual(
      Array.from(a),
      values.map((v) => Math.fround(v)),
    );
    const b = await summaryValues({ ...ref, maxBytes: MAX, start: 5, count: 3 });
    assert.deepEqual(
      Array.from(b),
      values.slice(5).map((v) => Math.fround(v)),
    );
  });

  it('gives |z| of complex values (an inspected selection held by the worker)', async () => {
    const view = inspectText(
      { text: '[3+4j, -5+12j, nan+1j]', key: 'sel', maxCells: 100, pooling: 'mean' },
      () => {},
    );
    assert.equal(view.computed?.threads, 1);
    const a = await summaryValues({ source: { held: 'sel' }, maxBytes: MAX, start: 0, count: 3 });
    assert.deepEqual(Array.from(a), [5, 13, NaN]);
  });

  it('refuses chunks outside the array or over the chunk size', async () => {
    await assert.rejects(
      summaryValues({ ...ref, maxBytes: MAX, start: 6, count: 3 }),
      /values 6…9 are outside the array's 8/,
    );
    await assert.rejects(
      summaryValues({ ...ref, maxBytes: MAX, start: -1, count: 1 }),
      /outside the array/,
    );
    const big = {
      source: {
        bytes: writeNpy(
          new Float64Array(SUMMARY_CHUNK_VALUES + 1),
          [SUMMARY_CHUNK_VALUES + 1],
          'float32',
        ),
        name: 'z.npy',
      },
    };
    await assert.rejects(
      summaryValues({ ...big, maxBytes: MAX, start: 0, count: SUMMARY_CHUNK_VALUES + 1 }),
      /over 1048576/,
    );
  });
});

describe('array summary on the GPU: refusals', () => {
  it('sends a loaded, non-empty array within float32 range', () => {
    assert.equal(summaryGpuRefusal(computeStats(f64Raw([1, -3e38, NaN])), true), undefined);
  });
  it('keeps float64 values beyond float32 range on the CPU (they would become ±Inf)', () => {
    assert.match(
      summaryGpuRefusal(computeStats(f64Raw([1, -1e39])), true)!,
      /values up to 1\.00e\+39 are beyond float32's range/,
    );
  });
  it('keeps an empty array on the CPU', () => {
    assert.match(summaryGpuRefusal(computeStats(f64Raw([])), true)!, /empty/);
  });
});

describe('array summary on the GPU: what the panel says', () => {
  it('the CPU line names the threads, float64 and streaming', () => {
    assert.equal(
      cpuSummaryLine({ ms: 3.14, threads: 1 }),
      'Summary computed on CPU (1 thread, float64) in 3.1 ms',
    );
    assert.equal(
      cpuSummaryLine({ ms: 1234.5, threads: 2, streamed: true }),
      'Summary computed on CPU (2 threads, float64, streamed from the file) in 1235 ms',
    );
  });

  it('the mean bound grows with the values per invocation and the rounding to float32', () => {
    // 16 values per invocation below 2^24 values (summaryWorkgroups), 256 at 2^28
    assert.equal(gpuMeanBound(1000, 1, true), (4 + 8) * 2 ** -24);
    assert.equal(gpuMeanBound(4096 * 256 * 16, 2, true), (16 + 8) * 2 ** -24 * 2);
    assert.equal(gpuMeanBound(2 ** 28, 1, false), (256 + 8 + 1) * 2 ** -24);
  });

  function stats(values: number[]): Stats {
    return computeStats(f64Raw(values));
  }

  it('compares min/max as float32, counts exactly, the mean by its error', () => {
    const v = [0.1, 0.7, NaN, -Infinity, 2.3];
    const g = gpuOf(Float32Array.from(v));
    const c = compareWithCpu(g, stats(v));
    assert.equal(c.countsAgree, true);
    assert.equal(c.rangeAgrees, true, 'float64 0.1 and its float32 rounding agree');
    assert.ok(c.meanError! > 0 && c.meanError! < 1e-7);
    assert.equal(compareWithCpu({ ...g, nan: 0 }, stats(v)).countsAgree, false);
    assert.equal(compareWithCpu({ ...g, max: 2.5 }, stats(v)).rangeAgrees, false);
  });

  it('GPU lines: numbers, upload, stated accuracy, agreement', () => {
    const v = [1.5, NaN, Infinity, -2, 4];
    const x = Float32Array.from(v);
    const lines = gpuSummaryLines(
      'computed on GPU (SwiftShader Device, software fallback) in 1.2 ms',
      gpuOf(x),
      stats(v),
      { exactInFloat32: true, uploadMs: 3.4, chunks: 1 },
    );
    assert.deepEqual(
      lines.map((l) => l.key),
      ['summary-where', 'summary-gpu', 'summary-gpu-accuracy'],
    );
    assert.equal(
      lines[0].text,
      'Summary (min, max, mean, NaN/Inf counts): computed on GPU (SwiftShader Device, software fallback) in 1.2 ms',
    );
    assert.equal(
      lines[1].text,
      'GPU, float32: x∈[-2, 4] μ=1.17 NaN 1 +Inf 1 −Inf 0; 20 B moved to the GPU in 1 chunk (3 ms)',
    );
    assert.match(lines[2].text, /^Stated accuracy: min, max and counts exact; \|Δμ\| ≤ 2\.1e-6 /);
    assert.match(lines[2].text, /counts agree, min and max agree, \|Δμ\| = [\d.]+e-\d+\.$/);
    assert.equal(lines[2].warn, undefined);
  });

  it('a GPU result outside its stated accuracy is flagged and the CPU summary stands', () => {
    const v = [1, 2, 3];
    const g = { ...gpuOf(Float32Array.from(v)), mean: 2.01 };
    const lines = gpuSummaryLines('computed on GPU (x) in 1 ms', g, stats(v), {
      exactInFloat32: false,
      uploadMs: 0,
      chunks: 2,
    });
    assert.equal(lines[2].warn, true);
    assert.match(lines[2].text, /exact of the values rounded to float32/);
    assert.match(lines[2].text, /outside the stated accuracy: the CPU summary above stands\.$/);
  });

  it('no finite values', () => {
    const v = [NaN, -Infinity];
    const lines = gpuSummaryLines(
      'computed on GPU (x) in 1 ms',
      gpuOf(Float32Array.from(v)),
      stats(v),
      {
        exactInFloat32: true,
        uploadMs: 0,
        chunks: 1,
      },
    );
    assert.match(lines[1].text, /^GPU, float32: no finite values NaN 1 \+Inf 0 −Inf 1;/);
    assert.equal(lines[2].warn, undefined);
  });
});

describe('attention on the GPU: groups of heads (progress and cancel points)', () => {
  it('covers every head once, whole heads, about GROUP_WEIGHTS weights per submit', () => {
    for (const [H, T, S] of [
      [1, 10, 10],
      [32, 4096, 4096],
      [32, 2048, 2048],
      [7, 3000, 5000],
      [12, 64, 64],
    ]) {
      const g = headGroups(H, T, S);
      assert.equal(g[0][0], 0);
      assert.equal(g[g.length - 1][1], H);
      for (let i = 1; i < g.length; i++) assert.equal(g[i][0], g[i - 1][1]);
      for (const [a, b] of g) {
        assert.ok(b > a);
        assert.ok(b - a === 1 || (b - a) * T * S <= GROUP_WEIGHTS, `${H}×${T}×${S}: ${a}–${b}`);
      }
    }
    assert.equal(headGroups(32, 4096, 4096).length, 32, 'one 16 M-weight head per submit');
    assert.equal(headGroups(32, 2048, 2048).length, 8);
    assert.equal(headGroups(12, 64, 64).length, 1, 'small jobs stay one submit');
  });
});

describe('array summary on the GPU: the page without WebGPU (Node has no navigator.gpu)', () => {
  const job: SummaryJob = {
    id: 1,
    name: 'a',
    mode: 'gpu',
    count: 10,
    chunkValues: 4,
    exactInFloat32: true,
  };
  it('a refused job stays on the CPU with its reason, and asks for no values', async () => {
    let asked = 0;
    const o = await runSummaryJob({ ...job, refuse: 'the array is empty' }, () => {
      asked++;
      return Promise.resolve(new Float32Array(4));
    });
    assert.deepEqual(o, { where: 'cpu', note: 'the array is empty' });
    assert.equal(asked, 0);
  });
  it('no adapter: the CPU summary stands, the reason is said once, no values are read', async () => {
    let asked = 0;
    const chunk = () => {
      asked++;
      return Promise.resolve(new Float32Array(4));
    };
    const first = await runSummaryJob(job, chunk);
    assert.deepEqual(first, {
      where: 'cpu',
      note: 'WebGPU is not available in this webview; computing on CPU from now on',
    });
    assert.deepEqual(await runSummaryJob({ ...job, id: 2 }, chunk), { where: 'cpu' });
    assert.equal(asked, 0);
  });
});
