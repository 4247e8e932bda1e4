import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LensError, isLensError } from '../../../src/core/errors';
import { parseArrayText } from '../../../src/core/formats/selection';
import { pythonJson } from '../../helpers/python';

type Num = number | 'nan' | 'inf' | '-inf';
const num = (v: Num) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const isLens = (re?: RegExp) => (e: unknown) =>
  e instanceof LensError && (!re || re.test(e.message));

interface Case {
  form: string;
  text: string;
  dtype: string;
  shape: number[];
  values: Num[];
  /** relative tolerance (0: exact). */
  tol: number;
}

function close(a: number, b: number, tol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1e-30, Math.abs(b));
}

describe('selection text → array', function () {
  this.timeout(60_000);
  let cases: Case[];

  before(() => {
    cases = pythonJson<Case[]>(`
import numpy as np, json, torch, warnings
warnings.simplefilter('ignore')
np.set_printoptions(floatmode='unique')
rng = np.random.default_rng(3)
def enc(v):
    v = float(v)
    return 'nan' if np.isnan(v) else ('inf' if v > 0 else '-inf') if np.isinf(v) else v
def vals(a):
    f = np.asarray(a).astype(np.complex128 if np.asarray(a).dtype.kind == 'c' else np.float64).ravel()
    if f.dtype.kind == 'c': return [enc(x) for z in f for x in (z.real, z.imag)]
    return [enc(x) for x in f]
default = {'b': 'bool', 'i': 'int64', 'u': 'uint64', 'f': 'float64', 'c': 'complex128'}
eps = {'float16': 1e-3, 'float32': 1e-7}
out = []
def add(form, text, dtype, shape, values, tol=0):
    out.append(dict(form=form, text=text, dtype=dtype, shape=list(shape), values=values, tol=tol))
for code in ['?', 'i1', 'u2', 'i4', 'i8', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16']:
    for shape in [(), (5,), (3, 4), (2, 3, 4), (0,), (2, 0), (3, 30)]:
        dt = np.dtype(code)
        if dt.kind == 'b': a = rng.random(shape) > 0.5
        elif dt.kind in 'iu': a = rng.integers(np.iinfo(dt).min, np.iinfo(dt).max, size=shape, dtype=dt, endpoint=True)
        else:
            a = (rng.standard_normal(shape) * 10.0 ** rng.integers(-5, 6, size=shape)).astype(dt)
            if a.size > 3 and dt.kind == 'f': a.flat[1] = np.nan; a.flat[2] = -np.inf
            if dt.kind == 'c': a = a + (1j * rng.standard_normal(shape)).astype(dt)
        a = np.asarray(a)
        name = str(dt)
        add('repr', repr(a), name, a.shape, vals(a))
        if a.ndim > 0 and a.size > 0:
            # str prints no dtype: NumPy's default for the kind, and the printed digits
            kind = default[dt.kind] if dt.kind != 'u' or a.max() > np.iinfo(np.int64).max else 'int64'
            add('str', str(a), kind, a.shape, vals(a), eps.get(name.replace('complex64', 'float32'), 0))
            add('tolist', str(a.tolist()), kind, a.shape, vals(a), 0 if dt.kind != 'c' or name == 'complex128' else 1e-7)
for dt, name in [(torch.float32, 'float32'), (torch.float64, 'float64'), (torch.int64, 'int64'), (torch.int32, 'int32'), (torch.bool, 'bool'), (torch.float16, 'float16')]:
    for shape in [(), (4,), (2, 3), (2, 2, 2)]:
        t = (torch.randn(shape, generator=torch.Generator().manual_seed(1)) * 100).to(dt)
        if dt == torch.float64 and t.numel() > 1: t.requires_grad_(True); t = t * 1
        add('torch', repr(t), name, tuple(t.shape), vals(t.detach().numpy()), 1e-4 if t.is_floating_point() else 0)
print(json.dumps(out))
`);
  });

  it('parses NumPy repr/str, Python lists and torch printouts like the libraries wrote them', () => {
    assert.ok(cases.length > 150);
    for (const c of cases) {
      const what = `${c.form}: ${c.text.slice(0, 80)}`;
      const r = parseArrayText(c.text);
      assert.equal(r.dtype, c.dtype, what);
      assert.deepEqual(r.shape, c.shape, what);
      const want = c.values.map(num);
      assert.equal(r.values.length, want.length, what);
      for (let i = 0; i < want.length; i++)
        assert.ok(
          close(r.values[i], want[i], c.tol),
          `${what}: [${i}] ${r.values[i]} vs ${want[i]}`,
        );
    }
  });

  it('understands calls, keyword arguments and plain rows', () => {
    const t = (text: string, dtype: string, shape: number[], values: number[]) => {
      const r = parseArrayText(text);
      assert.deepEqual(
        { dtype: r.dtype, shape: r.shape, values: Array.from(r.values) },
        { dtype, shape, values },
        text,
      );
    };
    t('[[1, 2], [3, 4],]', 'int64', [2, 2], [1, 2, 3, 4]);
    t(
      '[1.5, nan, -inf, Infinity, NaN, -1e-3, 2E+2]',
      'float64',
      [7],
      [1.5, NaN, -Infinity, Infinity, NaN, -0.001, 200],
    );
    t('[true, false, True]', 'bool', [3], [1, 0, 1]);
    t('[True, 2]', 'int64', [2], [1, 2]);
    t('np.array([[1,2],[3,4]], dtype=np.float32)', 'float32', [2, 2], [1, 2, 3, 4]);
    t('numpy.asarray([1, 2], dtype="uint8")', 'uint8', [2], [1, 2]);
    t("np.array([1, 2], dtype='<f2')", 'float16', [2], [1, 2]);
    t('np.array([1.7, -2.7], np.int32)', 'int32', [2], [1, -2]);
    t('np.array([0.1], dtype=np.dtype("float32"))', 'float32', [1], [Math.fround(0.1)]);
    t('torch.tensor([1.1, 2], dtype=torch.float16)', 'float16', [2], [1.099609375, 2]);
    t('torch.tensor([[1, 2]], dtype=torch.int)', 'int32', [1, 2], [1, 2]);
    t('torch.tensor([1.5, 2.5])', 'float32', [2], [1.5, 2.5]);
    t('torch.tensor([1.0], dtype=torch.bfloat16)', 'bfloat16', [1], [1]);
    t(
      "tensor([[1.0000e+00, 2.0000e-03]], device='cuda:0', dtype=torch.float64, requires_grad=True)",
      'float64',
      [1, 2],
      [1, 0.002],
    );
    t('tensor([1., 2.], grad_fn=<AddBackward0>)', 'float32', [2], [1, 2]);
    t(
      'Parameter containing:\ntensor([[0.5000, 1.0000]], requires_grad=True)',
      'float32',
      [1, 2],
      [0.5, 1],
    );
    t('tensor([], size=(0, 3))', 'float32', [0, 3], []);
    t('array([], shape=(0, 3), dtype=float64)', 'float64', [0, 3], []);
    t('array(7)', 'int64', [], [7]);
    t('tensor(3.5000)', 'float32', [], [3.5]);
    t('Out[3]: array([ True, False])', 'bool', [2], [1, 0]);
    t('array([1.+2.j, 3.-1.j, nan+infj])', 'complex128', [3], [1, 2, 3, -1, NaN, Infinity]);
    t('[(1+2j), (3-4j), 5j]', 'complex128', [3], [1, 2, 3, -4, 0, 5]);
    t('((1, 2), (3, 4))', 'int64', [2, 2], [1, 2, 3, 4]);
    t('[[1. 2.]\n [3. 4.]]', 'float64', [2, 2], [1, 2, 3, 4]);
    t('1 2 3\n4 5 6\n', 'int64', [2, 3], [1, 2, 3, 4, 5, 6]);
    t('1, 2.5; 3\r\n\n4\t5 6', 'float64', [2, 3], [1, 2.5, 3, 4, 5, 6]);
    t('1,2,3', 'int64', [3], [1, 2, 3]);
    t(' -2.5 ', 'float64', [], [-2.5]);
    t('[]', 'float64', [0], []);
    t('[[], []]', 'float64', [2, 0], []);
    t('[1_000, 18446744073709551615]', 'uint64', [2], [1000, 2 ** 64]);
    t('[np.nan, -np.inf, math.inf]', 'float64', [3], [NaN, -Infinity, Infinity]);
  });

  it('refuses summaries, ragged rows and junk with clear LensErrors', () => {
    const bad = (text: string, re: RegExp) =>
      assert.throws(() => parseArrayText(text), isLens(re), text);
    bad(
      'array([0, 1, 2, ..., 7, 8, 9])',
      /summarised.*np\.set_printoptions\(threshold=sys\.maxsize\).*np\.save/,
    );
    bad('tensor([[0.1, 0.2, ..., 0.3]])', /not printed/);
    bad('[[1,2,3],[4,5],[6,7,8]]', /row 2 has 2 values, row 1 has 3/);
    bad('1 2 3\n4 5 6\n7 8\n', /row 3 has 2 values, row 1 has 3/);
    bad('[[[1,2],[3,4]],[[5,6],[7]]]', /\[1\]\[1\] has 1 items.*\[0\]\[0\] has 2/);
    bad('[1, [2]]', /mixed/);
    bad('[[1], 2]', /mixed/);
    bad('np.array([300], dtype=np.uint8)', /300 is out of range for uint8/);
    bad('np.array([nan], dtype=np.int8)', /NaN cannot be stored as int8/);
    bad('np.array([1j], dtype=np.float32)', /complex values cannot be stored as float32/);
    bad('[1,,2]', /unexpected comma.*line 1, column 4/);
    bad('[1, 2', /missing '\]'/);
    bad('[1, 2]]', /unexpected text/);
    bad('[None]', /None is not a number/);
    bad('np.array([1], dtype=np.str_)', /unsupported dtype/);
    bad('foo bar', /not a number/);
    bad('', /no numbers/);
    bad('   \n ', /no numbers/);
    bad('['.repeat(100) + ']'.repeat(100), /nesting deeper/);
    bad('__import__("os").system("x")', /not a number|expected/);
  });

  it('ends in a value or a LensError for 10,000 mutated and random texts (fast-check)', () => {
    const seeds = [
      ...cases.filter((_, i) => i % 5 === 0).map((c) => c.text.slice(0, 400)),
      "tensor([[1.0000e+00, 2.0000e-03]], device='cuda:0', dtype=torch.float64, requires_grad=True)",
      'np.array([[1,2],[3,4]], dtype=np.float32)',
      '1 2 3\n4 5 6',
      'array([], shape=(0, 3), dtype=float64)',
    ];
    const alphabet = fc.constantFrom(
      ...'[](),. \n-+eE0123456789jnaifTrueFalse=dtype<>\'"_x;'.split(''),
      'nan',
      'inf',
      'True',
      'np.',
      'dtype=',
      'tensor(',
      'array(',
      '...',
    );
    const random = fc.array(alphabet, { maxLength: 80 }).map((a) => a.join(''));
    const mutated = fc
      .tuple(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), alphabet), { maxLength: 4 }),
      )
      .map(([k, edits]) => {
        let s = seeds[k];
        for (const [at, del, ins] of edits) {
          const p = at % (s.length + 1);
          s = s.slice(0, p) + ins + s.slice(p + (del % 3));
        }
        return s;
      });
    let ok = 0;
    fc.assert(
      fc.property(fc.oneof(mutated, random), (text) => {
        const t0 = performance.now();
        try {
          const r = parseArrayText(text);
          assert.equal(
            r.values.length,
            r.shape.reduce((a, b) => a * b, 1) * (r.dtype.startsWith('complex') ? 2 : 1),
          );
          ok++;
        } catch (e) {
          if (!isLensError(e)) throw e;
        }
        // a guard against runaway work (a parse of ≤ a few hundred characters that takes
        // seconds), not a speed test: 200 ms flaked under a loaded machine's GC pauses
        const ms = performance.now() - t0;
        assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
      }),
      { numRuns: Number(process.env.MATRIX_LENS_FUZZ_RUNS ?? 10_000), seed: 7 },
    );
    assert.ok(ok > 100, `only ${ok} texts parsed`);
  });
});
