// Loaded with `mocha --require` by scripts/hunt-seeds.mjs: every fc.assert of the unit tests
// runs MATRIX_LENS_HUNT_RUNS times its numRuns (default 10) from a fresh random seed, its fixed
// seed and path dropped (its `examples` still run first). Never loaded by `npm test`.
import Module, { createRequire } from 'node:module';

const real = createRequire(import.meta.url)('fast-check');
const times = Number(process.env.MATRIX_LENS_HUNT_RUNS ?? 10);
const assert = (property, params = {}) => {
  const p = { ...params, numRuns: (params.numRuns ?? 100) * times };
  delete p.seed;
  delete p.path;
  return real.assert(property, p);
};
// the compiled tests read fc.default.assert (esbuild's ESM interop) or fc.assert
const ns = new Proxy(real.default, { get: (t, k) => (k === 'assert' ? assert : t[k]) });
const hunted = new Proxy(real, {
  get: (t, k) => (k === 'assert' ? assert : k === 'default' ? ns : t[k]),
});
const load = Module.prototype.require;
Module.prototype.require = function (id, ...rest) {
  return id === 'fast-check' ? hunted : load.call(this, id, ...rest);
};
