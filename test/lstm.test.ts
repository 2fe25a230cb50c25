/**
 * LSTM (gate order i, f, o, g), one step and over a sequence: forwards against the float64
 * reference (≤ 1e-5), backwards against tfjs autodiff (≤ 1e-5) and float64 numeric
 * gradients (≤ 1e-4).
 */
import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  lstmStepForward,
  lstmStepBackward,
  lstmForward,
  lstmBackward,
  lstmGatesForward,
  lstmGatesBackward,
  disposeCache,
} from '../lib';
import { expectGradsMatch, expectNoLeak, F64, f64, linspaceF64, randF64, relError, toTensor } from './helpers';
import { lstmRef, lstmStepRef } from '../coursework/reference/recurrent';

const shapes = [
  { N: 1, T: 1, D: 3, H: 4 },
  { N: 3, T: 4, D: 5, H: 6 },
  { N: 2, T: 8, D: 2, H: 3 },
];

describe('lstm step', () => {
  for (const { N, D, H } of shapes) {
    it(`forward and backward, N=${N} D=${D} H=${H}`, () => {
      const rng = new Rng(N * 100 + D * 10 + H);
      const x = randF64([N, D], rng),
        h = randF64([N, H], rng),
        c = randF64([N, H], rng);
      const Wx = randF64([D, 4 * H], rng, 0.5),
        Wh = randF64([H, 4 * H], rng, 0.5),
        b = randF64([4 * H], rng);
      const dh = randF64([N, H], rng),
        dc = randF64([N, H], rng);
      const s = lstmStepForward(toTensor(x), toTensor(h), toTensor(c), toTensor(Wx), toTensor(Wh), toTensor(b));
      const ref = lstmStepRef(x, h, c, Wx, Wh, b);
      expect(relError(s.nextH, ref.h)).toBeLessThan(1e-5);
      expect(relError(s.nextC, ref.c)).toBeLessThan(1e-5);
      const g = lstmStepBackward(toTensor(dh), toTensor(dc), s.cache);
      // Both outputs at once: ⟨h, dh⟩ + ⟨c, dc⟩ is ⟨[h | c], [dh | dc]⟩.
      const both = (r: { h: F64; c: F64 }): F64 => f64([2, N, H], [...r.h.data, ...r.c.data]);
      const dBoth = f64([2, N, H], [...dh.data, ...dc.data]);
      expectGradsMatch(
        g,
        ['dx', 'dprevH', 'dprevC', 'dWx', 'dWh', 'db'],
        [x, h, c, Wx, Wh, b],
        (...a) => {
          const o = lstmStepForward(a[0], a[1], a[2], a[3], a[4], a[5]);
          return tf.stack([o.nextH, o.nextC]);
        },
        () => both(lstmStepRef(x, h, c, Wx, Wh, b)),
        dBoth,
      );
      disposeCache(s.cache);
    });
  }

  it('matches the float64 reference on linspace inputs (EECS 498 A4 values)', () => {
    const N = 3,
      D = 4,
      H = 5;
    const x = linspaceF64([N, D], -0.4, 1.2),
      h = linspaceF64([N, H], -0.3, 0.7),
      c = linspaceF64([N, H], -0.4, 0.9);
    const Wx = linspaceF64([D, 4 * H], -2.1, 1.3),
      Wh = linspaceF64([H, 4 * H], -0.7, 2.2),
      b = linspaceF64([4 * H], 0.3, 0.7);
    const s = lstmStepForward(toTensor(x), toTensor(h), toTensor(c), toTensor(Wx), toTensor(Wh), toTensor(b));
    const ref = lstmStepRef(x, h, c, Wx, Wh, b);
    expect(relError(s.nextH, ref.h)).toBeLessThan(1e-6);
    expect(relError(s.nextC, ref.c)).toBeLessThan(1e-6);
    tf.dispose(s);
  });

  it('rejects wrong shapes and dtypes, naming function, argument and shapes', () => {
    const x = tf.zeros([2, 4]),
      h = tf.zeros([2, 5]),
      c = tf.zeros([2, 5]),
      Wx = tf.zeros([4, 20]),
      Wh = tf.zeros([5, 20]),
      b = tf.zeros([20]);
    expect(() => lstmStepForward(x, h, tf.zeros([2, 6]), Wx, Wh, b)).toThrow(
      "lstmStepForward: argument 'prevC' expected shape [N=2, H=5] but got [2, 6]",
    );
    expect(() => lstmStepForward(x, h, c, tf.zeros([4, 5]), tf.zeros([5, 5]), tf.zeros([5]))).toThrow(
      "lstmStepForward: argument 'Wx' expected shape [D, 4H=20] but got [4, 5]",
    );
    expect(() => lstmStepForward(x, h, c, Wx, tf.zeros([5, 16]), b)).toThrow(
      "lstmStepForward: argument 'Wh' expected shape [H=5, G=20] but got [5, 16]",
    );
    expect(() => lstmStepForward(x, h, c, Wx, Wh, tf.zeros([20], 'int32'))).toThrow(
      "lstmStepForward: argument 'b' expected dtype float32 but got int32",
    );
    const s = lstmStepForward(x, h, c, Wx, Wh, b);
    expect(() => lstmStepBackward(tf.zeros([2, 5]), tf.zeros([1, 5]), s.cache)).toThrow(
      "lstmStepBackward: argument 'dnextC' expected shape [N=2, H=5] but got [1, 5]",
    );
    expect(() => lstmGatesForward(tf.zeros([2, 12]) as tf.Tensor2D, c as tf.Tensor2D)).toThrow(
      "lstmGatesForward: argument 'a' expected shape [N, 4H=20] but got [2, 12]",
    );
    expect(() => lstmGatesBackward(tf.zeros([2, 4]) as tf.Tensor2D, c as tf.Tensor2D, s.cache.gates)).toThrow(
      "lstmGatesBackward: argument 'dnextH' expected shape [N=2, H=5] but got [2, 4]",
    );
    tf.dispose([x, h, c, Wx, Wh, b, s]);
  });
});

