import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  ShapeError,
  softmaxCrossEntropy,
  sigmoidBinaryCrossEntropy,
  distillationLoss,
  infoNceLoss,
} from '../lib';
import { expectGradsMatch, expectNoLeak, f64, randF64, relError, toTensor } from './helpers';
import { distillationRef, infoNceRef, sigmoidBceRef, softmaxCrossEntropyRef } from './ref/losses';

const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

// Independent tfjs-op forwards of each loss, for the autodiff comparison.
const tfSoftmaxCe = (y: tf.Tensor, C: number) => (z: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, C), z);
// −[p·y·log σ(x) + (1 − y)·log σ(−x)] with log σ(x) = −softplus(−x)
// (on wasm, tfjs 4.22's gradient of tf.logSigmoid(tf.neg(x)) throws).
const tfBce = (y: tf.Tensor, p: tf.Tensor) => (x: tf.Tensor) =>
  tf.mean(tf.add(tf.mul(tf.mul(p, y), tf.softplus(tf.neg(x))), tf.mul(tf.sub(1, y), tf.softplus(x))));
const tfDistill = (s: tf.Tensor, N: number, T: number) => (sHat: tf.Tensor) =>
  tf.div(tf.sum(tf.squaredDifference(s, sHat)), N * T);
const tfInfoNce = (tau: number) => (a: tf.Tensor, b: tf.Tensor) => {
  const S = tf.div(tf.matMul(tf.div(a, tf.norm(a, 2, 1, true)), tf.transpose(tf.div(b, tf.norm(b, 2, 1, true)))), tau);
  const labels = tf.eye(a.shape[0]);
  return tf.div(
    tf.add(tf.losses.softmaxCrossEntropy(labels, S), tf.losses.softmaxCrossEntropy(labels, tf.transpose(S))),
    2,
  );
};

describe('softmaxCrossEntropy', () => {
  for (const [N, C] of [
    [1, 3],
    [5, 7],
  ]) {
    it(`matches the float64 reference, numeric gradient and autodiff for N=${N}, C=${C}`, () => {
      const rng = new Rng(N * 10 + C);
      const z = randF64([N, C], rng, 3);
      const y = Array.from({ length: N }, () => rng.int(C));
      const zt = toTensor(z),
        yt = tf.tensor1d(y, 'int32');
      const { loss, dlogits } = softmaxCrossEntropy(zt, yt);
      expect(relDiff(loss, softmaxCrossEntropyRef(z, y))).toBeLessThan(1e-5);
      expectGradsMatch({ dlogits }, ['dlogits'], [z], tfSoftmaxCe(yt, C), () => softmaxCrossEntropyRef(z, y), null);
      tf.dispose([zt, yt, dlogits]);
    });
  }
  it('is stable for logits of 1e4', () => {
    const { loss, dlogits } = softmaxCrossEntropy(tf.tensor2d([[1e4, -1e4, 0]]), tf.tensor1d([1], 'int32'));
    expect(loss).toBeCloseTo(2e4, 0);
    expect(Array.from(dlogits.dataSync())).toEqual([1, -1, 0]);
  });
  it('names bad arguments and leaks nothing', () => {
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2]))).toThrow(
      "softmaxCrossEntropy: argument 'y' expected dtype int32 but got float32",
    );
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([3], 'int32'))).toThrow(
      "argument 'y' expected shape [N=2] but got [3]",
    );
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.tensor1d([0, 3], 'int32'))).toThrow(
      "softmaxCrossEntropy: argument 'y' expected class indices in [0, 3) but element 1 is 3",
    );
    const z = tf.randomNormal([4, 5], 0, 1, 'float32', 1),
      y = tf.tensor1d([0, 1, 2, 4], 'int32');
    expectNoLeak(() => softmaxCrossEntropy(z, y));
  });
});

