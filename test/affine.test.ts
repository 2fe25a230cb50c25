/** Affine layer: forward against a float64 reference, backward against autodiff and float64 numeric gradients. */
import { describe, expect, it } from 'vitest';
import { tf, Rng, affineForward, affineBackward, disposeCache } from '../lib';
import { expectGradsMatch, expectNoLeak, F64, linspaceF64, randF64, relError, toTensor } from './helpers';
import { affineRef } from '../coursework/reference/recurrent';

describe('affine', () => {
  for (const [N, D, M] of [
    [1, 1, 1],
    [1, 4, 3],
    [3, 4, 5],
  ]) {
    it(`forward and backward, N=${N} D=${D} M=${M}`, () => {
      const rng = new Rng(N * 100 + D * 10 + M);
      const x = randF64([N, D], rng),
        w = randF64([D, M], rng),
        b = randF64([M], rng),
        dout = randF64([N, M], rng);
      const { out, cache } = affineForward(toTensor(x), toTensor(w), toTensor(b));
      expect(relError(out, affineRef(x, w, b))).toBeLessThan(1e-5);
      const g = affineBackward(toTensor(dout), cache);
      expectGradsMatch(
        g,
        ['dx', 'dw', 'db'],
        [x, w, b],
        (a, c, d) => affineForward(a, c, d).out,
        () => affineRef(x, w, b),
        dout,
      );
      disposeCache(cache);
    });
  }

  it('matches the float64 reference on linspace inputs', () => {
    const x = linspaceF64([2, 3], -0.1, 0.5),
      w = linspaceF64([3, 4], -0.2, 0.3),
      b = linspaceF64([4], -0.3, 0.1);
    const { out, cache } = affineForward(toTensor(x), toTensor(w), toTensor(b));
    const ref: F64 = affineRef(x, w, b);
    expect(relError(out, ref)).toBeLessThan(1e-6);
    tf.dispose([out, cache]);
  });

  it('rejects wrong shapes and dtypes with a message naming function, argument and shapes', () => {
    const x = tf.zeros([2, 3]),
      w = tf.zeros([3, 4]),
      b = tf.zeros([4]);
    expect(() => affineForward(x, tf.zeros([5, 4]), b)).toThrow(
      "affineForward: argument 'w' expected shape [D=3, M] but got [5, 4]",
    );
    expect(() => affineForward(x, w, tf.zeros([3]))).toThrow(
      "affineForward: argument 'b' expected shape [M=4] but got [3]",
    );
    expect(() => affineForward(tf.zeros([2, 3, 1]), w, b)).toThrow(
      "affineForward: argument 'x' expected shape [N, D] but got [2, 3, 1]",
    );
    expect(() => affineForward(tf.zeros([2, 3], 'int32'), w, b)).toThrow(
      "affineForward: argument 'x' expected dtype float32 but got int32",
    );
    const { out, cache } = affineForward(x, w, b);
    expect(() => affineBackward(tf.zeros([2, 5]), cache)).toThrow(
      "affineBackward: argument 'dout' expected shape [N=2, M=4] but got [2, 5]",
    );
    tf.dispose([x, w, b, out, cache]);
  });

  it('forward + backward leave only the returned tensors', () => {
    const x = tf.ones([2, 3]),
      w = tf.ones([3, 4]),
      b = tf.zeros([4]),
      dout = tf.ones([2, 4]);
    expectNoLeak(() => {
      const { out, cache } = affineForward(x, w, b);
      const g = affineBackward(dout, cache);
      disposeCache(cache);
      return [out, g];
    });
    tf.dispose([x, w, b, dout]);
  });
});
