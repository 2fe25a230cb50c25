/**
 * GRU (reset-after form), one step and over a sequence: forwards against the float64
 * reference (≤ 1e-5), backwards against tfjs autodiff (≤ 1e-5) and float64 numeric
 * gradients (≤ 1e-4); argument and cache errors; no leaks.
 */
import { describe, expect, it } from 'vitest';
import { tf, Rng, gruStepForward, gruStepBackward, gruForward, gruBackward, disposeCache } from '../lib';
import { expectGradsMatch, expectNoLeak, randF64, relError, toTensor } from './helpers';
import { gruRef, gruStepRef } from '../coursework/reference/recurrent';

const shapes = [
  { N: 1, T: 1, D: 3, H: 4 },
  { N: 3, T: 4, D: 5, H: 6 },
  { N: 2, T: 9, D: 2, H: 3 },
];

describe('gru step', () => {
  for (const { N, D, H } of shapes) {
    it(`forward and backward, N=${N} D=${D} H=${H}`, () => {
      const rng = new Rng(N * 100 + D * 10 + H);
      const x = randF64([N, D], rng),
        h = randF64([N, H], rng);
      const Wx = randF64([D, 3 * H], rng, 0.5),
        Wh = randF64([H, 3 * H], rng, 0.5),
        b = randF64([3 * H], rng);
      const dnext = randF64([N, H], rng);
      const { nextH, cache } = gruStepForward(toTensor(x), toTensor(h), toTensor(Wx), toTensor(Wh), toTensor(b));
      expect(relError(nextH, gruStepRef(x, h, Wx, Wh, b))).toBeLessThan(1e-5);
      const g = gruStepBackward(toTensor(dnext), cache);
      expectGradsMatch(
        g,
        ['dx', 'dprevH', 'dWx', 'dWh', 'db'],
        [x, h, Wx, Wh, b],
        (...a) => gruStepForward(a[0], a[1], a[2], a[3], a[4]).nextH,
        () => gruStepRef(x, h, Wx, Wh, b),
        dnext,
      );
      disposeCache(cache);
    });
  }

  it('rejects wrong shapes and dtypes, and a disposed cache, naming function and argument', () => {
    const x = tf.zeros([2, 4]),
      h = tf.zeros([2, 5]),
      Wx = tf.zeros([4, 15]),
      Wh = tf.zeros([5, 15]),
      b = tf.zeros([15]);
    expect(() => gruStepForward(x, h, Wx, tf.zeros([5, 20]), b)).toThrow(
      "gruStepForward: argument 'Wh' expected shape [H=5, 15] but got [5, 20]",
    );
    expect(() => gruStepForward(x, h, tf.zeros([4, 5]), Wh, b)).toThrow(
      "gruStepForward: argument 'Wx' expected shape [D=4, 15] but got [4, 5]",
    );
    expect(() => gruStepForward(tf.zeros([2, 4], 'int32'), h, Wx, Wh, b)).toThrow(
      "gruStepForward: argument 'x' expected dtype float32 but got int32",
    );
    const { nextH, cache } = gruStepForward(x, h, Wx, Wh, b);
    expect(() => gruStepBackward(tf.zeros([2, 4]), cache)).toThrow(
      "gruStepBackward: argument 'dnextH' expected shape [N=2, H=5] but got [2, 4]",
    );
    disposeCache(cache);
    expect(() => gruStepBackward(tf.zeros([2, 5]), cache)).toThrow(
      "gruStepBackward: argument 'cache' expected the live cache",
    );
    tf.dispose([x, h, Wx, Wh, b, nextH]);
  });
});

describe('gru over a sequence (BPTT)', () => {
  for (const { N, T, D, H } of shapes) {
    it(`forward and backward, N=${N} T=${T} D=${D} H=${H}`, () => {
      const rng = new Rng(N * 1000 + T * 10 + H);
      const x = randF64([N, T, D], rng),
        h0 = randF64([N, H], rng);
      const Wx = randF64([D, 3 * H], rng, 0.5),
        Wh = randF64([H, 3 * H], rng, 0.5),
        b = randF64([3 * H], rng);
      const dh = randF64([N, T, H], rng);
      const { h, cache } = gruForward(toTensor(x), toTensor(h0), toTensor(Wx), toTensor(Wh), toTensor(b));
      expect(relError(h, gruRef(x, h0, Wx, Wh, b))).toBeLessThan(1e-5);
      const g = gruBackward(toTensor(dh), cache);
      expectGradsMatch(
        g,
        ['dx', 'dh0', 'dWx', 'dWh', 'db'],
        [x, h0, Wx, Wh, b],
        (...a) => gruForward(a[0], a[1], a[2], a[3], a[4]).h,
        () => gruRef(x, h0, Wx, Wh, b),
        dh,
      );
      disposeCache(cache);
    });
  }

  it('rejects a step cache, a wrong dh and a disposed cache', () => {
    const x = tf.zeros([2, 3, 4]),
      h0 = tf.zeros([2, 5]),
      Wx = tf.zeros([4, 15]),
      Wh = tf.zeros([5, 15]),
      b = tf.zeros([15]);
    expect(() => gruForward(x, tf.zeros([3, 5]), Wx, Wh, b)).toThrow(
      "gruForward: argument 'h0' expected shape [N=2, H] but got [3, 5]",
    );
    const { h, cache } = gruForward(x, h0, Wx, Wh, b);
    expect(() => gruBackward(tf.zeros([2, 3, 4]), cache)).toThrow(
      "gruBackward: argument 'dh' expected shape [2, 3, 5] but got [2, 3, 4]",
    );
    const step = gruStepForward(tf.zeros([2, 4]), h0, Wx, Wh, b);
    expect(() => gruBackward(h, step.cache as never)).toThrow(
      "gruBackward: argument 'cache' expected the live cache returned by gruForward",
    );
    disposeCache(cache);
    expect(() => gruBackward(h, cache)).toThrow(
      "gruBackward: argument 'cache' expected the live cache returned by gruForward",
    );
    tf.dispose([x, h0, Wx, Wh, b, h, step]);
  });

  it('forward + backward leave only the returned tensors', () => {
    const rng = new Rng(3);
    const args = [
      randF64([2, 5, 3], rng),
      randF64([2, 4], rng),
      randF64([3, 12], rng),
      randF64([4, 12], rng),
      randF64([12], rng),
    ].map((a) => toTensor(a));
    const dh = toTensor(randF64([2, 5, 4], rng));
    expectNoLeak(() => {
      const { h, cache } = gruForward(args[0], args[1], args[2], args[3], args[4]);
      const g = gruBackward(dh, cache);
      tf.dispose([h, cache, g]);
    }, 'gru forward + backward');
    tf.dispose([...args, dh]);
  });
});
