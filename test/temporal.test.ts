/**
 * Temporal affine (one affine map at every time step) and the masked temporal softmax loss:
 * against float64 references, autodiff and float64 numeric gradients; masks, T=1, large scores.
 */
import { describe, expect, it } from 'vitest';
import { tf, Rng, temporalAffineForward, temporalAffineBackward, temporalSoftmaxLoss, disposeCache } from '../lib';
import { expectGradsMatch, expectNoLeak, fromTensor, numericVjp, randF64, relError, toTensor } from './helpers';
import { temporalAffineRef, temporalSoftmaxLossRef } from '../coursework/reference/recurrent';

describe('temporal affine', () => {
  for (const [N, T, D, M] of [
    [1, 1, 2, 3],
    [2, 3, 4, 5],
  ]) {
    it(`forward and backward, N=${N} T=${T} D=${D} M=${M}`, () => {
      const rng = new Rng(N * 100 + T);
      const x = randF64([N, T, D], rng),
        w = randF64([D, M], rng),
        b = randF64([M], rng),
        dout = randF64([N, T, M], rng);
      const { out, cache } = temporalAffineForward(toTensor(x), toTensor(w), toTensor(b));
      expect(relError(out, temporalAffineRef(x, w, b))).toBeLessThan(1e-5);
      expectGradsMatch(
        temporalAffineBackward(toTensor(dout), cache),
        ['dx', 'dw', 'db'],
        [x, w, b],
        (a, c, d) => temporalAffineForward(a, c, d).out,
        () => temporalAffineRef(x, w, b),
        dout,
      );
      disposeCache(cache);
    });
  }

  it('rejects wrong shapes and dtypes, and leaks nothing', () => {
    const x = tf.ones([2, 3, 4]),
      w = tf.ones([4, 5]),
      b = tf.zeros([5]),
      dout = tf.ones([2, 3, 5]);
    expect(() => temporalAffineForward(x, tf.zeros([3, 5]), b)).toThrow(
      "temporalAffineForward: argument 'w' expected shape [D=4, M] but got [3, 5]",
    );
    expect(() => temporalAffineForward(tf.zeros([6, 4]), w, b)).toThrow(
      "temporalAffineForward: argument 'x' expected shape [N, T, D] but got [6, 4]",
    );
    expect(() => temporalAffineForward(x, w, tf.zeros([5], 'int32'))).toThrow(
      "temporalAffineForward: argument 'b' expected dtype float32 but got int32",
    );
    const { out, cache } = temporalAffineForward(x, w, b);
    expect(() => temporalAffineBackward(tf.zeros([2, 3, 4]), cache)).toThrow(
      "temporalAffineBackward: argument 'dout' expected shape [2, 3, 5] but got [2, 3, 4]",
    );
    expect(() => temporalAffineBackward(dout, undefined as never)).toThrow(
      "temporalAffineBackward: argument 'cache' expected the cache returned by temporalAffineForward",
    );
    tf.dispose([out, cache]);
    expectNoLeak(() => {
      const f = temporalAffineForward(x, w, b);
      const g = temporalAffineBackward(dout, f.cache);
      disposeCache(f.cache);
      return [f.out, g];
    });
    tf.dispose([x, w, b, dout]);
  });
});