describe('lstm over a sequence (BPTT)', () => {
  for (const { N, T, D, H } of shapes) {
    it(`forward and backward, N=${N} T=${T} D=${D} H=${H}`, () => {
      const rng = new Rng(N * 1000 + T * 10 + H);
      const x = randF64([N, T, D], rng),
        h0 = randF64([N, H], rng);
      const Wx = randF64([D, 4 * H], rng, 0.5),
        Wh = randF64([H, 4 * H], rng, 0.5),
        b = randF64([4 * H], rng);
      const dh = randF64([N, T, H], rng);
      const { h, cache } = lstmForward(toTensor(x), toTensor(h0), toTensor(Wx), toTensor(Wh), toTensor(b));
      expect(relError(h, lstmRef(x, h0, Wx, Wh, b))).toBeLessThan(1e-5);
      const g = lstmBackward(toTensor(dh), cache);
      expectGradsMatch(
        g,
        ['dx', 'dh0', 'dWx', 'dWh', 'db'],
        [x, h0, Wx, Wh, b],
        (...a) => lstmForward(a[0], a[1], a[2], a[3], a[4]).h,
        () => lstmRef(x, h0, Wx, Wh, b),
        dh,
      );
      disposeCache(cache);
    });
  }

  it('matches the float64 reference on linspace inputs (EECS 498 A4 values)', () => {
    const N = 2,
      T = 3,
      D = 5,
      H = 4;
    const x = linspaceF64([N, T, D], -0.4, 0.6),
      h0 = linspaceF64([N, H], -0.4, 0.8);
    const Wx = linspaceF64([D, 4 * H], -0.2, 0.9),
      Wh = linspaceF64([H, 4 * H], -0.3, 0.6),
      b = linspaceF64([4 * H], 0.2, 0.7);
    const { h, cache } = lstmForward(toTensor(x), toTensor(h0), toTensor(Wx), toTensor(Wh), toTensor(b));
    expect(relError(h, lstmRef(x, h0, Wx, Wh, b))).toBeLessThan(1e-6);
    tf.dispose([h, cache]);
  });

  it('rejects wrong shapes and dtypes, naming function, argument and shapes', () => {
    const x = tf.zeros([2, 3, 4]),
      h0 = tf.zeros([2, 5]),
      Wx = tf.zeros([4, 20]),
      Wh = tf.zeros([5, 20]),
      b = tf.zeros([20]);
    expect(() => lstmForward(x, h0, tf.zeros([4, 5]), tf.zeros([5, 5]), tf.zeros([5]))).toThrow(
      "lstmForward: argument 'Wx' expected shape [D, 4H=20] but got [4, 5]",
    );
    expect(() => lstmForward(tf.zeros([2, 3]), h0, Wx, Wh, b)).toThrow(
      "lstmForward: argument 'x' expected shape [N, T, D] but got [2, 3]",
    );
    expect(() => lstmForward(x, tf.zeros([2, 5], 'int32'), Wx, Wh, b)).toThrow(
      "lstmForward: argument 'h0' expected dtype float32 but got int32",
    );
    const { h, cache } = lstmForward(x, h0, Wx, Wh, b);
    expect(() => lstmBackward(tf.zeros([2, 3, 4]), cache)).toThrow(
      "lstmBackward: argument 'dh' expected shape [2, 3, 5] but got [2, 3, 4]",
    );
    expect(() => lstmBackward(tf.zeros([2, 3, 5]), {} as never)).toThrow(
      "lstmBackward: argument 'cache' expected the cache returned by lstmForward",
    );
    tf.dispose([x, h0, Wx, Wh, b, h, cache]);
  });

  it('step and sequence forward + backward leave only the returned tensors', () => {
    const rng = new Rng(3);
    const x = toTensor(randF64([2, 3, 4], rng)),
      h0 = tf.zeros([2, 5]),
      c0 = tf.zeros([2, 5]);
    const Wx = toTensor(randF64([4, 20], rng)),
      Wh = toTensor(randF64([5, 20], rng)),
      b = tf.zeros([20]);
    const dh = tf.ones([2, 3, 5]),
      x0 = tf.ones([2, 4]),
      dnext = tf.ones([2, 5]);
    expectNoLeak(() => {
      const { h, cache } = lstmForward(x, h0, Wx, Wh, b);
      const g = lstmBackward(dh, cache);
      disposeCache(cache);
      return [h, g];
    }, 'lstmForward + lstmBackward');
    expectNoLeak(() => {
      const { nextH, nextC, cache } = lstmStepForward(x0, h0, c0, Wx, Wh, b);
      const g = lstmStepBackward(dnext, dnext, cache);
      disposeCache(cache);
      return [nextH, nextC, g];
    }, 'lstmStepForward + lstmStepBackward');
    tf.dispose([x, h0, c0, Wx, Wh, b, dh, x0, dnext]);
  });
});