describe('sigmoidBinaryCrossEntropy', () => {
  const rng = new Rng(3);
  const x = randF64([4, 3], rng, 2);
  const y = f64(
    [4, 3],
    Array.from({ length: 12 }, () => (rng.uniform() < 0.4 ? 1 : rng.uniform())),
  ); // hard and soft targets
  // Tensors are made inside the tests: the backend is initialised in beforeAll (test/setup.ts).
  for (const pw of [undefined, [1, 3, 0.5]]) {
    it(`matches the float64 reference, numeric gradient and autodiff (posWeight ${pw ? `[${pw}]` : 'none'})`, () => {
      const xt = toTensor(x),
        yt = toTensor(y),
        pt = tf.tensor1d(pw ?? [1, 1, 1]);
      const { loss, dlogits } = sigmoidBinaryCrossEntropy(xt, yt, pw ? { posWeight: pw } : {});
      expect(relDiff(loss, sigmoidBceRef(x, y, pw))).toBeLessThan(1e-5);
      expectGradsMatch({ dlogits }, ['dlogits'], [x], tfBce(yt, pt), () => sigmoidBceRef(x, y, pw), null);
      const viaTensor = sigmoidBinaryCrossEntropy(xt, yt, { posWeight: pt });
      expect(viaTensor.loss).toBe(loss);
      expect(relError(viaTensor.dlogits, dlogits)).toBe(0);
      tf.dispose([xt, yt, pt, dlogits, viaTensor.dlogits]);
    });
  }
  it('posWeight scales the positive term only', () => {
    const logits = tf.tensor2d([[0.3, -0.7]]),
      target = tf.tensor2d([[1, 0]]);
    const plain = sigmoidBinaryCrossEntropy(logits, target).loss;
    const weighted = sigmoidBinaryCrossEntropy(logits, target, { posWeight: [4, 4] }).loss;
    const pos = Math.log1p(Math.exp(-0.3)),
      neg = Math.log1p(Math.exp(-0.7));
    expect(plain).toBeCloseTo((pos + neg) / 2, 6);
    expect(weighted).toBeCloseTo((4 * pos + neg) / 2, 6);
  });
  it('is finite and right for |logits| = 1e4, with and without posWeight', () => {
    const logits = tf.tensor2d([[1e4, -1e4, 1e4, -1e4]]),
      target = tf.tensor2d([[1, 0, 0, 1]]);
    const { loss, dlogits } = sigmoidBinaryCrossEntropy(logits, target);
    expect(loss).toBeCloseTo((0 + 0 + 1e4 + 1e4) / 4, 0);
    expect(Array.from(dlogits.dataSync())).toEqual([0, 0, 0.25, -0.25]);
    const w = sigmoidBinaryCrossEntropy(logits, target, { posWeight: [2, 2, 2, 2] });
    expect(w.loss).toBeCloseTo((0 + 0 + 1e4 + 2e4) / 4, 0);
    expect(Array.from(w.dlogits.dataSync())).toEqual([0, 0, 0.25, -0.5]);
  });
  it('names bad arguments and leaks nothing', () => {
    expect(() => sigmoidBinaryCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 3]), { posWeight: [1, 2] })).toThrow(
      "sigmoidBinaryCrossEntropy: argument 'posWeight' expected length C=3 but got 2",
    );
    expect(() => sigmoidBinaryCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 3]), { posWeight: [1, -2, 1] })).toThrow(
      "sigmoidBinaryCrossEntropy: argument 'posWeight' expected finite weights >= 0",
    );
    expect(() => sigmoidBinaryCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 3]), { posWeight: tf.ones([2]) })).toThrow(
      "argument 'posWeight' expected shape [C=3] but got [2]",
    );
    expect(() => sigmoidBinaryCrossEntropy(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(
      "sigmoidBinaryCrossEntropy: argument 'y' expected shape [N=2, C=3] but got [3, 2]",
    );
    const xt = toTensor(x),
      yt = toTensor(y);
    expectNoLeak(() => sigmoidBinaryCrossEntropy(xt, yt, { posWeight: [1, 2, 3] }));
  });
});

describe('distillationLoss', () => {
  it('matches the float64 reference, numeric gradient and autodiff; the teacher gets no gradient', () => {
    const rng = new Rng(5);
    const [N, T, H] = [2, 3, 4];
    const s = randF64([N, T, H], rng),
      sHat = randF64([N, T, H], rng);
    const st = toTensor(s),
      sHatT = toTensor(sHat);
    const out = distillationLoss(st, sHatT);
    expect(relDiff(out.loss, distillationRef(s, sHat))).toBeLessThan(1e-5);
    expectGradsMatch(
      { dsHat: out.dsHat },
      ['dsHat'],
      [sHat],
      tfDistill(st, N, T),
      () => distillationRef(s, sHat),
      null,
    );
    // Only the student is differentiated: no gradient for s is computed or returned.
    expect(Object.keys(out)).toEqual(['loss', 'dsHat']);
    expect(distillationLoss(st, st).loss).toBe(0);
  });
  it('names bad arguments and leaks nothing', () => {
    expect(() => distillationLoss(tf.zeros([2, 3, 4]), tf.zeros([2, 3, 5]))).toThrow(
      "distillationLoss: argument 'sHat' expected shape [N=2, T=3, H=4] but got [2, 3, 5]",
    );
    expect(() => distillationLoss(tf.zeros([2, 3]), tf.zeros([2, 3]))).toThrow(
      "distillationLoss: argument 's' expected shape [N, T, H] but got [2, 3]",
    );
    const s = tf.ones([2, 3, 4]),
      sHat = tf.zeros([2, 3, 4]);
    expectNoLeak(() => distillationLoss(s, sHat));
  });
});

