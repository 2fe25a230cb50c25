/**
 * RNN, LSTM, word embedding and temporal layers: each backward against tfjs autodiff of the
 * same forward (≤ 1e-5) and against float64 centred differences of an independent
 * plain-TypeScript reference (≤ 1e-4); forwards against the reference (≤ 1e-5).
 */
import { describe, expect, it } from 'vitest';
import {
  tf, Rng,
  rnnStepForward, rnnStepBackward, rnnForward, rnnBackward,
  lstmStepForward, lstmStepBackward, lstmForward, lstmBackward,
  wordEmbeddingForward, wordEmbeddingBackward, temporalAffineForward, temporalAffineBackward, temporalSoftmaxLoss,
  affineForward, affineBackward,
} from '../lib';
import { autodiffVjp, expectNoLeak, F64, f64, fromTensor, numericVjp, randF64, relError, toTensor } from './helpers';
import { embeddingRef, lstmRef, lstmStepRef, rnnRef, rnnStepRef, temporalAffineRef, temporalSoftmaxLossRef } from './ref/recurrent';

/** Checks every named gradient against autodiff (tight) and float64 numeric (loose). */
function checkGrads(
  grads: Record<string, tf.Tensor>,
  names: string[],
  inputs: F64[],
  tfForward: (...xs: tf.Tensor[]) => tf.Tensor,
  refForward: () => F64,
  dout: F64,
): void {
  const tensors = inputs.map((a) => toTensor(a));
  const auto = autodiffVjp(tfForward, tensors, toTensor(dout));
  names.forEach((name, i) => {
    expect(relError(grads[name], auto[i]), `${name} vs autodiff`).toBeLessThan(1e-5);
    expect(relError(grads[name], numericVjp(refForward, inputs[i], dout)), `${name} vs float64 numeric`).toBeLessThan(1e-4);
  });
  tf.dispose([...tensors, ...auto]);
}

const shapes = [
  { N: 1, T: 1, D: 3, H: 4 },
  { N: 3, T: 4, D: 5, H: 6 },
];

describe('affine', () => {
  it('forward and backward', () => {
    const rng = new Rng(1);
    const x = randF64([3, 4], rng), w = randF64([4, 5], rng), b = randF64([5], rng), dout = randF64([3, 5], rng);
    const { out, cache } = affineForward(toTensor(x), toTensor(w), toTensor(b));
    const g = affineBackward(toTensor(dout), cache);
    const ref = (): F64 => f64([3, 5], Array.from({ length: 15 }, (_, k) => {
      const n = Math.floor(k / 5), m = k % 5;
      let s = b.data[m];
      for (let d = 0; d < 4; d++) s += x.data[n * 4 + d] * w.data[d * 5 + m];
      return s;
    }));
    expect(relError(out, ref())).toBeLessThan(1e-5);
    checkGrads(g, ['dx', 'dw', 'db'], [x, w, b], (a, c, d) => affineForward(a, c, d).out, ref, dout);
  });
});

describe('rnn', () => {
  for (const { N, T, D, H } of shapes) {
    it(`step and sequence, N=${N} T=${T} D=${D} H=${H}`, () => {
      const rng = new Rng(N * 100 + T);
      const x = randF64([N, D], rng), h = randF64([N, H], rng), Wx = randF64([D, H], rng, 0.5), Wh = randF64([H, H], rng, 0.5), b = randF64([H], rng);
      const dnext = randF64([N, H], rng);
      const s = rnnStepForward(toTensor(x), toTensor(h), toTensor(Wx), toTensor(Wh), toTensor(b));
      expect(relError(s.nextH, rnnStepRef(x, h, Wx, Wh, b))).toBeLessThan(1e-5);
      const gs = rnnStepBackward(toTensor(dnext), s.cache);
      checkGrads({ ...gs, dprevH: gs.dprevH }, ['dx', 'dprevH', 'dWx', 'dWh', 'db'], [x, h, Wx, Wh, b],
        (...a) => rnnStepForward(a[0], a[1], a[2], a[3], a[4]).nextH, () => rnnStepRef(x, h, Wx, Wh, b), dnext);

      const xs = randF64([N, T, D], rng), dh = randF64([N, T, H], rng);
      const r = rnnForward(toTensor(xs), toTensor(h), toTensor(Wx), toTensor(Wh), toTensor(b));
      expect(relError(r.h, rnnRef(xs, h, Wx, Wh, b))).toBeLessThan(1e-5);
      const g = rnnBackward(toTensor(dh), r.cache);
      checkGrads(g, ['dx', 'dh0', 'dWx', 'dWh', 'db'], [xs, h, Wx, Wh, b],
        (...a) => rnnForward(a[0], a[1], a[2], a[3], a[4]).h, () => rnnRef(xs, h, Wx, Wh, b), dh);
    });
  }
  it('rejects wrong shapes with a named message and leaks nothing', () => {
    const x = tf.zeros([2, 3, 4]), h0 = tf.zeros([2, 5]), Wx = tf.zeros([4, 5]), Wh = tf.zeros([5, 5]), b = tf.zeros([5]);
    expect(() => rnnForward(x, tf.zeros([3, 5]), Wx, Wh, b)).toThrow("rnnForward: argument 'h0' expected shape [N=2, H] but got [3, 5]");
    expect(() => rnnStepForward(tf.zeros([2, 4]), h0, Wx, tf.zeros([5, 4]), b)).toThrow("rnnStepForward: argument 'Wh' expected shape [H=5, H=5] but got [5, 4]");
    const dh = tf.ones([2, 3, 5]);
    expectNoLeak(() => {
      const { h, cache } = rnnForward(x, h0, Wx, Wh, b);
      const g = rnnBackward(dh, cache);
      tf.dispose(cache);
      return [h, g];
    });
  });
});

