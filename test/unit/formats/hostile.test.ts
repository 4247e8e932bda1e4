/**
 * Issue 12, items 2, 3, 9, 10 and 12–18 for the info/analyze/attention CLI and the readers
 * under it: degenerate shapes, FIFOs and devices, archives with many members, safetensors
 * nesting, control characters and long names in output, paths, --help/--version. Files are
 * written by NumPy here, except the byte-level hostile ones (deep JSON nesting, a bare magic).
 * Every guard is in the code; nothing relies on the test timeout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { runPython, tempDir } from '../../helpers/python';
import { LensError } from '../../../src/core/errors';
import { MemorySource } from '../../../src/core/io/source';
import { BlockCacheSource } from '../../../src/core/io/blockCache';
import { openArrayFile } from '../../../src/core/formats/open';
import { npyHeader } from '../../../src/core/formats/npyWrite';
import { checkHeaderShape, openSafetensors } from '../../../src/core/formats/safetensors';
import { computeEntryStats } from '../../../src/core/formats/entryStats';
import { analyzeMatrix, sliceToMatrix } from '../../../src/core/linalg';
import { elide, escapeControl, safeJson } from '../../../src/core/text';

const CLI = resolve(process.env.MATRIX_LENS_CLI ?? 'dist/cli.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

/** A safetensors file: 8-byte length + header bytes + data. */
function safetensors(header: string, data = new Uint8Array(0)): Uint8Array {
  const h = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** One line on stderr, starting with the program and the file. */
function oneLineError(r: ReturnType<typeof cli>, file: string, re: RegExp): void {
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  assert.ok(r.stderr.startsWith(`matrix-lens: ${file}: `), r.stderr);
  assert.match(r.stderr, re);
}

describe('hostile files and paths (issue 12)', function () {
  this.timeout(120_000);
  const dir = tempDir('ml-hostile-');

  before(() => {
    runPython(
      `
import sys, os, io, numpy as np
d = sys.argv[1]
for name, shape in [('e1', (10**15, 0)), ('e2', (0, 10**15)), ('e3', (0, 10**8))]:
    with open(os.path.join(d, name + '.npy'), 'wb') as f:
        np.lib.format.write_array_header_1_0(f, {'descr': '<f8', 'fortran_order': False, 'shape': shape})
np.savez(os.path.join(d, 'none.npz'))
np.savez_compressed(os.path.join(d, 'one_d.npz'), a=np.zeros(1 << 20))
np.savez_compressed(os.path.join(d, 'big2d.npz'), a=np.zeros((512, 512)))
np.savez(os.path.join(d, 'many.npz'), **{f'a{i}': np.full(2, float(i)) for i in range(20000)})
np.savez(os.path.join(d, 'a#b.npz'), w=np.eye(3), v=np.ones((2, 2)))
np.save(os.path.join(d, 'ok.npy'), np.eye(2))
`,
      [dir],
    );
    writeFileSync(join(dir, 'magic.npy'), Buffer.from('\x93NUMPY', 'latin1'));
  });

  it('degenerate shapes (10**15, 0), (0, 10**15), (0, 10**8) are answered at once (CLI and core)', () => {
    for (const f of ['e1', 'e2', 'e3']) {
      const r = cli('analyze', join(dir, `${f}.npy`), '--json');
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { arrays: { rank: number; singularValues: number[] }[] };
      assert.equal(j.arrays[0].rank, 0);
      assert.deepEqual(j.arrays[0].singularValues, []);
      const i = cli('info', join(dir, `${f}.npy`));
      assert.equal(i.status, 0, i.stderr);
      assert.match(i.stdout, /n=0 .*empty/);
    }
  });

  it('property: any shape with a zero dimension lists, summarizes and analyzes as empty (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 50 })), {
          minLength: 2,
          maxLength: 5,
        }),
        fc.nat({ max: 4 }),
        async (dims, zeroAt) => {
          const shape = dims.slice();
          shape[zeroAt % shape.length] = 0;
          const f = await openArrayFile('x.npy', new MemorySource(npyHeader(shape)));
          const e = f.entries[0];
          assert.deepEqual(e.shape, shape);
          assert.equal((await computeEntryStats(e)).count, 0);
          if (shape.slice(0, -2).every((d) => d > 0)) {
            const m = sliceToMatrix(await e.load());
            assert.equal(analyzeMatrix(m, 'float64').rank, 0);
          }
        },
      ),
      { numRuns: 200, seed: 2 },
    );
  });

  it('FIFOs and devices are refused before opening them blocks', () => {
    const fifo = join(dir, 'x.npy');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    oneLineError(cli('info', fifo), fifo, /not a regular file \(a FIFO\)/);
    oneLineError(cli('analyze', fifo), fifo, /not a regular file \(a FIFO\)/);
    const dev = join(dir, 'zero.npy');
    symlinkSync('/dev/zero', dev);
    oneLineError(cli('info', dev), dev, /not a regular file \(a device\)/);
    oneLineError(cli('attention', '--q', dev, '--k', dev), dev, /not a regular file/);
  });

  it('a bare \\x93NUMPY is truncated; an npz without arrays is an error exit', () => {
    const m = join(dir, 'magic.npy');
    oneLineError(cli('info', m), m, /truncated/);
    const n = join(dir, 'none.npz');
    oneLineError(cli('analyze', n), n, /holds no arrays/);
  });

  it('analyze refuses a 1-D member and a member over --max-bytes from its header', () => {
    const a = join(dir, 'one_d.npz');
    oneLineError(cli('analyze', a), a, /needs a 2-D array, got 1-D shape \[1048576\]/);
    const b = join(dir, 'big2d.npz');
    oneLineError(
      cli('analyze', b, '--max-bytes', '1M'),
      b,
      /2 MiB is larger than the --max-bytes limit of 1 MiB/,
    );
    assert.equal(cli('analyze', b, '--max-bytes', '4M', '--ops', 'rank').status, 0);
    const bad = cli('analyze', b, '--max-bytes', 'lots');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^matrix-lens: --max-bytes must be a positive size .*'lots'\n$/);
  });

  it('an archive with 20k members lists every member (block-cached header reads)', async () => {
    const r = cli('info', join(dir, 'many.npz'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { arrays: { name: string; stats: { max: number } }[] };
    assert.equal(j.arrays.length, 20000);
    const max = new Map(j.arrays.map((a) => [a.name, a.stats.max]));
    assert.equal(max.get('a0'), 0);
    assert.equal(max.get('a19999'), 19999);
  });

  it('property: the block cache returns exactly the bytes of the source (fast-check)', async () => {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 0xff);
    const inner = new MemorySource(bytes);
    const cached = new BlockCacheSource(inner, 4096, 3);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 299_999 }), fc.nat({ max: 9000 }), async (off, len) => {
        const n = Math.min(len, bytes.length - off);
        assert.deepEqual(await cached.read(off, n), bytes.slice(off, off + n));
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('property: safetensors nesting beyond 3 levels is refused before parsing, at any depth (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 20_000 }),
        fc.constantFrom('shape', '__metadata__', 'dtype'),
        async (depth, where) => {
          const deep = '['.repeat(depth) + ']'.repeat(depth);
          const header =
            where === '__metadata__'
              ? `{"__metadata__":{"k":${deep}}}`
              : `{"w":{"dtype":${where === 'dtype' ? deep : '"F32"'},"shape":${where === 'shape' ? deep : '[0]'},"data_offsets":[0,0]}}`;
          await assert.rejects(
            openSafetensors(new MemorySource(safetensors(header))),
            (e: unknown) => e instanceof LensError && e.message.length < 300,
          );
        },
      ),
      { numRuns: 100, seed: 4 },
    );
    assert.doesNotThrow(() =>
      checkHeaderShape(Buffer.from('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}')),
    );
    // a 10^4-deep shape through the CLI: one line naming the file, not a stack overflow
    const f = join(dir, 'deep.safetensors');
    writeFileSync(
      f,
      safetensors(
        `{"w":{"dtype":"F32","shape":${'['.repeat(10_000)}${']'.repeat(10_000)},"data_offsets":[0,0]}}`,
      ),
    );
    oneLineError(cli('info', f), f, /nests more than 3 levels deep/);
  });

  it('names reach the terminal escaped; long names are elided in errors; JSON stays valid', () => {
    const evil = '\x1b[2Jevil\x1b]0;title\x07\u009b31m\nline';
    const f = join(dir, 'esc.safetensors');
    writeFileSync(
      f,
      safetensors(
        JSON.stringify({
          [evil]: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          __metadata__: { ['k\x1b[31m']: 'v\nforged line' },
        }),
        new Uint8Array(4),
      ),
    );
    const t = cli('info', f);
    assert.equal(t.status, 0, t.stderr);
    assert.doesNotMatch(t.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    assert.equal(t.stdout.trim().split('\n').length, 2); // metadata line + array line
    assert.ok(t.stdout.includes('\\x1b[2Jevil'));
    const j = cli('info', f, '--json');
    assert.doesNotMatch(j.stdout.trimEnd(), /[\x00-\x1f\x7f-\x9f]/);
    assert.equal((JSON.parse(j.stdout) as { arrays: { name: string }[] }).arrays[0].name, evil);
    // a 10 MB name in an error: elided, one line
    const long = join(dir, 'long.safetensors');
    writeFileSync(
      long,
      safetensors(
        JSON.stringify({
          ['n'.repeat(10_000_000)]: { dtype: 'F32', shape: [1], data_offsets: [0, 8] },
        }),
        new Uint8Array(8),
      ),
    );
    const r = cli('info', long);
    oneLineError(r, long, /more characters/);
    assert.ok(r.stderr.length < 1200, `${r.stderr.length} characters`);
  });

  it('paths: a newline is escaped, a non-UTF-8 name opens, # in a name is written \\#', () => {
    const nl = join(dir, 'new\nline.npy');
    const r = cli('info', nl);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.split('\n').length, 2);
    assert.ok(r.stderr.includes('new\\nline.npy: cannot open: no such file'), r.stderr);
    // a file name that is not UTF-8, passed as raw bytes by Python's subprocess
    const out = runPython(
      `
import sys, os, shutil, subprocess
d = sys.argv[1].encode()
shutil.copy(os.path.join(d, b'ok.npy'), os.path.join(d, b'caf\\xe9.npy'))
r = subprocess.run([sys.argv[2], sys.argv[3], 'info', os.path.join(d, b'caf\\xe9.npy')], capture_output=True)
print(r.returncode, r.stdout.decode('utf8', 'replace').strip())
`,
      [dir, process.execPath, CLI],
    );
    assert.match(out, /^0 float64\[2, 2\]/);
    const hash = join(dir, 'a#b.npz');
    const a = cli('analyze', `${join(dir, 'a\\#b.npz')}#w`, '--json', '--ops', 'rank');
    assert.equal(a.status, 0, a.stderr);
    assert.equal((JSON.parse(a.stdout) as { arrays: { rank: number }[] }).arrays[0].rank, 3);
    assert.equal(cli('analyze', hash, '--ops', 'rank').status, 0); // the whole path is a file
  });

  it('every subcommand has --help; the CLI has --version', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const v = cli('--version');
    assert.equal(v.status, 0);
    assert.equal(v.stdout, `matrix-lens ${pkg.version}\n`);
    for (const c of ['info', 'analyze', 'attention', 'shapes']) {
      const h = cli(c, '--help');
      assert.equal(h.status, 0, `${c}: ${h.stderr}`);
      assert.ok(h.stdout.startsWith(`usage: matrix-lens ${c}`), h.stdout);
    }
  });

  it('text helpers: controls escaped to one line, long text elided, C1 escaped in JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const e = escapeControl(s);
        assert.doesNotMatch(e, /[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
        assert.ok(elide(s, 50).length <= 50 + 40);
        assert.equal(JSON.parse(safeJson(s)), s);
      }),
      { numRuns: 1000, seed: 8 },
    );
  });
});
