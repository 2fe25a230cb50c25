/**
 * Latent-model pieces (issue 12): reparameterisation, Gaussian KL, AR-VAE attribute loss and the
 * RealNVP affine coupling — forwards against float64 references, backwards against tfjs autodiff
 * (≤ 1e-5) and float64 numeric gradients (≤ 1e-4), exact inverse, log-det against a numeric
 * Jacobian, argument errors and leaks.
 */
import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  reparameterizeForward,
  reparameterizeBackward,
  gaussianKl,
  attributeRegularizationLoss,
  affineCouplingForward,
  affineCouplingInverse,
  affineCouplingBackward,
  initAffineCouplingParams,
  checkerboardMask,
  AffineCouplingParams,
  disposeCache,
} from '../lib';
import { F64, f64, randF64, toTensor, relError, numericVjp, autodiffVjp, expectNoLeak } from './helpers';
import {
  affineCouplingRef,
  attributeRegularizationRef,
  CouplingF64,
  gaussianKlRef,
  numericLogDet,
  reparameterizeRef,
} from './ref/latent';

describe('reparameterisation and Gaussian KL', () => {
  it('z = μ + σ ⊙ ε and its backward match autodiff and float64 numerics', () => {
    const rng = new Rng(1);
    const mu = randF64([3, 4], rng),
      logVar = randF64([3, 4], rng, 0.5),
      eps = randF64([3, 4], rng),
      dz = randF64([3, 4], rng);
    const { z, cache } = reparameterizeForward(toTensor(mu), toTensor(logVar), { eps: toTensor(eps) });
    expect(relError(z, reparameterizeRef(mu, logVar, eps))).toBeLessThan(1e-6);
    const g = reparameterizeBackward(toTensor(dz), cache);
    const auto = autodiffVjp(
      (m, lv) => reparameterizeForward(m, lv, { eps: toTensor(eps) }).z,
      [toTensor(mu), toTensor(logVar)],
      toTensor(dz),
    );
    expect(relError(g.dmu, auto[0])).toBeLessThan(1e-6);
    expect(relError(g.dlogVar, auto[1])).toBeLessThan(1e-5);
    expect(
      relError(
        g.dlogVar,
        numericVjp(() => reparameterizeRef(mu, logVar, eps), logVar, dz),
      ),
    ).toBeLessThan(1e-4);
    disposeCache(cache);
    tf.dispose([z, g, auto]);
  });

  it('draws ε from a seeded Rng: the same seed gives the same z', () => {
    const mu = tf.zeros([2, 3]),
      lv = tf.zeros([2, 3]);
    const a = reparameterizeForward(mu, lv, { rng: new Rng(7) }),
      b = reparameterizeForward(mu, lv, { rng: new Rng(7) });
    expect(Array.from(a.z.dataSync())).toEqual(Array.from(b.z.dataSync()));
    expect(() => reparameterizeForward(mu, lv, {} as never)).toThrow(
      "reparameterizeForward: argument 'noise' expected { rng: Rng } or { eps: tensor [N, K] }",
    );
    expect(() => reparameterizeForward(mu, tf.zeros([2, 4]), { rng: new Rng(1) })).toThrow(
      "reparameterizeForward: argument 'logVar' expected shape [N=2, K=3] but got [2, 4]",
    );
    tf.dispose([mu, lv, a, b]);
  });

  it('KL(N(μ, σ²) ‖ N(0, I)) and its gradients; zero at the prior', () => {
    const rng = new Rng(2);
    const mu = randF64([4, 3], rng),
      logVar = randF64([4, 3], rng, 0.7);
    const r = gaussianKl(toTensor(mu), toTensor(logVar));
    expect(Math.abs(r.loss - gaussianKlRef(mu, logVar)) / gaussianKlRef(mu, logVar)).toBeLessThan(1e-6);
    expect(
      relError(
        r.dmu,
        numericVjp(() => gaussianKlRef(mu, logVar), mu, null),
      ),
    ).toBeLessThan(1e-4);
    expect(
      relError(
        r.dlogVar,
        numericVjp(() => gaussianKlRef(mu, logVar), logVar, null),
      ),
    ).toBeLessThan(1e-4);
    const auto = autodiffVjp(
      (m, lv) => tf.div(tf.sum(tf.sub(tf.sub(tf.add(tf.square(m), tf.exp(lv)), lv), 1)), 8),
      [toTensor(mu), toTensor(logVar)],
      null,
    );
    expect(relError(r.dmu, auto[0])).toBeLessThan(1e-5);
    expect(relError(r.dlogVar, auto[1])).toBeLessThan(1e-5);
    const prior = gaussianKl(tf.zeros([2, 3]), tf.zeros([2, 3]));
    expect(prior.loss).toBe(0);
    expect(Math.max(...Array.from(prior.dlogVar.dataSync()).map(Math.abs))).toBe(0);
    tf.dispose([r.dmu, r.dlogVar, auto, prior.dmu, prior.dlogVar]);
  });
});

