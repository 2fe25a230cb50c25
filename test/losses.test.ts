import { describe, expect, it } from 'vitest';
import { tf, Rng, softmaxCrossEntropy, sigmoidBinaryCrossEntropy, distillationLoss, infoNceLoss } from '../lib';
import { autodiffVjp, expectNoLeak, f64, numericVjp, randF64, relError, toTensor } from './helpers';
import { distillationRef, infoNceRef, sigmoidBceRef, softmaxCrossEntropyRef } from './ref/losses';

/** Autodiff of a scalar tf loss written with tfjs ops (for the tight check). */
function autodiffLoss(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor {
  return autodiffVjp((v) => f(v), [x], null)[0];
}

describe('softmaxCrossEntropy', () => {
  for (const [N, C] of [[1, 3], [5, 7]]) {
    it(`matches float64 reference and autodiff for N=${N}, C=${C}`, () => {
      const rng = new Rng(N * 10 + C);
      const z = randF64([N, C], rng, 3);
      const y = Array.from({ length: N }, () => rng.int(C));
      const zt = toTensor(z), yt = tf.tensor1d(y, 'int32');
      const { loss, dlogits } = softmaxCrossEntropy(zt, yt);
      expect(Math.abs(loss - softmaxCrossEntropyRef(z, y)) / Math.abs(softmaxCrossEntropyRef(z, y))).toBeLessThan(1e-5);
      expect(relError(dlogits, numericVjp(() => softmaxCrossEntropyRef(z, y), z, null))).toBeLessThan(1e-4);
      const auto = autodiffLoss((v) => tf.losses.softmaxCrossEntropy(tf.oneHot(yt, C), v), zt);
      expect(relError(dlogits, auto)).toBeLessThan(1e-5);
      tf.dispose([zt, yt, dlogits, auto]);
    });
  }
  it('is stable for logits of 1e4', () => {
    const z = tf.tensor2d([[1e4, -1e4, 0]]);
    const { loss, dlogits } = softmaxCrossEntropy(z, tf.tensor1d([1], 'int32'));
    expect(loss).toBeCloseTo(2e4, 0);
    expect(Array.from(dlogits.dataSync()).every(Number.isFinite)).toBe(true);
  });
  it('names bad arguments and leaks nothing', () => {
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2]))).toThrow("softmaxCrossEntropy: argument 'y' expected dtype int32 but got float32");
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([3], 'int32'))).toThrow("argument 'y' expected shape [N=2] but got [3]");
    const z = tf.randomNormal([4, 5]), y = tf.tensor1d([0, 1, 2, 3], 'int32');
    expectNoLeak(() => softmaxCrossEntropy(z, y).dlogits);
  });
});

describe('sigmoidBinaryCrossEntropy', () => {
  it('matches float64 reference (with posWeight) and autodiff', () => {
    const rng = new Rng(3);
    const x = randF64([4, 3], rng, 2);
    const y = f64([4, 3], Array.from({ length: 12 }, () => (rng.uniform() < 0.4 ? 1 : 0)));
    const pw = [1, 3, 0.5];
    const xt = toTensor(x), yt = toTensor(y);
    const { loss, dlogits } = sigmoidBinaryCrossEntropy(xt, yt, { posWeight: pw });
    expect(Math.abs(loss - sigmoidBceRef(x, y, pw)) / sigmoidBceRef(x, y, pw)).toBeLessThan(1e-5);
    expect(relError(dlogits, numericVjp(() => sigmoidBceRef(x, y, pw), x, null))).toBeLessThan(1e-4);
    const plain = sigmoidBinaryCrossEntropy(xt, yt);
    const auto = autodiffLoss((v) => tf.mean(tf.add(tf.mul(tf.sub(1, yt), v), tf.softplus(tf.neg(v)))), xt);
    expect(relError(plain.dlogits, auto)).toBeLessThan(1e-5);
    expect(Math.abs(plain.loss - sigmoidBceRef(x, y)) / sigmoidBceRef(x, y)).toBeLessThan(1e-5);
  });
  it('is finite and right for |logits| = 1e4', () => {
    const { loss, dlogits } = sigmoidBinaryCrossEntropy(tf.tensor2d([[1e4, -1e4, 1e4, -1e4]]), tf.tensor2d([[1, 0, 0, 1]]));
    expect(loss).toBeCloseTo((0 + 0 + 1e4 + 1e4) / 4, 0);
    expect(Array.from(dlogits.dataSync())).toEqual([0, 0, 0.25, -0.25]);
  });
  it('checks posWeight length', () => {
    expect(() => sigmoidBinaryCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 3]), { posWeight: [1, 2] })).toThrow("argument 'posWeight' expected length C=3 but got 2");
  });
});

describe('distillationLoss', () => {
  it('matches float64 reference; the teacher gets no gradient', () => {
    const rng = new Rng(5);
    const s = randF64([2, 3, 4], rng), sHat = randF64([2, 3, 4], rng);
    const st = toTensor(s), sHatT = toTensor(sHat);
    const { loss, dsHat } = distillationLoss(st, sHatT);
    expect(Math.abs(loss - distillationRef(s, sHat)) / distillationRef(s, sHat)).toBeLessThan(1e-5);
    expect(relError(dsHat, numericVjp(() => distillationRef(s, sHat), sHat, null))).toBeLessThan(1e-4);
    expect(Object.keys(distillationLoss(st, sHatT))).toEqual(['loss', 'dsHat']);
  });
});

describe('infoNceLoss', () => {
  for (const [N, E] of [[1, 3], [6, 5]]) {
    it(`matches float64 reference and autodiff for N=${N}, E=${E}`, () => {
      const rng = new Rng(N + E);
      const a = randF64([N, E], rng), b = randF64([N, E], rng);
      const at = toTensor(a), bt = toTensor(b);
      const { loss, dza, dzb } = infoNceLoss(at, bt, 0.5);
      expect(Math.abs(loss - infoNceRef(a, b, 0.5)) / Math.max(Math.abs(infoNceRef(a, b, 0.5)), 1e-6)).toBeLessThan(1e-5);
      expect(relError(dza, numericVjp(() => infoNceRef(a, b, 0.5), a, null))).toBeLessThan(1e-4);
      expect(relError(dzb, numericVjp(() => infoNceRef(a, b, 0.5), b, null))).toBeLessThan(1e-4);
      const swapped = infoNceLoss(bt, at, 0.5);
      expect(swapped.loss).toBeCloseTo(loss, 5);
      expect(relError(swapped.dza, dzb)).toBeLessThan(1e-5);
    });
  }
  it('rejects a non-positive temperature', () => {
    expect(() => infoNceLoss(tf.ones([2, 3]), tf.ones([2, 3]), 0)).toThrow(/infoNceLoss: argument 'temperature' expected a finite number > 0/);
  });
});

