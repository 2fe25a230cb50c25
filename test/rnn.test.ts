/**
 * Vanilla RNN, one step and over a sequence (BPTT): forwards against the float64 reference
 * (≤ 1e-5), backwards against tfjs autodiff (≤ 1e-5) and float64 numeric gradients (≤ 1e-4).
 */
import { describe, expect, it } from 'vitest';
import { tf, Rng, rnnStepForward, rnnStepBackward, rnnForward, rnnBackward, disposeCache } from '../lib';
import { expectGradsMatch, expectNoLeak, linspaceF64, randF64, relError, toTensor } from './helpers';
import { rnnRef, rnnStepRef } from '../coursework/reference/recurrent';

const shapes = [
  { N: 1, T: 1, D: 3, H: 4 },
  { N: 3, T: 4, D: 5, H: 6 },
  { N: 2, T: 9, D: 2, H: 3 },
];

describe('rnn step', () => {
  for (const { N, D, H } of shapes) {
    it(`forward and backward, N=${N} D=${D} H=${H}`, () => {
      const rng = new Rng(N * 100 + D * 10 + H);
      const x = randF64([N, D], rng),
        h = randF64([N, H], rng),
        Wx = randF64([D, H], rng, 0.5),
        Wh = randF64([H, H], rng, 0.5),
        b = randF64([H], rng);
      const dnext = randF64([N, H], rng);
      const { nextH, cache } = rnnStepForward(toTensor(x), toTensor(h), toTensor(Wx), toTensor(Wh), toTensor(b));
      expect(relError(nextH, rnnStepRef(x, h, Wx, Wh, b))).toBeLessThan(1e-5);
      const g = rnnStepBackward(toTensor(dnext), cache);
      expectGradsMatch(
        g,
        ['dx', 'dprevH', 'dWx', 'dWh', 'db'],
        [x, h, Wx, Wh, b],
        (...a) => rnnStepForward(a[0], a[1], a[2], a[3], a[4]).nextH,
        () => rnnStepRef(x, h, Wx, Wh, b),
        dnext,
      );
      disposeCache(cache);
    });
  }

  it('matches the float64 reference on linspace inputs (EECS 498 A4 values)', () => {
    const N = 3,
      D = 10,
      H = 4;
    const x = linspaceF64([N, D], -0.4, 0.7),
      h = linspaceF64([N, H], -0.2, 0.5);
    const Wx = linspaceF64([D, H], -0.1, 0.9),
      Wh = linspaceF64([H, H], -0.3, 0.7),
      b = linspaceF64([H], -0.2, 0.4);
    const { nextH, cache } = rnnStepForward(toTensor(x), toTensor(h), toTensor(Wx), toTensor(Wh), toTensor(b));
    expect(relError(nextH, rnnStepRef(x, h, Wx, Wh, b))).toBeLessThan(1e-6);
    tf.dispose([nextH, cache]);
  });

  it('rejects wrong shapes and dtypes, naming function, argument and shapes', () => {
    const x = tf.zeros([2, 4]),
      h = tf.zeros([2, 5]),
      Wx = tf.zeros([4, 5]),
      Wh = tf.zeros([5, 5]),
      b = tf.zeros([5]);
    expect(() => rnnStepForward(x, h, Wx, tf.zeros([5, 4]), b)).toThrow(
      "rnnStepForward: argument 'Wh' expected shape [H=5, H=5] but got [5, 4]",
    );
    expect(() => rnnStepForward(x, tf.zeros([3, 5]), Wx, Wh, b)).toThrow(
      "rnnStepForward: argument 'prevH' expected shape [N=2, H] but got [3, 5]",
    );
    expect(() => rnnStepForward(tf.zeros([2, 4], 'int32'), h, Wx, Wh, b)).toThrow(
      "rnnStepForward: argument 'x' expected dtype float32 but got int32",
    );
    expect(() => rnnStepForward(x, h, Wx, Wh, tf.zeros([5, 1]))).toThrow(
      "rnnStepForward: argument 'b' expected shape [H=5] but got [5, 1]",
    );
    const { nextH, cache } = rnnStepForward(x, h, Wx, Wh, b);
    expect(() => rnnStepBackward(tf.zeros([2, 4]), cache)).toThrow(
      "rnnStepBackward: argument 'dnextH' expected shape [N=2, H=5] but got [2, 4]",
    );
    tf.dispose([x, h, Wx, Wh, b, nextH, cache]);
  });
});