describe('lstm', () => {
  for (const { N, T, D, H } of shapes) {
    it(`step and sequence, N=${N} T=${T} D=${D} H=${H}`, () => {
      const rng = new Rng(N * 1000 + T);
      const x = randF64([N, D], rng), h = randF64([N, H], rng), c = randF64([N, H], rng);
      const Wx = randF64([D, 4 * H], rng, 0.5), Wh = randF64([H, 4 * H], rng, 0.5), b = randF64([4 * H], rng);
      const dh = randF64([N, H], rng), dc = randF64([N, H], rng);
      const s = lstmStepForward(toTensor(x), toTensor(h), toTensor(c), toTensor(Wx), toTensor(Wh), toTensor(b));
      const ref = lstmStepRef(x, h, c, Wx, Wh, b);
      expect(relError(s.nextH, ref.h)).toBeLessThan(1e-5);
      expect(relError(s.nextC, ref.c)).toBeLessThan(1e-5);
      const gs = lstmStepBackward(toTensor(dh), toTensor(dc), s.cache);
      // ⟨h, dh⟩ + ⟨c, dc⟩ as one output: concatenate h and c.
      const both = (r: { h: F64; c: F64 }): F64 => f64([N, 2 * H], [...r.h.data, ...r.c.data]);
      const dBoth = f64([N, 2 * H], [...dh.data, ...dc.data]);
      checkGrads(gs, ['dx', 'dprevH', 'dprevC', 'dWx', 'dWh', 'db'], [x, h, c, Wx, Wh, b],
        (...a) => { const o = lstmStepForward(a[0], a[1], a[2], a[3], a[4], a[5]); return tf.reshape(tf.concat([tf.reshape(o.nextH, [-1]), tf.reshape(o.nextC, [-1])]), [N, 2 * H]); },
        () => both(lstmStepRef(x, h, c, Wx, Wh, b)), dBoth);

      const xs = randF64([N, T, D], rng), dhs = randF64([N, T, H], rng);
      const r = lstmForward(toTensor(xs), toTensor(h), toTensor(Wx), toTensor(Wh), toTensor(b));
      expect(relError(r.h, lstmRef(xs, h, Wx, Wh, b))).toBeLessThan(1e-5);
      const g = lstmBackward(toTensor(dhs), r.cache);
      checkGrads(g, ['dx', 'dh0', 'dWx', 'dWh', 'db'], [xs, h, Wx, Wh, b],
        (...a) => lstmForward(a[0], a[1], a[2], a[3], a[4]).h, () => lstmRef(xs, h, Wx, Wh, b), dhs);
    });
  }
  it('matches the float64 reference on linspace inputs (EECS 498 style)', () => {
    const N = 2, T = 3, D = 5, H = 4;
    const lin = (shape: number[], lo: number, hi: number): F64 => {
      const n = shape.reduce((p, q) => p * q, 1);
      return f64(shape, Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1)));
    };
    const x = lin([N, T, D], -0.4, 0.6), h0 = lin([N, H], -0.4, 0.8), Wx = lin([D, 4 * H], -0.2, 0.9), Wh = lin([H, 4 * H], -0.3, 0.6), b = lin([4 * H], 0.2, 0.7);
    const { h, cache } = lstmForward(toTensor(x), toTensor(h0), toTensor(Wx), toTensor(Wh), toTensor(b));
    expect(relError(h, lstmRef(x, h0, Wx, Wh, b))).toBeLessThan(1e-5);
    tf.dispose([h, cache]);
  });
  it('rejects Wx that is not [D, 4H] and leaks nothing', () => {
    expect(() => lstmForward(tf.zeros([2, 3, 4]), tf.zeros([2, 5]), tf.zeros([4, 5]), tf.zeros([5, 5]), tf.zeros([5]))).toThrow(
      "lstmForward: argument 'Wx' expected shape [D, 4H=20] but got [4, 5]",
    );
    const x = tf.randomNormal([2, 3, 4]), h0 = tf.zeros([2, 5]), Wx = tf.randomNormal([4, 20]), Wh = tf.randomNormal([5, 20]), b = tf.zeros([20]);
    const dh = tf.ones([2, 3, 5]);
    expectNoLeak(() => {
      const { h, cache } = lstmForward(x, h0, Wx, Wh, b);
      const g = lstmBackward(dh, cache);
      tf.dispose(cache);
      return [h, g];
    });
  });
});