describe('temporal softmax loss', () => {
  for (const T of [1, 5]) {
    for (const maskDtype of ['bool', 'float32'] as const) {
      it(`T=${T}, ${maskDtype} mask with a fully masked row`, () => {
        const rng = new Rng(T);
        const N = 3,
          V = 7;
        const x = randF64([N, T, V], rng, 2);
        const y = Array.from({ length: N }, () => Array.from({ length: T }, () => rng.int(V)));
        const mask = [
          Array(T).fill(1),
          Array(T).fill(0),
          Array.from({ length: T }, (_, t) => (t < Math.ceil(T / 2) ? 1 : 0)),
        ];
        const yT = tf.tensor2d(y, [N, T], 'int32'),
          maskT = tf.tensor2d(mask, [N, T], maskDtype),
          xT = toTensor(x);
        const { loss, dx } = temporalSoftmaxLoss(xT, yT, maskT);
        const ref = temporalSoftmaxLossRef(x, y, mask);
        expect(Math.abs(loss - ref) / ref).toBeLessThan(1e-5);
        expect(
          relError(
            dx,
            numericVjp(() => temporalSoftmaxLossRef(x, y, mask), x, null),
          ),
        ).toBeLessThan(1e-4);
        // The masked row: no NaN, exactly zero gradient.
        const dxv = fromTensor(dx).data;
        expect(Array.from(dxv).every(Number.isFinite)).toBe(true);
        expect(Array.from(dxv.slice(T * V, 2 * T * V)).every((v) => v === 0)).toBe(true);
        tf.dispose([xT, yT, maskT, dx]);
      });
    }
  }

  it('a batch with every position masked gives zero loss and zero gradient, not NaN', () => {
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1),
      y = tf.zeros([2, 3], 'int32'),
      mask = tf.zeros([2, 3], 'bool');
    const { loss, dx } = temporalSoftmaxLoss(x, y, mask);
    expect(loss).toBe(0);
    expect(Array.from(dx.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([x, y, mask, dx]);
  });

  it('is stable for scores of ±1e4', () => {
    const x = tf.tensor3d([
      [
        [1e4, -1e4, 0],
        [0, 1e4, 1e4],
      ],
    ]);
    const y = tf.tensor2d([[1, 2]], [1, 2], 'int32'),
      mask = tf.ones([1, 2]);
    const { loss, dx } = temporalSoftmaxLoss(x, y, mask);
    // Position 0: −log softmax[1] = 2e4; position 1: two tied maxima, −log ½ = log 2.
    expect(loss).toBeCloseTo(2e4 + Math.log(2), 2);
    const d = Array.from(dx.dataSync());
    expect(d.every(Number.isFinite)).toBe(true);
    expect(d[0]).toBeCloseTo(1, 6);
    expect(d[1]).toBeCloseTo(-1, 6);
    expect(d[4]).toBeCloseTo(0.5, 6);
    expect(d[5]).toBeCloseTo(-0.5, 6);
    tf.dispose([x, y, mask, dx]);
  });

  it('agrees with autodiff of the same loss', () => {
    const rng = new Rng(11);
    const x = toTensor(randF64([2, 4, 6], rng, 3)),
      y = tf.tensor2d(
        [
          [0, 5, 2, 2],
          [1, 1, 3, 4],
        ],
        [2, 4],
        'int32',
      );
    const mask = tf.tensor2d(
      [
        [1, 1, 1, 0],
        [1, 0, 0, 0],
      ],
      [2, 4],
    );
    const { dx } = temporalSoftmaxLoss(x, y, mask);
    const auto = tf.grad((s: tf.Tensor) => {
      const logp = tf.logSoftmax(s);
      return tf.div(tf.neg(tf.sum(tf.mul(tf.expandDims(mask, 2), tf.mul(tf.oneHot(y, 6), logp)))), 2) as tf.Scalar;
    })(x);
    expect(relError(dx, auto)).toBeLessThan(1e-5);
    tf.dispose([x, y, mask, dx, auto]);
  });

  it('rejects wrong shapes and dtypes, and leaks nothing beyond dx', () => {
    const x = tf.zeros([2, 3, 4]),
      y = tf.zeros([2, 3], 'int32'),
      mask = tf.ones([2, 3]);
    expect(() => temporalSoftmaxLoss(x, tf.zeros([2, 3]), mask)).toThrow(
      "temporalSoftmaxLoss: argument 'y' expected dtype int32 but got float32",
    );
    expect(() => temporalSoftmaxLoss(x, y, tf.ones([2, 4]))).toThrow(
      "temporalSoftmaxLoss: argument 'mask' expected shape [N=2, T=3] but got [2, 4]",
    );
    expect(() => temporalSoftmaxLoss(x, y, tf.ones([2, 3], 'int32'))).toThrow(
      "temporalSoftmaxLoss: argument 'mask' expected dtype bool or float32 but got int32",
    );
    expect(() => temporalSoftmaxLoss(tf.zeros([2, 3]), y, mask)).toThrow(
      "temporalSoftmaxLoss: argument 'x' expected shape [N, T, V] but got [2, 3]",
    );
    expectNoLeak(() => temporalSoftmaxLoss(x, y, mask).dx);
    tf.dispose([x, y, mask]);
  });
});

describe('temporalSoftmaxLoss target and mask checks', () => {
  it('rejects a target outside [0, V) and a float mask that is not 0/1', () => {
    const x = tf.zeros([1, 2, 3]);
    expect(() => temporalSoftmaxLoss(x, tf.tensor2d([[0, 9]], [1, 2], 'int32'), tf.ones([1, 2]))).toThrow(
      "temporalSoftmaxLoss: argument 'y' expected class indices in [0, 3) but element 1 is 9",
    );
    expect(() => temporalSoftmaxLoss(x, tf.tensor2d([[0, 1]], [1, 2], 'int32'), tf.tensor2d([[1, 2]]))).toThrow(
      "temporalSoftmaxLoss: argument 'mask' expected 0/1 values but element 1 is 2",
    );
  });
});
