import * as assert from 'node:assert/strict';
import { expressionAt } from '../../../src/core/debug/expression';
import { fmt, healthLine, safeFileStem, shapeLabel } from '../../../src/core/debug/describe';

describe('debug: expression under the cursor', () => {
  const at = (line: string, marker: string) => expressionAt(line, line.indexOf(marker))?.expression;
  it('takes dotted names up to the hovered segment', () => {
    assert.equal(at('y = self.layers[0].weight @ x', 'weight'), 'self.layers[0].weight');
    assert.equal(at('y = self.layers[0].weight @ x', 'layers'), 'self.layers[0]');
    assert.equal(at('y = self.layers[0].weight @ x', 'self'), 'self');
  });
  it('includes subscripts after the name, with strings holding brackets', () => {
    assert.equal(at("out = model(batch['x]'])", 'batch'), "batch['x]']");
    assert.equal(at('a = x[1:3, ::2] + 1', 'x['), 'x[1:3, ::2]');
  });
  it('refuses keywords, numbers and blanks', () => {
    assert.equal(at('for i in range(3):', 'for'), undefined);
    assert.equal(at('x = 123', '123'), undefined);
    assert.equal(expressionAt('x  = 1', 2), undefined);
  });
  it('accepts the position just after a name', () => {
    assert.equal(expressionAt('value', 5)?.expression, 'value');
  });
});

describe('debug: labels', () => {
  it('formats shapes, numbers and the health line', () => {
    assert.equal(shapeLabel({ dtype: 'float32', shape: [8, 16, 64] }), 'float32[8, 16, 64]');
    assert.equal(shapeLabel({ dtype: 'float64', shape: [] }), 'float64[]');
    assert.equal(fmt(-1.23456), '−1.235');
    assert.equal(fmt(1e-7), '1e-7');
    assert.equal(fmt(3), '3');
    assert.equal(
      healthLine({
        n: 4,
        nan: 1,
        posinf: 0,
        neginf: 2,
        zeros: 0,
        finite: 1,
        min: -0.5,
        max: -0.5,
        mean: -0.5,
      }),
      'min −0.5 max −0.5 mean −0.5 · NaN 1 +Inf 0 −Inf 2 zeros 0',
    );
    assert.equal(
      healthLine({
        n: 0,
        nan: 0,
        posinf: 0,
        neginf: 0,
        zeros: 0,
        finite: 0,
        min: null,
        max: null,
        mean: null,
      }),
      'empty · NaN 0 +Inf 0 −Inf 0 zeros 0',
    );
  });
  it('makes safe file names', () => {
    assert.equal(safeFileStem("batch['x']"), 'batch_x_');
    assert.equal(safeFileStem('self.weight'), 'self.weight');
    assert.equal(safeFileStem('../etc'), '__etc');
  });
});

describe('debug: live vs inferred shape', () => {
  it('matches numbers exactly, symbols loosely, and ranks strictly', async () => {
    const { shapesAgree, pyShape } = await import('../../../src/core/debug/describe');
    assert.equal(shapesAgree('32, 3072', [32, 3072]), true);
    assert.equal(shapesAgree('32, 3072', [32, 768]), false);
    assert.equal(shapesAgree('x.0, 64', [7, 64]), true);
    assert.equal(shapesAgree('5,', [5]), true);
    assert.equal(shapesAgree('5,', [5, 1]), false);
    assert.equal(shapesAgree('', []), true);
    assert.equal(pyShape([5]), '(5,)');
    assert.equal(pyShape([2, 3]), '(2, 3)');
  });
});