describe('infoNceLoss', () => {
  // N ≥ 2: with one pair S is 1×1 and the loss and every gradient are exactly 0.
  for (const [N, E] of [
    [2, 3],
    [6, 5],
  ]) {
    it(`matches the float64 reference, numeric gradient and autodiff for N=${N}, E=${E}; symmetric`, () => {
      const rng = new Rng(N + E);
      const a = randF64([N, E], rng),
        b = randF64([N, E], rng);
      const at = toTensor(a),
        bt = toTensor(b);
      const { loss, dza, dzb } = infoNceLoss(at, bt, 0.5);
      const ref = infoNceRef(a, b, 0.5);
      expect(Math.abs(loss - ref) / Math.max(Math.abs(ref), 1e-6)).toBeLessThan(1e-5);
      expectGradsMatch({ dza, dzb }, ['dza', 'dzb'], [a, b], tfInfoNce(0.5), () => infoNceRef(a, b, 0.5), null);
      const swapped = infoNceLoss(bt, at, 0.5);
      expect(swapped.loss).toBeCloseTo(loss, 5);
      expect(relError(swapped.dza, dzb)).toBeLessThan(1e-5);
      expect(relError(swapped.dzb, dza)).toBeLessThan(1e-5);
    });
  }
  it(
    'dLogitScale is the derivative in t = log(1/τ) ' + "(CLIP's learnable temperature), by float64 central difference",
    () => {
      const rng = new Rng(12);
      const a = randF64([5, 3], rng),
        b = randF64([5, 3], rng);
      for (const tau of [0.07, 0.5, 2]) {
        const r = infoNceLoss(toTensor(a), toTensor(b), tau);
        const step = 1e-5,
          t = Math.log(1 / tau);
        const numeric =
          (infoNceRef(a, b, Math.exp(-(t + step))) - infoNceRef(a, b, Math.exp(-(t - step)))) / (2 * step);
        expect(Math.abs(r.dLogitScale - numeric) / Math.max(Math.abs(numeric), 1e-3)).toBeLessThan(1e-3);
        tf.dispose([r.dza, r.dzb]);
      }
    },
  );
  it("is invariant to the embeddings' scale, and its gradient is orthogonal to them", () => {
    const rng = new Rng(11);
    const a = toTensor(randF64([4, 3], rng)),
      b = toTensor(randF64([4, 3], rng));
    const base = infoNceLoss(a, b, 0.1);
    expect(infoNceLoss(tf.mul(a, 7), b, 0.1).loss).toBeCloseTo(base.loss, 4);
    const radial = tf.sum(tf.mul(base.dza, a), 1).dataSync();
    for (const r of radial) expect(Math.abs(r)).toBeLessThan(1e-6);
  });
  it('names bad arguments and leaks nothing', () => {
    expect(() => infoNceLoss(tf.ones([2, 3]), tf.ones([2, 3]), 0)).toThrow(
      "infoNceLoss: argument 'temperature' expected a finite number > 0 but got number 0",
    );
    expect(() => infoNceLoss(tf.ones([2, 3]), tf.ones([3, 3]), 1)).toThrow(
      "infoNceLoss: argument 'zb' expected shape [N=2, E=3] but got [3, 3]",
    );
    const a = tf.randomNormal([3, 4], 0, 1, 'float32', 2),
      b = tf.randomNormal([3, 4], 0, 1, 'float32', 3);
    expectNoLeak(() => infoNceLoss(a, b, 0.2));
  });
});

it('every loss throws ShapeError (not a plain Error) on bad shapes', () => {
  expect(() => softmaxCrossEntropy(tf.zeros([2]), tf.zeros([2], 'int32'))).toThrow(ShapeError);
  expect(() => sigmoidBinaryCrossEntropy(tf.zeros([2]), tf.zeros([2]))).toThrow(ShapeError);
  expect(() => distillationLoss(tf.zeros([2]), tf.zeros([2]))).toThrow(ShapeError);
  expect(() => infoNceLoss(tf.zeros([2]), tf.zeros([2]), 1)).toThrow(ShapeError);
});
