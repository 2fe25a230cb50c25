/**
 * Pre-norm transformer block (self- and cross-modal): forward against a float64 composition of
 * the reference layers, the composed hand backward against tfjs autodiff (≤ 1e-5) and float64
 * numeric gradients (≤ 1e-4) for every input and parameter; dropout's mask is shared by forward
 * and backward; sinusoidal positions; no leaks.
 */
import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  initTransformerBlockParams,
  transformerBlockForward,
  transformerBlockBackward,
  TransformerBlockParams,
  dropoutForward,
  dropoutBackward,
  sinusoidalPositions,
  disposeCache,
} from '../lib';
import { F64, randF64, toTensor, relError, numericVjp, autodiffVjp, expectNoLeak, map } from './helpers';
import { mhaRef, layerNormRef } from './ref/attention';
import { temporalAffineRef } from '../coursework/reference/recurrent';

const add = (a: F64, b: F64): F64 => map(a, (v, i) => v + b.data[i]);

function blockRef(x: F64, c: F64 | null, p: Record<string, F64>, heads: number): F64 {
  const xh = layerNormRef(x, p.ln1Gamma, p.ln1Beta);
  const kv = c ? layerNormRef(c, p.lnCGamma, p.lnCBeta) : xh;
  const u = add(x, mhaRef(xh, kv, kv, p as never, heads).out);
  const hidden = map(temporalAffineRef(layerNormRef(u, p.ln2Gamma, p.ln2Beta), p.W1, p.b1), (v) => Math.max(v, 0));
  return add(u, temporalAffineRef(hidden, p.W2, p.b2));
}

function randomParams(E: number, F: number, cross: boolean, rng: Rng): Record<string, F64> {
  const shapes: Record<string, number[]> = {
    Wq: [E, E],
    bq: [E],
    Wk: [E, E],
    bk: [E],
    Wv: [E, E],
    bv: [E],
    Wo: [E, E],
    bo: [E],
    ln1Gamma: [E],
    ln1Beta: [E],
    ln2Gamma: [E],
    ln2Beta: [E],
    W1: [E, F],
    b1: [F],
    W2: [F, E],
    b2: [E],
    ...(cross ? { lnCGamma: [E], lnCBeta: [E] } : {}),
  };
  return Object.fromEntries(
    Object.entries(shapes).map(([k, s]) => {
      const a = randF64(s, rng, s.length === 2 ? 1 / Math.sqrt(s[0]) : 0.3);
      if (k.endsWith('Gamma')) for (let i = 0; i < a.data.length; i++) a.data[i] += 1;
      return [k, a];
    }),
  );
}

