/**
 * The rank that matters: Gavish–Donoho thresholds against their closed forms and a NumPy
 * integration of the Marchenko–Pastur density, the MP fit on rank-r + noise matrices made by
 * NumPy (and the demo's weights.npy, rank 8 + 1 % noise), and the power-law α against the same
 * Clauset fit written in NumPy plus Pareto samples of known exponent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { buildCli } from '../../helpers/cli';
import {
  lambdaStar,
  marchenkoPasturMedian,
  omega,
  omegaApprox,
  optimalHardThreshold,
} from '../../../src/core/linalg/gavishDonoho';
import { marchenkoPasturFit } from '../../../src/core/linalg/marchenkoPastur';
import { powerLawAlpha } from '../../../src/core/linalg/powerLawAlpha';
import { pythonJson, tempDir } from '../../helpers/python';

describe('signal rank: Gavish–Donoho, Marchenko–Pastur, power-law alpha', function () {
  this.timeout(120_000);

  it('λ*(β) and ω(β) match the closed forms; μ_β matches a NumPy integration', () => {
    assert.ok(Math.abs(lambdaStar(1) - 4 / Math.sqrt(3)) < 1e-12);
    const betas = [0.05, 0.1, 0.25, 0.5, 0.6667, 0.75, 0.9, 1];
    const ref = pythonJson<number[]>(
      `
import numpy as np, json, sys
out = []
for beta in json.loads(sys.argv[1]):
    a, b = (1 - np.sqrt(beta))**2, (1 + np.sqrt(beta))**2
    # plain trapezoid on a fine grid in x, refined towards both edges (x = a + (b-a) u^2 (3 - 2u))
    u = np.linspace(0, 1, 2_000_001); x = a + (b - a) * u * u * (3 - 2 * u)
    f = np.sqrt(np.clip((b - x) * (x - a), 0, None)) / (2 * np.pi * beta * np.maximum(x, 1e-300))
    F = np.concatenate([[0], np.cumsum((f[1:] + f[:-1]) / 2 * np.diff(x))])
    out.append(float(np.interp(0.5, F / F[-1], x)))
print(json.dumps(out))
`,
      [JSON.stringify(betas)],
    );
    betas.forEach((beta, i) => {
      const mu = marchenkoPasturMedian(beta);
      assert.ok(
        Math.abs(mu - ref[i]) < 2e-4 * Math.max(1, ref[i]),
        `μ(${beta}) ${mu} vs ${ref[i]}`,
      );
      // the paper's fit is within 0.02 of ω(β) over (0, 1]
      assert.ok(Math.abs(omega(beta) - omegaApprox(beta)) < 0.02, `ω(${beta})`);
    });
    assert.ok(Math.abs(omega(1) - 2.858) < 1e-3); // Gavish & Donoho: ω(1) ≈ 2.858
  });

  it('finds the signal rank of rank-r + noise matrices made by NumPy, and σ', () => {
    const cases = pythonJson<{ m: number; n: number; r: number; sigma: number; sv: number[] }[]>(`
import numpy as np, json
rng = np.random.default_rng(11)
out = []
for m, n, r, sigma in [(96, 64, 8, 0.01), (200, 300, 5, 0.1), (500, 120, 12, 1.0)]:
    u, _ = np.linalg.qr(rng.standard_normal((m, r))); v, _ = np.linalg.qr(rng.standard_normal((n, r)))
    s = np.linspace(3, 6, r) * sigma * np.sqrt(max(m, n))  # every spike well above the optimal threshold
    x = (u * s) @ v.T + sigma * rng.standard_normal((m, n))
    out.append(dict(m=m, n=n, r=r, sigma=sigma, sv=np.linalg.svd(x, compute_uv=False).tolist()))
print(json.dumps(out))
`);
    for (const c of cases) {
      const fit = marchenkoPasturFit(c.sv, c.m, c.n);
      assert.equal(fit.signalRank, c.r, `${c.m}×${c.n}`);
      assert.equal(fit.spikes, c.r, `${c.m}×${c.n} spikes`);
      assert.ok(Math.abs(fit.noiseSigma / c.sigma - 1) < 0.05, `σ̂ ${fit.noiseSigma} vs ${c.sigma}`);
      assert.ok(
        Math.abs(fit.mpEdge - fit.noiseSigma * (Math.sqrt(c.m) + Math.sqrt(c.n))) <
          1e-12 * fit.mpEdge,
      );
      // known σ: τ = λ*(β)·√max·σ
      const beta = Math.min(c.m, c.n) / Math.max(c.m, c.n);
      const known = optimalHardThreshold(c.sv, c.m, c.n, c.sigma);
      assert.equal(known.threshold, lambdaStar(beta) * Math.sqrt(Math.max(c.m, c.n)) * c.sigma);
      assert.equal(known.rank, c.r);
    }
  });

  it('power-law α equals the same Clauset fit in NumPy, and recovers a Pareto exponent', () => {
    const ref = pythonJson<{ ev: number[]; alpha: number; xmin: number; pareto: number[] }>(`
import numpy as np, json
rng = np.random.default_rng(4)
w = rng.standard_t(3, size=(300, 200)) / 10
ev = np.linalg.svd(w, compute_uv=False) ** 2
def fit(x, min_tail=10):
    x = np.sort(x[x > 0]); n = len(x); best = None
    for i in range(n - min_tail + 1):
        if i > 0 and x[i] == x[i - 1]: continue
        t = x[i:]; k = len(t); s = np.log(t / x[i]).sum()
        if s <= 0: continue
        a = 1 + k / s
        cdf = 1 - (t / x[i]) ** (1 - a); e = np.arange(k)
        ks = max(np.abs(cdf - e / k).max(), np.abs(cdf - (e + 1) / k).max())
        if best is None or ks < best[2]: best = (a, x[i], ks)
    return best
a, xmin, _ = fit(ev)
pareto = (rng.pareto(1.5, 4000) + 1).tolist()  # density exponent 2.5
print(json.dumps(dict(ev=ev.tolist(), alpha=a, xmin=xmin, pareto=pareto)))
`);
    const f = powerLawAlpha(ref.ev)!;
    assert.ok(Math.abs(f.alpha - ref.alpha) < 1e-9 * ref.alpha, `${f.alpha} vs ${ref.alpha}`);
    assert.equal(f.xmin, ref.xmin);
    const p = powerLawAlpha(ref.pareto)!;
    assert.ok(Math.abs(p.alpha - 2.5) < 0.1, `Pareto α ${p.alpha}`);
    assert.equal(powerLawAlpha([1, 2, 3]), undefined);
  });

  it("analyze --json reports signalRank 8 and σ ≈ 0.01 for the demo's weights.npy", () => {
    const dir = tempDir('matrix-lens-signal-');
    const cli = buildCli(dir);
    const r = spawnSync(process.execPath, [cli, 'analyze', resolve('demo/weights.npy'), '--json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const a = JSON.parse(r.stdout).arrays[0];
    assert.equal(a.rank, 64);
    assert.equal(a.signalRank, 8);
    assert.ok(Math.abs(a.noiseSigma / 0.01 - 1) < 0.05, String(a.noiseSigma));
    assert.ok(Math.abs(a.mpEdge - a.noiseSigma * (Math.sqrt(96) + 8)) < 1e-9);
    assert.equal(typeof a.alpha, 'number');
    assert.match(a.alphaRule, /Clauset/);
  });
});