describe('AR-VAE attribute regularisation', () => {
  it('loss and gradient match the float64 reference, numeric gradients and autodiff', () => {
    const rng = new Rng(3);
    for (const delta of [1, 5]) {
      const z = randF64([7], rng),
        a = randF64([7], rng);
      const r = attributeRegularizationLoss(toTensor(z), toTensor(a), delta);
      expect(Math.abs(r.loss - attributeRegularizationRef(z, a, delta))).toBeLessThan(1e-6);
      expect(
        relError(
          r.dz,
          numericVjp(() => attributeRegularizationRef(z, a, delta), z, null),
        ),
      ).toBeLessThan(1e-4);
      const auto = autodiffVjp(
        (zt) => {
          const pair = (v: tf.Tensor) => tf.sub(tf.expandDims(v, 1), tf.expandDims(v, 0));
          return tf.div(tf.sum(tf.abs(tf.sub(tf.tanh(tf.mul(delta, pair(zt))), tf.sign(pair(toTensor(a)))))), 49);
        },
        [toTensor(z)],
        null,
      );
      expect(relError(r.dz, auto[0])).toBeLessThan(1e-5);
      tf.dispose([r.dz, auto]);
    }
  });

  it('is small when z orders the batch as the attribute does and large when reversed', () => {
    const a = tf.tensor1d([0.1, 0.5, 0.9, 1.3]);
    const same = attributeRegularizationLoss(tf.tensor1d([-3, -1, 1, 3]), a, 10);
    const reversed = attributeRegularizationLoss(tf.tensor1d([3, 1, -1, -3]), a, 10);
    expect(same.loss).toBeLessThan(0.01);
    expect(reversed.loss).toBeGreaterThan(1.4);
    expect(() => attributeRegularizationLoss(tf.zeros([4]), tf.zeros([5]))).toThrow(
      "attributeRegularizationLoss: argument 'attribute' expected shape [N=4] but got [5]",
    );
    tf.dispose([a, same.dz, reversed.dz]);
  });
});

