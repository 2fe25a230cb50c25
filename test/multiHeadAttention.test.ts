import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  ShapeError,
  initMultiHeadAttentionParams,
  multiHeadAttentionForward,
  multiHeadAttentionBackward,
  MultiHeadAttentionParams,
} from '../lib';
import { F64, f64, randF64, toTensor, fromTensor, relError, numericVjp, autodiffVjp, expectNoLeak } from './helpers';
import { mhaRef, MhaParamsF64 } from './ref/attention';

const NAMES = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;

function randomParams(E: number, rng: Rng): MhaParamsF64 {
  const p = {} as Record<(typeof NAMES)[number], F64>;
  for (const n of NAMES)
    p[n] = randF64(n.startsWith('W') ? [E, E] : [E], rng, n.startsWith('W') ? 1 / Math.sqrt(E) : 0.3);
  return p;
}

describe('multiHeadAttention', () => {
  const cases = [
    { N: 2, Lq: 3, Lk: 4, E: 6, heads: 2, mask: 'none' },
    { N: 1, Lq: 1, Lk: 1, E: 4, heads: 1, mask: 'none' },
    { N: 2, Lq: 4, Lk: 4, E: 8, heads: 4, mask: 'causal' },
    { N: 3, Lq: 2, Lk: 5, E: 6, heads: 3, mask: 'padding' },
    { N: 2, Lq: 3, Lk: 3, E: 4, heads: 2, mask: 'fullRow' },
  ];
  for (const c of cases)
    it(`matches the float64 reference, autodiff and numeric gradients (${JSON.stringify(c)})`, () => {
      const rng = new Rng(c.N * 1000 + c.Lq * 100 + c.Lk * 10 + c.heads);
      const qF = randF64([c.N, c.Lq, c.E], rng),
        kF = randF64([c.N, c.Lk, c.E], rng),
        vF = randF64([c.N, c.Lk, c.E], rng);
      const pF = randomParams(c.E, rng);
      const doutF = randF64([c.N, c.Lq, c.E], rng);
      let maskF: F64 | undefined;
      // causal: query i sees keys j ≤ i; padding: example n hides its last n % 3 keys;
      // fullRow: example 0, query 0 sees nothing.
      if (c.mask === 'causal')
        maskF = f64(
          [c.N, c.Lq, c.Lk],
          Array.from({ length: c.N * c.Lq * c.Lk }, (_, i) => (i % c.Lk <= Math.floor(i / c.Lk) % c.Lq ? 1 : 0)),
        );
      if (c.mask === 'padding')
        maskF = f64(
          [c.N, 1, c.Lk],
          Array.from({ length: c.N * c.Lk }, (_, i) => (i % c.Lk < c.Lk - (Math.floor(i / c.Lk) % 3) ? 1 : 0)),
        );
      if (c.mask === 'fullRow')
        maskF = f64(
          [c.N, c.Lq, c.Lk],
          Array.from({ length: c.N * c.Lq * c.Lk }, (_, i) => (i < c.Lk ? 0 : 1)),
        );
      const [q, k, v, dout] = [qF, kF, vF, doutF].map((a) => toTensor(a));
      const params = Object.fromEntries(NAMES.map((n) => [n, toTensor(pF[n])])) as unknown as MultiHeadAttentionParams;
      const mask = maskF ? toTensor(maskF) : undefined;

      const { out, weights, cache } = multiHeadAttentionForward(q, k, v, params, { heads: c.heads, mask });
      const ref = mhaRef(qF, kF, vF, pF, c.heads, maskF);
      expect(relError(out, ref.out)).toBeLessThan(1e-5);
      expect(relError(weights, ref.weights)).toBeLessThan(1e-5);
      expect(weights.shape).toEqual([c.N, c.heads, c.Lq, c.Lk]);

      const g = multiHeadAttentionBackward(dout, cache);
      const inputs = [q, k, v, ...NAMES.map((n) => params[n])];
      const auto = autodiffVjp(
        (qq, kk, vv, ...ps) =>
          multiHeadAttentionForward(
            qq,
            kk,
            vv,
            Object.fromEntries(NAMES.map((n, i) => [n, ps[i]])) as unknown as MultiHeadAttentionParams,
            { heads: c.heads, mask },
          ).out,
        inputs,
        dout,
      );
      const mine = [g.dq, g.dk, g.dv, g.dWq, g.dbq, g.dWk, g.dbk, g.dWv, g.dbv, g.dWo, g.dbo];
      const f = (): F64 => mhaRef(qF, kF, vF, pF, c.heads, maskF).out;
      const refInputs = [qF, kF, vF, ...NAMES.map((n) => pF[n])];
      const DBK = 6;
      mine.forEach((t, i) => {
        expect(t.dataSync().every(Number.isFinite)).toBe(true);
        if (i === DBK) return;
        expect(relError(t, auto[i]), `autodiff ${NAMES[i - 3] ?? 'input'} ${i}`).toBeLessThan(1e-5);
        expect(relError(t, numericVjp(f, refInputs[i], doutF)), `numeric ${i}`).toBeLessThan(1e-4);
      });
      // A key bias shifts all of a query's scores by the same q·bk, which softmax ignores: dbk = 0 exactly
      // in exact arithmetic, so compare it in absolute terms (float32 rounding, float64 differences).
      const scale = Math.max(...Array.from(g.dWk.dataSync()).map(Math.abs), 1);
      for (const d of [g.dbk.dataSync(), auto[DBK].dataSync(), numericVjp(f, pF.bk, doutF).data])
        expect(Math.max(...Array.from(d).map(Math.abs))).toBeLessThan(1e-5 * scale);
      if (c.mask === 'fullRow') {
        // Example 0, query 0 sees no key: its attention output is 0, so `out` is just the output bias there.
        expect(relError(Array.from(out.dataSync().slice(0, c.E)), pF.bo.data)).toBeLessThan(1e-6);
        expect(Array.from(fromTensor(g.dq).data.slice(0, c.E))).toEqual(new Array(c.E).fill(0));
      }
      tf.dispose([q, k, v, dout, mask, out, weights, cache, g, auto, params]);
    });

  it('inits seeded Glorot projections and zero biases', () => {
    const a = initMultiHeadAttentionParams(8, new Rng(3)),
      b = initMultiHeadAttentionParams(8, new Rng(3));
    expect(Array.from(a.Wq.dataSync())).toEqual(Array.from(b.Wq.dataSync()));
    expect(Array.from(a.Wq.dataSync())).not.toEqual(Array.from(a.Wk.dataSync()));
    const limit = Math.sqrt(6 / 16);
    expect(a.Wo.dataSync().every((x) => Math.abs(x) <= limit)).toBe(true);
    expect(a.bv.dataSync().every((x) => x === 0)).toBe(true);
    tf.dispose([a, b]);
  });

  it('leaks no tensors', () => {
    const rng = new Rng(4);
    const params = initMultiHeadAttentionParams(4, rng);
    const x = toTensor(randF64([2, 3, 4], rng));
    const mask = tf.tensor3d([[[1, 1, 0]], [[1, 0, 0]]]);
    const dout = tf.onesLike(x);
    expectNoLeak(() => {
      const f = multiHeadAttentionForward(x, x, x, params, { heads: 2, mask });
      const g = multiHeadAttentionBackward(dout, f.cache);
      tf.dispose(f.cache);
      return { out: f.out, weights: f.weights, g };
    }, 'multiHeadAttention forward+backward');
    tf.dispose([x, mask, dout, params]);
  });

  it('rejects a width not divisible by the heads and bad shapes with clear messages', () => {
    const params = initMultiHeadAttentionParams(6, new Rng(1));
    const x = tf.zeros([2, 3, 6]);
    expect(() => multiHeadAttentionForward(x, x, x, params, { heads: 4 })).toThrow(
      'multiHeadAttentionForward: model width E=6 must be divisible by heads=4',
    );
    const k = tf.zeros([2, 5, 6]),
      v = tf.zeros([2, 4, 6]);
    expect(() => multiHeadAttentionForward(x, k, v, params, { heads: 2 })).toThrow(ShapeError);
    expect(() => multiHeadAttentionForward(x, k, v, params, { heads: 2 })).toThrow(
      "multiHeadAttentionForward: argument 'v' expected shape [N=2, Lk=5, E=6] but got [2, 4, 6]",
    );
    const wrongW = { ...params, Wo: tf.zeros([6, 5]) as tf.Tensor2D };
    expect(() => multiHeadAttentionForward(x, x, x, wrongW, { heads: 2 })).toThrow(
      "multiHeadAttentionForward: argument 'params.Wo' expected shape [E=6, E=6] but got [6, 5]",
    );
    tf.dispose([x, k, v, wrongW.Wo, params]);
  });
});
