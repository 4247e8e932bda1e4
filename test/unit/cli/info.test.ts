/** `matrix-lens info` end to end on files NumPy wrote. Uses $MATRIX_LENS_CLI (default dist/cli.js). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pythonJson, tempDir } from '../../helpers/python';
import { PY_ENCODE, RefStats, safetensorsFile, statsMatch } from '../formats/helpers';

const CLI = resolve(process.env.MATRIX_LENS_CLI ?? 'dist/cli.js');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

interface Info {
  file: string;
  metadata?: Record<string, string>;
  arrays: { name: string; dtype: string; shape: number[]; stats: RefStats }[];
}

describe('matrix-lens info', function () {
  this.timeout(60_000);
  const dir = tempDir('ml-cli-');
  let want: Record<string, Info['arrays']>;

  before(() => {
    want = pythonJson<Record<string, Info['arrays']>>(
      PY_ENCODE +
        `
import sys, os, json
d = sys.argv[1]
rng = np.random.default_rng(2)
a = rng.standard_normal((300, 70)).astype(np.float32); a[0, :5] = [np.nan, np.inf, -np.inf, 0, np.nan]
b = np.asfortranarray(rng.integers(-9, 9, size=(4, 5, 6)).astype('>i4'))
c = (rng.standard_normal(10) + 1j).astype(np.complex64)
np.save(os.path.join(d, 'a.npy'), a)
np.savez_compressed(os.path.join(d, 'z.npz'), a=a, b=b, c=c)
np.savez(os.path.join(d, 's.npz'), b=b, empty=np.zeros((0, 2)))
r = lambda name, x: dict(name=name, dtype=str(x.dtype.newbyteorder('=')), shape=list(x.shape), stats=stats(x))
print(json.dumps({'a.npy': [r('', a)], 'z.npz': [r('a', a), r('b', b), r('c', c)], 's.npz': [r('b', b), r('empty', np.zeros((0, 2)))]}))
`,
      [dir],
    );
    const f32 = readFileSync(join(dir, 'a.npy'));
    // the safetensors file holds the same float32 data as a.npy (its last 300*70*4 bytes)
    writeFileSync(
      join(dir, 'm.safetensors'),
      safetensorsFile(
        [
          {
            name: 'w',
            dtype: 'F32',
            shape: [300, 70],
            data: f32.subarray(f32.length - 300 * 70 * 4),
          },
        ],
        { format: 'pt' },
      ),
    );
    want['m.safetensors'] = [{ ...want['a.npy'][0], name: 'w' }];
  });

  it('prints names, dtypes, shapes and NumPy-equal statistics as JSON for .npy, .npz and .safetensors', () => {
    for (const [name, arrays] of Object.entries(want)) {
      const file = join(dir, name);
      const r = cli('info', file, '--json');
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as Info;
      assert.equal(got.file, file);
      assert.equal(got.arrays.length, arrays.length, name);
      if (name.endsWith('.safetensors')) assert.deepEqual(got.metadata, { format: 'pt' });
      else assert.equal(got.metadata, undefined);
      arrays.forEach((w, i) => {
        const g = got.arrays[i];
        assert.deepEqual([g.name, g.dtype, g.shape], [w.name, w.dtype, w.shape], name);
        assert.equal(statsMatch(g.stats, w.stats, `${name}#${w.name}`), undefined);
      });
    }
    const text = cli('info', join(dir, 'z.npz'));
    assert.equal(text.status, 0);
    assert.match(text.stdout, /^a: float32\[300, 70\] n=21000/m);
  });

  it('exits 2 with one line on stderr for truncated, missing and foreign files', () => {
    const full = readFileSync(join(dir, 'z.npz'));
    const cases: [string, Uint8Array | undefined, RegExp][] = [
      ['cut.npy', readFileSync(join(dir, 'a.npy')).subarray(0, 5000), /truncated/],
      ['cut.npz', full.subarray(0, full.length - 10), /ZIP|truncated|central directory/],
      ['junk.npz', new TextEncoder().encode('hello world, not a zip'), /not a ZIP/],
      ['missing.npy', undefined, /no such file/],
    ];
    for (const [name, bytes, re] of cases) {
      const file = join(dir, name);
      if (bytes) writeFileSync(file, bytes);
      const r = cli('info', file, '--json');
      assert.equal(r.status, 2, name);
      assert.equal(r.stdout, '', name);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0].startsWith(`matrix-lens: ${file}: `), lines[0]);
      assert.match(lines[0], re);
    }
  });
});
