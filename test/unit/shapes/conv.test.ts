/**
 * Convolution and pooling layers: the window arithmetic PyTorch documents for Conv2d/MaxPool2d,
 * the channel check with both lines named, and symbolic sizes kept only where the window keeps
 * them.
 */
import assert from 'node:assert/strict';
import { loadAnalyzer } from './load';
import { fmtDim, type ShapeAnalyzer, type ShapeResult } from '../../../src/core/shapes';

const PRE = 'import torch\nimport torch.nn as nn\n';

describe('shape checker: conv and pool layers', function () {
  this.timeout(30_000);
  let a: ShapeAnalyzer;
  before(async () => {
    a = await loadAnalyzer();
  });
  const shapeOf = (r: ShapeResult, name: string): (number | string)[] | null | undefined => {
    const s = r.shapes.filter((e) => e.name === name).pop()?.shape;
    return s && s.map((d) => (typeof d === 'number' ? d : fmtDim(d)));
  };

  it('conv, pool, batch norm, flatten: (8, 3, 32, 32) → (8, 400)', () => {
    const r = a.analyze(
      PRE +
        [
          'x = torch.randn(8, 3, 32, 32)',
          'c = nn.Conv2d(3, 6, 5)(x)',
          'p = nn.MaxPool2d(2, 2)(c)',
          's = nn.Conv2d(6, 16, kernel_size=3, stride=2, padding=1)(p)',
          'n = nn.BatchNorm2d(16)(s)',
          'f = nn.Flatten()(nn.AvgPool2d(2)(n))',
        ].join('\n'),
    );
    assert.deepEqual(shapeOf(r, 'c'), [8, 6, 28, 28]);
    assert.deepEqual(shapeOf(r, 'p'), [8, 6, 14, 14]);
    assert.deepEqual(shapeOf(r, 's'), [8, 16, 7, 7]);
    assert.deepEqual(shapeOf(r, 'n'), [8, 16, 7, 7]);
    assert.deepEqual(shapeOf(r, 'f'), [8, 144]);
    assert.deepEqual(r.diagnostics, []);
  });

  it('a channel mismatch names the layer line and the input line', () => {
    const r = a.analyze(
      PRE +
        ['conv = nn.Conv2d(3, 8, 3)', 'img = torch.randn(2, 1, 28, 28)', 'y = conv(img)'].join(
          '\n',
        ),
    );
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0];
    assert.equal(d.line, 4);
    assert.match(
      d.message,
      /expects 3 channels \(from line 3\).*has 1 in dimension 1 \(from line 4\)/,
    );
  });

  it('symbolic sizes: kept by a same-padding conv, unknown after a pool', () => {
    const r = a.analyze(
      PRE +
        [
          'def f(x):',
          '    B, C, H, W = x.shape',
          '    y = nn.Conv2d(C, 8, 3, padding=1)(x)',
          '    z = nn.MaxPool2d(2)(y)',
          '    return z',
        ].join('\n'),
    );
    assert.deepEqual(shapeOf(r, 'y'), ['B', 8, 'H', 'W']);
    assert.deepEqual(shapeOf(r, 'z'), ['B', 8, '?', '?']);
    assert.deepEqual(r.diagnostics, []);
  });
});