describe('transformer block', () => {
  for (const c of [
    { cross: false, N: 2, Lq: 3, Lk: 3, E: 4, F: 6, heads: 2 },
    { cross: true, N: 2, Lq: 3, Lk: 5, E: 4, F: 5, heads: 2 },
  ]) {
    it(
      `${c.cross ? 'cross-modal' : 'self-attention'}: forward, ` +
        `and backward vs autodiff and float64 numeric gradients`,
      () => {
        const rng = new Rng(c.Lk * 10 + c.F);
        const xF = randF64([c.N, c.Lq, c.E], rng),
          cF = c.cross ? randF64([c.N, c.Lk, c.E], rng) : null;
        const pF = randomParams(c.E, c.F, c.cross, rng);
        const doutF = randF64([c.N, c.Lq, c.E], rng);
        const names = Object.keys(pF);
        const inputsF = [xF, ...(cF ? [cF] : []), ...names.map((n) => pF[n])];
        const forward = (...t: tf.Tensor[]): tf.Tensor => {
          const [x, ctx] = c.cross ? [t[0], t[1]] : [t[0], null];
          const ps = Object.fromEntries(
            names.map((n, i) => [n, t[i + (c.cross ? 2 : 1)]]),
          ) as unknown as TransformerBlockParams;
          return transformerBlockForward(x, ctx, ps, { heads: c.heads }).out;
        };
        const tensors = inputsF.map((a) => toTensor(a));
        const ps = Object.fromEntries(
          names.map((n, i) => [n, tensors[i + (c.cross ? 2 : 1)]]),
        ) as unknown as TransformerBlockParams;
        const { out, weights, cache } = transformerBlockForward(tensors[0], c.cross ? tensors[1] : null, ps, {
          heads: c.heads,
        });
        expect(relError(out, blockRef(xF, cF, pF, c.heads))).toBeLessThan(1e-5);
        expect(weights.shape).toEqual([c.N, c.heads, c.Lq, c.Lk]);
        const dout = toTensor(doutF);
        const g = transformerBlockBackward(dout, cache);
        const hand = [g.dx, ...(c.cross ? [g.dcontext!] : []), ...names.map((n) => g.params[n])];
        expect(
          hand.every((t) => t instanceof tf.Tensor),
          'a gradient is missing',
        ).toBe(true);
        const auto = autodiffVjp(forward, tensors, dout);
        const labels = ['dx', ...(c.cross ? ['dcontext'] : []), ...names];
        hand.forEach((h, i) => {
          if (labels[i] === 'bk') {
            // A key bias shifts all of a query's scores by q·bk, which softmax ignores: dbk = 0 exactly.
            for (const d of [h, auto[i]])
              expect(Math.max(...Array.from(d.dataSync()).map(Math.abs))).toBeLessThan(1e-6);
            return;
          }
          expect(relError(h, auto[i]), `${labels[i]} vs autodiff`).toBeLessThan(1e-5);
          expect(
            relError(
              h,
              numericVjp(() => blockRef(xF, cF, pF, c.heads), inputsF[i], doutF),
            ),
            `${labels[i]} vs float64 numeric`,
          ).toBeLessThan(1e-4);
        });
        if (!c.cross) expect(g.dcontext).toBeUndefined();
        tf.dispose([out, weights, dout, g, auto, tensors]);
        disposeCache(cache);
      },
    );
  }

  it('dropout: the same mask scales forward and backward; inference is the identity', () => {
    const x = tf.ones([4, 50]);
    const { out, cache } = dropoutForward(x, 0.5, { rng: new Rng(1) });
    const kept = out.dataSync();
    expect(kept.every((v) => v === 0 || v === 2)).toBe(true);
    const frac = kept.filter((v) => v === 2).length / kept.length;
    expect(frac).toBeGreaterThan(0.35);
    expect(frac).toBeLessThan(0.65);
    const { dx } = dropoutBackward(tf.ones([4, 50]), cache);
    expect(Array.from(dx.dataSync())).toEqual(Array.from(kept));
    const inference = dropoutForward(x, 0.5, { training: false });
    expect(Array.from(inference.out.dataSync()).every((v) => v === 1)).toBe(true);
    expect(() => dropoutForward(x, 0.5)).toThrow("dropoutForward: argument 'opts.rng' expected an Rng");
    expect(() => dropoutForward(x, 1, { rng: new Rng(1) })).toThrow(
      "dropoutForward: argument 'p' expected a drop probability below 1",
    );
    tf.dispose([x, out, cache, dx, inference]);
  });

  it('rejects a cross-modal call on self-attention params and a wrong dout', () => {
    const rng = new Rng(2);
    const p = initTransformerBlockParams(4, 8, rng);
    const x = tf.zeros([2, 3, 4]);
    expect(() => transformerBlockForward(x, tf.zeros([2, 5, 4]), p, { heads: 2 })).toThrow(
      "transformerBlockForward: argument 'params' expected lnCGamma",
    );
    const { out, weights, cache } = transformerBlockForward(x, null, p, { heads: 2 });
    expect(() => transformerBlockBackward(tf.zeros([2, 3, 5]), cache)).toThrow(
      "transformerBlockBackward: argument 'dout' expected shape [N=2, Lq=3, E=4] but got [2, 3, 5]",
    );
    tf.dispose([p as never, x, out, weights, cache as never]);
  });

  it('forward + backward with dropout leave only the returned tensors', () => {
    const rng = new Rng(4);
    const p = initTransformerBlockParams(8, 16, rng, { cross: true });
    const x = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 1),
      ctx = tf.randomNormal([2, 7, 8], 0, 1, 'float32', 2);
    const dout = tf.ones([2, 5, 8]);
    expectNoLeak(() => {
      const r = transformerBlockForward(x, ctx, p, { heads: 2, dropout: 0.1, rng });
      const g = transformerBlockBackward(dout, r.cache);
      tf.dispose([r.out, r.weights, r.cache as never, g as never]);
    }, 'transformer block');
    tf.dispose([p as never, x, ctx, dout]);
  });

  it('sinusoidal positions follow sin/cos of t / 10000^(2i/E)', () => {
    const pe = sinusoidalPositions(6, 8);
    const v = pe.arraySync();
    expect(v[0][0]).toBe(0);
    expect(v[0][1]).toBe(1);
    expect(v[5][2]).toBeCloseTo(Math.sin(5 / 10000 ** (2 / 8)), 6);
    expect(v[5][7]).toBeCloseTo(Math.cos(5 / 10000 ** (6 / 8)), 6);
    expect(() => sinusoidalPositions(3, 5)).toThrow(
      "sinusoidalPositions: argument 'E' expected an even width but got 5",
    );
    pe.dispose();
  });
});
