// Times the debugger bridge against the real debugpy (Debian python3-debugpy), from a small DAP
// client in Node speaking to `python3 -m debugpy.adapter` exactly as VS Code does, with the
// helper the extension ships (src/extension/debug/helper.py):
//   npm run bench:debug            (node scripts/bench-debug.mjs [--huge-gib 2])
// Prints, per case, the median of a few runs (ms):
//   64 MiB file       float32 64 MiB: stage → .npy written by the program into a temp folder
//   64 MiB chunks     the same through base64 `evaluate` chunks (768 KiB raw, 2 in flight)
//   256 MiB pooled    float32 8192×8192 over the 128 MiB budget: statistics + pooled 1024×1024
//   scan 50 names     Tensors view refresh of a frame with 50 arrays (+ 20 other names)
//   huge health line  a float32 tensor of --huge-gib GiB: statistics on its device (chunked),
//                     with the program's peak RSS before and after (no full copy)
// Not timed here: the array editor's first paint (npm run bench:heatmap) and the code-server
// relay (each request crosses the browser twice there: ~1 MiB/s for chunks).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const hugeGiB = Number(args[args.indexOf('--huge-gib') + 1] || 2) || 2;
const PY = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'ml-bench-debug-'));
const src = readFileSync('src/extension/debug/helper.py', 'utf8');
const prog = join(dir, 'prog.py');
writeFileSync(
  prog,
  `import numpy as np, torch
def main():
    rng = np.random.default_rng(0)
    x64 = rng.standard_normal(16 * 1024 * 1024, dtype=np.float32)
    x256 = rng.standard_normal((8192, 8192), dtype=np.float32)
${Array.from({ length: 50 }, (_, i) => `    a${i} = torch.randn(256, 256)`).join('\n')}
${Array.from({ length: 20 }, (_, i) => `    s${i} = "text ${i}"`).join('\n')}
    huge = torch.empty(${hugeGiB} * 256 * 1024 * 1024).normal_()
    marker = 1
main()
`,
);
const BREAK_LINE = readFileSync(prog, 'utf8').split('\n').indexOf('    marker = 1') + 1;

const p = spawn(PY, ['-m', 'debugpy.adapter']);
let buf = Buffer.alloc(0);
let seq = 1;
const pending = new Map();
const events = [];
const waiters = [];
p.stdout.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  for (;;) {
    const i = buf.indexOf('\r\n\r\n');
    if (i < 0) break;
    const len = Number(/Content-Length: (\d+)/.exec(buf.subarray(0, i).toString())[1]);
    if (buf.length < i + 4 + len) break;
    const m = JSON.parse(buf.subarray(i + 4, i + 4 + len).toString());
    buf = buf.subarray(i + 4 + len);
    if (m.type === 'response') pending.get(m.request_seq)?.(m);
    else if (m.type === 'event') {
      events.push(m);
      for (const w of waiters.splice(0)) w();
    }
  }
});
const send = (command, a) =>
  new Promise((res) => {
    const s = seq++;
    pending.set(s, res);
    const b = JSON.stringify({ seq: s, type: 'request', command, arguments: a });
    p.stdin.write(`Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`);
  });
const waitEvent = async (name) => {
  for (;;) {
    const e = events.find((x) => x.event === name && !x.used);
    if (e) return ((e.used = true), e);
    await new Promise((r) => waiters.push(r));
  }
};

await send('initialize', { adapterID: 'debugpy', linesStartAt1: true, columnsStartAt1: true });
const launched = send('launch', { program: prog, console: 'internalConsole', python: [PY] });
await waitEvent('initialized');
await send('setBreakpoints', { source: { path: prog }, breakpoints: [{ line: BREAK_LINE }] });
await send('configurationDone', {});
await launched;
const stopped = await waitEvent('stopped');
const frameId = (await send('stackTrace', { threadId: stopped.body.threadId, levels: 1 })).body
  .stackFrames[0].id;
const ev = async (expression) => {
  const r = await send('evaluate', {
    expression,
    frameId,
    context: 'watch',
    format: { rawString: true },
  });
  if (!r.success) throw new Error(r.message);
  return r.body.result;
};
const K = JSON.stringify('__matrix_lens_debug_v2__');
const H = `__import__('sys').modules[${K}]`;
await ev(
  `(lambda s, t: s.modules.__setitem__(${K}, (lambda m: (exec(${JSON.stringify(src)}, m.__dict__), m)[1])(t.ModuleType(${K}))))(__import__('sys'), __import__('types'))`,
);
const rss = async () =>
  Number(
    await ev(`__import__('resource').getrusage(__import__('resource').RUSAGE_SELF).ru_maxrss`),
  ) / 1024;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(label, runs, fn) {
  const ms = [];
  let note = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    note = (await fn()) ?? '';
    ms.push(performance.now() - t0);
  }
  console.log(
    `${label.padEnd(18)} ${median(ms).toFixed(0).padStart(7)} ms  (${ms.map((x) => x.toFixed(0)).join(', ')}) ${note}`,
  );
}

let n = 0;
await time('64 MiB file', 5, async () => {
  const path = join(dir, `f${n++}`);
  const m = JSON.parse(
    await ev(
      `${H}.stage(globals(), locals(), "x64", {"name": "x64", "path": ${JSON.stringify(path)}})`,
    ),
  );
  const size = statSync(m.path).size;
  rmSync(m.path);
  return `${(size / 2 ** 20).toFixed(1)} MiB file`;
});
await time('64 MiB chunks', 3, async () => {
  const m = JSON.parse(await ev(`${H}.stage(globals(), locals(), "x64", {"name": "x64"})`));
  const out = Buffer.allocUnsafe(m.fileBytes);
  const offs = [];
  for (let o = 0; o < m.fileBytes; o += 786432) offs.push(o);
  let next = 0;
  const worker = async () => {
    while (next < offs.length) {
      const o = offs[next++];
      const s = await ev(
        `${H}.chunk(${JSON.stringify(m.token)}, ${o}, ${Math.min(786432, m.fileBytes - o)})`,
      );
      out.write(s, o, 'base64');
    }
  };
  await Promise.all([worker(), worker()]);
  await ev(`${H}.release()`);
  return `${offs.length} chunks`;
});
await time('256 MiB pooled', 3, async () => {
  const path = join(dir, `p${n++}`);
  const m = JSON.parse(
    await ev(
      `${H}.stage(globals(), locals(), "x256", {"name": "x256", "path": ${JSON.stringify(path)}, "budget": ${128 * 2 ** 20}})`,
    ),
  );
  rmSync(m.path);
  return `pooled ${m.pooled.join('×')}`;
});
await time('scan 50 names', 7, async () => {
  const r = JSON.parse(await ev(`${H}.scan_frame(globals(), locals(), [], 200)`));
  return `${r.items.length} arrays listed (${r.ms.toFixed(0)} ms in the program)`;
});
const before = await rss();
await time(`${hugeGiB} GiB health`, 1, async () => {
  const r = JSON.parse(await ev(`${H}.describe(globals(), locals(), "huge", True)`));
  return `n=${r.stats.n} mean=${r.stats.mean.toFixed(5)}`;
});
const after = await rss();
console.log(
  `peak RSS of the program: ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after the ${hugeGiB} GiB health line`,
);
await send('disconnect', { terminateDebuggee: true });
p.kill();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
