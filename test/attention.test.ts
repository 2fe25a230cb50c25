import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  ShapeError,
  scaledDotProductAttention,
  scaledDotProductAttentionBackward,
  dotProductAttention,
  dotProductAttentionBackward,
} from '../lib';
import { F64, f64, randF64, toTensor, fromTensor, relError, numericVjp, autodiffVjp, expectNoLeak } from './helpers';
import { sdpaRef, dotProductAttentionRef } from './ref/attention';

/** A random 0/1 mask [N, Lm, Lk] with some all-masked rows forced when `fullRow` is set. */
function randomMask(shape: number[], rng: Rng, fullRow: boolean): F64 {
  const m = f64(shape);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform() < 0.6 ? 1 : 0;
  const Lk = shape[2];
  if (fullRow) for (let j = 0; j < Lk; j++) m.data[j] = 0; // first query row of the first example sees nothing
  return m;
}

describe('scaledDotProductAttention', () => {
  const cases = [
    { N: 2, Lq: 3, Lk: 5, dk: 4, dv: 3 },
    { N: 1, Lq: 1, Lk: 1, dk: 2, dv: 2 },
    { N: 3, Lq: 4, Lk: 4, dk: 8, dv: 5 },
    { N: 1, Lq: 6, Lk: 2, dk: 3, dv: 1 },
  ];
  const masks: Array<'none' | 'full' | 'padding'> = ['none', 'full', 'padding'];

  for (const c of cases)
    for (const maskKind of masks) {
      it(`matches the float64 reference and autodiff (${JSON.stringify(c)}, mask ${maskKind})`, () => {
        const rng = new Rng(c.N * 100 + c.Lq * 10 + c.Lk);
        const Qf = randF64([c.N, c.Lq, c.dk], rng),
          Kf = randF64([c.N, c.Lk, c.dk], rng),
          Vf = randF64([c.N, c.Lk, c.dv], rng);
        const doutF = randF64([c.N, c.Lq, c.dv], rng);
        const maskF =
          maskKind === 'none'
            ? undefined
            : randomMask([c.N, maskKind === 'padding' ? 1 : c.Lq, c.Lk], rng, maskKind === 'full');
        // every example keeps a key
        if (maskF && maskKind === 'padding') for (let n = 0; n < c.N; n++) maskF.data[n * c.Lk] = 1;
        const [Q, K, V, dout] = [Qf, Kf, Vf, doutF].map((a) => toTensor(a));
        const mask = maskF ? tf.cast(toTensor(maskF), 'bool') : undefined;

        const { out, weights, cache } = scaledDotProductAttention(Q, K, V, mask);
        const ref = sdpaRef(Qf, Kf, Vf, maskF);
        expect(relError(out, ref.out)).toBeLessThan(1e-5);
        expect(relError(weights, ref.weights)).toBeLessThan(1e-5);

        const { dQ, dK, dV } = scaledDotProductAttentionBackward(dout, cache);
        const auto = autodiffVjp((q, k, v) => scaledDotProductAttention(q, k, v, mask).out, [Q, K, V], dout);
        for (const [i, g] of [dQ, dK, dV].entries()) {
          expect(g.dataSync().every(Number.isFinite)).toBe(true);
          expect(relError(g, auto[i])).toBeLessThan(1e-5);
        }
        const num = [Qf, Kf, Vf].map((x) => numericVjp(() => sdpaRef(Qf, Kf, Vf, maskF).out, x, doutF));
        expect(relError(dQ, num[0])).toBeLessThan(1e-4);
        expect(relError(dK, num[1])).toBeLessThan(1e-4);
        expect(relError(dV, num[2])).toBeLessThan(1e-4);
        tf.dispose([Q, K, V, dout, mask, out, weights, cache, dQ, dK, dV, auto]);
      });
    }

  it(
    'gives weight exactly 0 to masked keys, rows summing to 1, ' +
      'and a zero output and zero gradients for a fully masked query',
    () => {
      const rng = new Rng(5);
      const [N, Lq, Lk, d] = [2, 3, 4, 3];
      const Q = toTensor(randF64([N, Lq, d], rng, 3)),
        K = toTensor(randF64([N, Lk, d], rng, 3)),
        V = toTensor(randF64([N, Lk, d], rng));
      // float mask: example 0 query 1 sees nothing; example 1 sees keys 0 and 2 only.
      const m = f64([N, Lq, Lk], [1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
      const mask = toTensor(m);
      const { out, weights, cache } = scaledDotProductAttention(Q, K, V, mask);
      const w = weights.arraySync();
      for (let n = 0; n < N; n++)
        for (let i = 0; i < Lq; i++) {
          const row = w[n][i];
          const anyVisible = row.some((_, j) => m.data[(n * Lq + i) * Lk + j] !== 0);
          row.forEach((v, j) => {
            if (m.data[(n * Lq + i) * Lk + j] === 0) expect(v).toBe(0);
          });
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(anyVisible ? 1 : 0, 6);
        }
      expect(out.arraySync()[0][1]).toEqual([0, 0, 0]);
      const dout = tf.onesLike(out);
      const { dQ, dK, dV } = scaledDotProductAttentionBackward(dout, cache);
      expect(dQ.arraySync()[0][1]).toEqual([0, 0, 0]);
      for (const g of [dQ, dK, dV]) expect(g.dataSync().every(Number.isFinite)).toBe(true);
      // Keys masked for every query of example 1 (keys 1 and 3) get no gradient.
      expect(dK.arraySync()[1][1]).toEqual([0, 0, 0]);
      expect(dV.arraySync()[1][3]).toEqual([0, 0, 0]);
      tf.dispose([Q, K, V, mask, out, weights, cache, dout, dQ, dK, dV]);
    },
  );

  it('stays finite for huge scores (stable softmax)', () => {
    const Q = tf.tensor3d([[[1000, -1000]]]),
      K = tf.tensor3d([
        [
          [1000, 0],
          [-1000, 0],
        ],
      ]),
      V = tf.tensor3d([[[1], [2]]]);
    const { out, weights, cache } = scaledDotProductAttention(Q, K, V);
    expect(Array.from(weights.dataSync())).toEqual([1, 0]);
    expect(out.dataSync()[0]).toBe(1);
    tf.dispose([Q, K, V, out, weights, cache]);
  });

  it('leaks no tensors', () => {
    const rng = new Rng(1);
    const Q = toTensor(randF64([2, 3, 4], rng)),
      K = toTensor(randF64([2, 5, 4], rng)),
      V = toTensor(randF64([2, 5, 2], rng));
    const mask = tf.tensor3d([[[1, 1, 0, 0, 1]], [[0, 0, 0, 0, 0]]]);
    const dout = tf.onesLike(tf.zeros([2, 3, 2]));
    expectNoLeak(() => {
      const { out, weights, cache } = scaledDotProductAttention(Q, K, V, mask);
      const grads = scaledDotProductAttentionBackward(dout, cache);
      tf.dispose(cache);
      return { out, weights, grads };
    }, 'scaledDotProductAttention forward+backward');
    tf.dispose([Q, K, V, mask, dout]);
  });

  it('names the function, argument, expected and actual shape on bad input', () => {
    const Q = tf.zeros([2, 3, 4]),
      K = tf.zeros([2, 5, 4]),
      V = tf.zeros([2, 6, 3]);
    expect(() => scaledDotProductAttention(Q, K, V)).toThrow(ShapeError);
    expect(() => scaledDotProductAttention(Q, K, V)).toThrow(
      "scaledDotProductAttention: argument 'V' expected shape [N=2, Lk=5, dv] but got [2, 6, 3]",
    );
    const V2 = tf.zeros([2, 5, 3]);
    const badMask = tf.ones([2, 2, 5]);
    expect(() => scaledDotProductAttention(Q, K, V2, badMask)).toThrow(
      /scaledDotProductAttention: argument 'mask' expected shape \[N=2, Lq=3 or 1, Lk=5\] but got \[2, 2, 5\]/,
    );
    tf.dispose([Q, K, V, V2, badMask]);
  });
});

describe('dotProductAttention (one query over a spatial map)', () => {
  const cases = [
    { N: 2, H: 4, P: 3 },
    { N: 1, H: 3, P: 1 },
    { N: 3, H: 5, P: 2 },
  ];
  for (const c of cases)
    it(`matches the float64 reference and autodiff (${JSON.stringify(c)})`, () => {
      const rng = new Rng(c.N + 10 * c.H + 100 * c.P);
      const hF = randF64([c.N, c.H], rng),
        AF = randF64([c.N, c.H, c.P, c.P], rng),
        doutF = randF64([c.N, c.H], rng);
      const [h, A, dout] = [hF, AF, doutF].map((a) => toTensor(a));
      const { attn, attnWeights, cache } = dotProductAttention(h, A);
      const ref = dotProductAttentionRef(hF, AF);
      expect(relError(attn, ref.attn)).toBeLessThan(1e-5);
      expect(relError(attnWeights, ref.weights)).toBeLessThan(1e-5);
      const sums = tf.sum(attnWeights, [1, 2]);
      fromTensor(sums).data.forEach((s) => expect(s).toBeCloseTo(1, 5));

      const { dprevH, dA } = dotProductAttentionBackward(dout, cache);
      const auto = autodiffVjp((a, b) => dotProductAttention(a, b).attn, [h, A], dout);
      expect(relError(dprevH, auto[0])).toBeLessThan(1e-5);
      expect(relError(dA, auto[1])).toBeLessThan(1e-5);
      expect(
        relError(
          dprevH,
          numericVjp(() => dotProductAttentionRef(hF, AF).attn, hF, doutF),
        ),
      ).toBeLessThan(1e-4);
      expect(
        relError(
          dA,
          numericVjp(() => dotProductAttentionRef(hF, AF).attn, AF, doutF),
        ),
      ).toBeLessThan(1e-4);
      tf.dispose([h, A, dout, attn, attnWeights, sums, cache, dprevH, dA, auto]);
    });

  it('leaks no tensors and names bad shapes', () => {
    const rng = new Rng(2);
    const h = toTensor(randF64([2, 3], rng)),
      A = toTensor(randF64([2, 3, 2, 2], rng)),
      dout = tf.ones([2, 3]);
    expectNoLeak(() => {
      const f = dotProductAttention(h, A);
      const g = dotProductAttentionBackward(dout, f.cache);
      tf.dispose(f.cache);
      return { attn: f.attn, w: f.attnWeights, g };
    }, 'dotProductAttention forward+backward');
    const bad = tf.zeros([2, 4]);
    expect(() => dotProductAttention(bad, A)).toThrow(
      "dotProductAttention: argument 'A' expected shape [N=2, H=4, P, P] but got [2, 3, 2, 2]",
    );
    tf.dispose([h, A, dout, bad]);
  });
});
