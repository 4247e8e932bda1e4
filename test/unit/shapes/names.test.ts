/**
 * Named dimensions: a symbolic size is shown by the name of what sized it — the unpacking
 * (`B, T, C = x.size()`), the config attribute (`config.n_embd` → `n_embd`), the int parameter
 * (`vocab_size`), and readable expressions of them (`4*n_embd`, `C//n_head`) — in hovers,
 * messages and the shapes list, never as `x.0` or with the hidden identity suffix.
 */
import assert from 'node:assert/strict';
import { loadAnalyzer } from './load';
import { fmtDim, type ShapeAnalyzer, type ShapeResult } from '../../../src/core/shapes';

const PRE = 'import torch\nimport torch.nn as nn\n';

/** The 0-based position of the first `name =` on the line holding `marker` (in src). */
function at(src: string, marker: string, name: string): [number, number] {
  const lines = (PRE + src).split('\n');
  const row = lines.findIndex((l) => l.includes(marker));
  assert.ok(row >= 0, marker);
  return [row, lines[row].indexOf(name)];
}

describe('shape checker: named dimensions', function () {
  this.timeout(30_000);
  let a: ShapeAnalyzer;
  before(async () => {
    a = await loadAnalyzer();
  });
  const hover = (r: ShapeResult, src: string, marker: string, name = marker): string =>
    r.hoverAt(...at(src, marker, name))?.text ?? '(no hover)';

  const GPT = [
    'class CausalSelfAttention(nn.Module):',
    '    def __init__(self, config):',
    '        super().__init__()',
    '        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)',
    '        self.c_proj = nn.Linear(config.n_embd, config.n_embd)',
    '        self.n_head = config.n_head',
    '        self.n_embd = config.n_embd',
    '',
    '    def forward(self, x):',
    '        B, T, C = x.size()',
    '        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)',
    '        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)',
    '        att = k @ k.transpose(-2, -1)',
    '        pos = torch.arange(0, T)',
    '        y = self.c_proj(v)',
    '        return y',
  ].join('\n');

  it('a model built from a config object, with no call site: (B, T, n_embd)', () => {
    const r = a.analyze(PRE + GPT);
    assert.equal(hover(r, GPT, 'q, k, v', 'q'), 'shape (B, T, n_embd)');
    assert.equal(hover(r, GPT, 'k = k.view', 'k'), 'shape (B, n_head, T, C//n_head)');
    assert.equal(hover(r, GPT, 'att =', 'att'), 'shape (B, n_head, T, T)');
    assert.equal(hover(r, GPT, 'pos =', 'pos'), 'shape (T,) · int64');
    assert.equal(hover(r, GPT, 'y = self', 'y'), 'shape (B, T, n_embd)');
    assert.equal(hover(r, GPT, 'B, T, C', 'T'), 'int = T');
    assert.deepEqual(r.diagnostics, []);
  });

  it('int parameters and derived sizes keep their names: (B*T, 4*n_embd)', () => {
    const src = [
      'def mlp(idx, vocab_size, n_embd):',
      '    B, T = idx.size()',
      '    emb = nn.Embedding(vocab_size, n_embd)',
      '    h = emb(idx)',
      '    u = nn.Linear(n_embd, 4 * n_embd)(h)',
      '    flat = u.view(B * T, 4 * n_embd)',
      '    half = flat[:, : n_embd // 2]',
      '    return flat',
    ].join('\n');
    const r = a.analyze(PRE + src);
    assert.equal(hover(r, src, 'h = emb', 'h'), 'shape (B, T, n_embd) · float32');
    assert.equal(hover(r, src, 'u = nn', 'u'), 'shape (B, T, 4*n_embd) · float32');
    assert.equal(hover(r, src, 'flat = u', 'flat'), 'shape (B*T, 4*n_embd) · float32');
    // the shapes list (inlay hints, CLI) shows the same names
    const flat = r.shapes.find((s) => s.name === 'flat');
    assert.deepEqual(
      flat?.shape?.map((d) => (typeof d === 'number' ? d : fmtDim(d))),
      ['B*T', '4*n_embd'],
    );
    assert.deepEqual(r.diagnostics, []);
  });

  it('messages name the dimensions: (B, T, 3) and (B, T, 4)', () => {
    const src = [
      'def f(x):',
      '    B, T = x.shape',
      '    a = torch.zeros(B, T, 3)',
      '    b = torch.zeros(B, T, 4)',
      '    c = a + b',
      '    return c',
    ].join('\n');
    const r = a.analyze(PRE + src);
    assert.equal(r.diagnostics.length, 1);
    const m = r.diagnostics[0].message;
    assert.match(m, /\(B, T, 3\)/);
    assert.match(m, /\(B, T, 4\)/);
    assert.doesNotMatch(m, /#|x\.0/);
  });

  it('two sizes with the same name in different unpackings stay different', () => {
    const src = [
      'def f(x, y):',
      '    B, T = x.shape',
      '    a = torch.zeros(B, T)',
      '    B, T = y.shape',
      '    b = torch.zeros(B, T)',
      '    c = a + b',
      '    d = torch.cat([a, b], dim=0)',
      '    return c',
    ].join('\n');
    const r = a.analyze(PRE + src);
    const a0 = r.shapes.find((s) => s.name === 'a')?.shape;
    const b0 = r.shapes.find((s) => s.name === 'b')?.shape;
    // shown alike, but not claimed equal: x and y may differ
    assert.notDeepEqual(a0, b0);
    assert.equal(hover(r, src, 'b = torch', 'b'), 'shape (B, T) · float32');
    assert.deepEqual(r.diagnostics, []);
  });
});