describe('word embedding', () => {
  it('forward, and a backward that accumulates repeated words', () => {
    const rng = new Rng(9);
    const idx = [[0, 3, 3, 1], [2, 3, 0, 0]];
    const W = randF64([5, 3], rng), dout = randF64([2, 4, 3], rng);
    const x = tf.tensor2d(idx, [2, 4], 'int32');
    const { out, cache } = wordEmbeddingForward(x, toTensor(W));
    expect(relError(out, embeddingRef(idx, W))).toBeLessThan(1e-6);
    const { dW } = wordEmbeddingBackward(toTensor(dout), cache);
    expect(relError(dW, numericVjp(() => embeddingRef(idx, W), W, dout))).toBeLessThan(1e-4);
    const auto = autodiffVjp((w) => wordEmbeddingForward(x, w).out, [toTensor(W)], toTensor(dout))[0];
    expect(relError(dW, auto)).toBeLessThan(1e-5);
    expect(Array.from(dW.dataSync().slice(12, 15))).toEqual([0, 0, 0]); // word 4 never appears
    expect(() => wordEmbeddingForward(tf.zeros([2, 4]), toTensor(W))).toThrow("wordEmbeddingForward: argument 'x' expected dtype int32 but got float32");
  });
});

describe('temporal affine and softmax loss', () => {
  it('temporal affine forward/backward', () => {
    const rng = new Rng(4);
    const x = randF64([2, 3, 4], rng), w = randF64([4, 5], rng), b = randF64([5], rng), dout = randF64([2, 3, 5], rng);
    const { out, cache } = temporalAffineForward(toTensor(x), toTensor(w), toTensor(b));
    expect(relError(out, temporalAffineRef(x, w, b))).toBeLessThan(1e-5);
    checkGrads(temporalAffineBackward(toTensor(dout), cache), ['dx', 'dw', 'db'], [x, w, b],
      (a, c, d) => temporalAffineForward(a, c, d).out, () => temporalAffineRef(x, w, b), dout);
  });
  for (const T of [1, 5]) {
    it(`masked softmax loss, T=${T}, with a fully masked row`, () => {
      const rng = new Rng(T);
      const N = 3, V = 7;
      const x = randF64([N, T, V], rng, 2);
      const y = Array.from({ length: N }, () => Array.from({ length: T }, () => rng.int(V)));
      const mask = [Array(T).fill(1), Array(T).fill(0), Array.from({ length: T }, (_, t) => (t < Math.ceil(T / 2) ? 1 : 0))];
      const { loss, dx } = temporalSoftmaxLoss(toTensor(x), tf.tensor2d(y, [N, T], 'int32'), tf.tensor2d(mask, [N, T], 'bool'));
      const ref = temporalSoftmaxLossRef(x, y, mask);
      expect(Math.abs(loss - ref) / ref).toBeLessThan(1e-5);
      expect(relError(dx, numericVjp(() => temporalSoftmaxLossRef(x, y, mask), x, null))).toBeLessThan(1e-4);
      const dxRow1 = fromTensor(dx).data.slice(T * V, 2 * T * V);
      expect(dxRow1.every((v) => v === 0)).toBe(true);
    });
  }
  it('is stable for scores of 1e4', () => {
    const x = tf.tensor3d([[[1e4, -1e4, 0]]]);
    const { loss, dx } = temporalSoftmaxLoss(x, tf.tensor2d([[1]], [1, 1], 'int32'), tf.tensor2d([[1]], [1, 1]));
    expect(loss).toBeCloseTo(2e4, 0);
    expect(Array.from(dx.dataSync()).every(Number.isFinite)).toBe(true);
  });
});