describe('RealNVP affine coupling', () => {
  const D = 4,
    F = 5,
    N = 3;
  function randomCoupling(rng: Rng): CouplingF64 {
    return {
      W1: randF64([D, F], rng, 0.6),
      b1: randF64([F], rng, 0.3),
      Ws: randF64([F, D], rng, 0.4),
      bs: randF64([D], rng, 0.2),
      Wt: randF64([F, D], rng, 0.5),
      bt: randF64([D], rng, 0.2),
    };
  }
  const NAMES = ['W1', 'b1', 'Ws', 'bs', 'Wt', 'bt'] as const;
  const asParams = (t: tf.Tensor[]) =>
    Object.fromEntries(NAMES.map((n, i) => [n, t[i]])) as unknown as AffineCouplingParams;

  for (const parity of [0, 1] as const) {
    it(
      `forward, log-det and backward (mask parity ${parity}) ` +
        `vs float64, numeric Jacobian, autodiff and numeric gradients`,
      () => {
        const rng = new Rng(10 + parity);
        const b = Array.from({ length: D }, (_, d) => (d % 2 === parity ? 1 : 0));
        const x = randF64([N, D], rng),
          p = randomCoupling(rng),
          dy = randF64([N, D], rng),
          dld = randF64([N], rng);
        const mask = checkerboardMask(D, parity);
        const params = asParams(NAMES.map((n) => toTensor(p[n])));
        const { y, logDet, cache } = affineCouplingForward(toTensor(x), mask, params);
        const ref = affineCouplingRef(x, b, p);
        expect(relError(y, ref.y)).toBeLessThan(1e-5);
        expect(relError(logDet, ref.logDet)).toBeLessThan(1e-5);
        const row = Array.from(x.data.subarray(0, D));
        const rowMap = (r: number[]) => Array.from(affineCouplingRef(f64([1, D], r), b, p).y.data);
        expect(Math.abs(numericLogDet(rowMap, row) - ref.logDet.data[0])).toBeLessThan(1e-5);

        const g = affineCouplingBackward(toTensor(dy), toTensor(dld), cache);
        const both = (yy: tf.Tensor, ld: tf.Tensor) => tf.concat([yy, tf.expandDims(ld, 1)], 1);
        const doutBoth = f64([N, D + 1]);
        for (let n = 0; n < N; n++) {
          for (let d = 0; d < D; d++) doutBoth.data[n * (D + 1) + d] = dy.data[n * D + d];
          doutBoth.data[n * (D + 1) + D] = dld.data[n];
        }
        const refBoth = (): F64 => {
          const r = affineCouplingRef(x, b, p);
          const out = f64([N, D + 1]);
          for (let n = 0; n < N; n++) {
            for (let d = 0; d < D; d++) out.data[n * (D + 1) + d] = r.y.data[n * D + d];
            out.data[n * (D + 1) + D] = r.logDet.data[n];
          }
          return out;
        };
        const inputs = [x, ...NAMES.map((n) => p[n])];
        const auto = autodiffVjp(
          (xt, ...ps) => {
            const r = affineCouplingForward(xt, mask, asParams(ps));
            return both(r.y, r.logDet);
          },
          inputs.map((a) => toTensor(a)),
          toTensor(doutBoth),
        );
        const hand = [g.dx, g.dW1, g.db1, g.dWs, g.dbs, g.dWt, g.dbt];
        hand.forEach((h, i) => {
          expect(relError(h, auto[i]), `${['x', ...NAMES][i]} vs autodiff`).toBeLessThan(1e-5);
          expect(
            relError(h, numericVjp(refBoth, inputs[i], doutBoth)),
            `${['x', ...NAMES][i]} vs float64 numeric`,
          ).toBeLessThan(1e-4);
        });
        disposeCache(cache);
        tf.dispose([y, logDet, g, auto, mask, params as never]);
      },
    );
  }

  it('the inverse undoes the forward exactly and negates the log-det', () => {
    const rng = new Rng(21);
    const p = randomCoupling(rng);
    const params = asParams(NAMES.map((n) => toTensor(p[n])));
    const mask = checkerboardMask(D, 1);
    const x = toTensor(randF64([N, D], rng, 2));
    const f = affineCouplingForward(x, mask, params);
    const inv = affineCouplingInverse(f.y, mask, params);
    expect(relError(inv.x, x)).toBeLessThan(1e-6);
    expect(relError(inv.logDet, tf.neg(f.logDet))).toBeLessThan(1e-6);
    disposeCache(f.cache);
    tf.dispose([f.y, f.logDet, inv, x, mask, params as never]);
  });

  it('starts as the identity, rejects a non-binary mask, and does not leak', () => {
    const rng = new Rng(5);
    const params = initAffineCouplingParams(D, F, rng);
    const x = tf.randomNormal([N, D], 0, 1, 'float32', 3);
    const mask = checkerboardMask(D, 0);
    const f = affineCouplingForward(x, mask, params);
    expect(relError(f.y, x)).toBe(0);
    expect(() => affineCouplingForward(x, tf.tensor1d([0, 0.5, 1, 0]), params)).toThrow(
      "affineCouplingForward: argument 'mask' expected 0/1 values but element 1 is 0.5",
    );
    expectNoLeak(() => {
      const r = affineCouplingForward(x, mask, params);
      const dy = tf.onesLike(x),
        dld = tf.ones([N]);
      const g = affineCouplingBackward(dy, dld, r.cache);
      tf.dispose([r.cache as never, dy, dld]);
      return [r.y, r.logDet, g];
    }, 'coupling forward + backward');
    disposeCache(f.cache);
    tf.dispose([f.y, f.logDet, x, mask, params as never]);
  });
});

describe('argument checks added in review', () => {
  it(
    'checkerboardMask, splitHeads, mergeHeads and RealFft ' + 'name a wrong argument instead of computing garbage',
    async () => {
      const { splitHeads, mergeHeads } = await import('../lib');
      const { realFft } = await import('../lib/audio/fft');
      expect(() => checkerboardMask(4, 2 as never)).toThrow(
        "checkerboardMask: argument 'parity' expected 0 or 1 but got 2",
      );
      const rows = tf.zeros([6, 4]);
      expect(() => splitHeads(rows, 2, 2, 2, 2)).toThrow(
        "splitHeads: argument 'rows' expected shape [4, 4] but got [6, 4]",
      );
      expect(() => mergeHeads(tf.zeros([4, 3, 2]), 2, 3, 3, 2)).toThrow(
        "mergeHeads: argument 'x' expected shape [6, 3, 2] but got [4, 3, 2]",
      );
      const fft = realFft(8);
      const re = new Float32Array(5),
        im = new Float32Array(5);
      expect(() => fft.forward(new Float64Array(6), re, im, 0)).toThrow(
        "RealFft.forward: argument 'input' expected length 8 but got 6",
      );
      expect(() => fft.forward(new Float64Array(8), re, im, 1)).toThrow('RealFft.forward: bins 1 … 5 expected within');
      fft.forward(new Float64Array(8).fill(1), re, im, 0);
      expect(re[0]).toBe(8);
      rows.dispose();
    },
  );
});