describe('rnn over a sequence (BPTT)', () => {
  for (const { N, T, D, H } of shapes) {
    it(`forward and backward, N=${N} T=${T} D=${D} H=${H}`, () => {
      const rng = new Rng(N * 1000 + T * 10 + H);
      const x = randF64([N, T, D], rng),
        h0 = randF64([N, H], rng),
        Wx = randF64([D, H], rng, 0.5),
        Wh = randF64([H, H], rng, 0.5),
        b = randF64([H], rng);
      const dh = randF64([N, T, H], rng);
      const { h, cache } = rnnForward(toTensor(x), toTensor(h0), toTensor(Wx), toTensor(Wh), toTensor(b));
      expect(relError(h, rnnRef(x, h0, Wx, Wh, b))).toBeLessThan(1e-5);
      const g = rnnBackward(toTensor(dh), cache);
      expectGradsMatch(
        g,
        ['dx', 'dh0', 'dWx', 'dWh', 'db'],
        [x, h0, Wx, Wh, b],
        (...a) => rnnForward(a[0], a[1], a[2], a[3], a[4]).h,
        () => rnnRef(x, h0, Wx, Wh, b),
        dh,
      );
      disposeCache(cache);
    });
  }

  it('matches the float64 reference on linspace inputs (EECS 498 A4 values)', () => {
    const N = 2,
      T = 3,
      D = 4,
      H = 5;
    const x = linspaceF64([N, T, D], -0.1, 0.3),
      h0 = linspaceF64([N, H], -0.3, 0.1);
    const Wx = linspaceF64([D, H], -0.2, 0.4),
      Wh = linspaceF64([H, H], -0.4, 0.1),
      b = linspaceF64([H], -0.7, 0.1);
    const { h, cache } = rnnForward(toTensor(x), toTensor(h0), toTensor(Wx), toTensor(Wh), toTensor(b));
    expect(relError(h, rnnRef(x, h0, Wx, Wh, b))).toBeLessThan(1e-6);
    tf.dispose([h, cache]);
  });

  it('the backward can run twice on one cache with the same result', () => {
    const rng = new Rng(5);
    const args = [
      randF64([2, 3, 4], rng),
      randF64([2, 5], rng),
      randF64([4, 5], rng),
      randF64([5, 5], rng),
      randF64([5], rng),
    ].map((a) => toTensor(a));
    const dh = toTensor(randF64([2, 3, 5], rng));
    const { h, cache } = rnnForward(args[0], args[1], args[2], args[3], args[4]);
    tf.dispose(args); // the cache owns what it keeps
    const g1 = rnnBackward(dh, cache),
      g2 = rnnBackward(dh, cache);
    expect(relError(g1.dWh, g2.dWh)).toBe(0);
    tf.dispose([h, cache, g1, g2, dh]);
  });

  it('rejects wrong shapes and dtypes, naming function, argument and shapes', () => {
    const x = tf.zeros([2, 3, 4]),
      h0 = tf.zeros([2, 5]),
      Wx = tf.zeros([4, 5]),
      Wh = tf.zeros([5, 5]),
      b = tf.zeros([5]);
    expect(() => rnnForward(x, tf.zeros([3, 5]), Wx, Wh, b)).toThrow(
      "rnnForward: argument 'h0' expected shape [N=2, H] but got [3, 5]",
    );
    expect(() => rnnForward(tf.zeros([2, 4]), h0, Wx, Wh, b)).toThrow(
      "rnnForward: argument 'x' expected shape [N, T, D] but got [2, 4]",
    );
    expect(() => rnnForward(x, h0, tf.zeros([3, 5]), Wh, b)).toThrow(
      "rnnForward: argument 'Wx' expected shape [D=4, H=5] but got [3, 5]",
    );
    expect(() => rnnForward(x, h0, Wx, Wh, tf.zeros([5], 'int32'))).toThrow(
      "rnnForward: argument 'b' expected dtype float32 but got int32",
    );
    const { h, cache } = rnnForward(x, h0, Wx, Wh, b);
    expect(() => rnnBackward(tf.zeros([2, 5]), cache)).toThrow(
      "rnnBackward: argument 'dh' expected shape [2, 3, 5] but got [2, 5]",
    );
    expect(() => rnnBackward(tf.zeros([2, 3, 5]), undefined as never)).toThrow(
      "rnnBackward: argument 'cache' expected the cache returned by rnnForward",
    );
    tf.dispose([x, h0, Wx, Wh, b, h, cache]);
  });

  it('step and sequence forward + backward leave only the returned tensors', () => {
    const rng = new Rng(8);
    const x = toTensor(randF64([2, 3, 4], rng)),
      h0 = tf.zeros([2, 5]),
      Wx = toTensor(randF64([4, 5], rng)),
      Wh = toTensor(randF64([5, 5], rng)),
      b = tf.zeros([5]);
    const dh = tf.ones([2, 3, 5]),
      x0 = tf.ones([2, 4]),
      dnext = tf.ones([2, 5]);
    expectNoLeak(() => {
      const { h, cache } = rnnForward(x, h0, Wx, Wh, b);
      const g = rnnBackward(dh, cache);
      disposeCache(cache);
      return [h, g];
    }, 'rnnForward + rnnBackward');
    expectNoLeak(() => {
      const { nextH, cache } = rnnStepForward(x0, h0, Wx, Wh, b);
      const g = rnnStepBackward(dnext, cache);
      disposeCache(cache);
      return [nextH, g];
    }, 'rnnStepForward + rnnStepBackward');
    tf.dispose([x, h0, Wx, Wh, b, dh, x0, dnext]);
  });
});
