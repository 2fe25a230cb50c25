/**
 * Location-sensitive attention (one Tacotron 2 decoder step): forward against an explicit-loop
 * float64 reference, the hand backward against tfjs autodiff (≤ 1e-5) and float64 numeric
 * gradients (≤ 1e-4) for every input and parameter, with and without padding; errors; leaks.
 */
import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  locationAttentionForward,
  locationAttentionBackward,
  initLocationAttentionParams,
  LocationAttentionParams,
  disposeCache,
} from '../lib';
import { F64, f64, randF64, toTensor, relError, numericVjp, autodiffVjp, expectNoLeak } from './helpers';
import { locationAttentionRef } from './ref/attention';

const N = 2,
  L = 6,
  Dq = 3,
  De = 4,
  A = 5,
  C = 2,
  F = 3,
  k = 3;
const PARAMS = ['Wq', 'filters', 'U', 'w', 'b'] as const;
const INPUTS = ['query', 'memory', 'processedMemory', 'prevAlignments'] as const;

describe('location-sensitive attention', () => {
  for (const padded of [false, true]) {
    it(
      `forward and backward vs float64, autodiff and numeric ` +
        `gradients${padded ? ' (second utterance padded)' : ''}`,
      () => {
        const rng = new Rng(padded ? 2 : 1);
        const mask = padded
          ? [
              [1, 1, 1, 1, 1, 1],
              [1, 1, 1, 1, 0, 0],
            ]
          : undefined;
        const inF: Record<string, F64> = {
          query: randF64([N, Dq], rng),
          memory: randF64([N, L, De], rng),
          processedMemory: randF64([N, L, A], rng, 0.5),
          prevAlignments: f64(
            [N, L, C],
            Array.from({ length: N * L * C }, () => rng.uniform()),
          ),
        };
        const pF: Record<string, F64> = {
          Wq: randF64([Dq, A], rng, 0.5),
          filters: randF64([k, C, F], rng, 0.5),
          U: randF64([F, A], rng, 0.5),
          w: randF64([A], rng),
          b: randF64([A], rng, 0.2),
        };
        const dcF = randF64([N, De], rng),
          daF = randF64([N, L], rng);
        const maskT = mask ? tf.tensor2d(mask) : null;
        const asParams = (t: tf.Tensor[]) =>
          Object.fromEntries(PARAMS.map((n, i) => [n, t[i]])) as unknown as LocationAttentionParams;
        const all = [...INPUTS.map((n) => inF[n]), ...PARAMS.map((n) => pF[n])];
        const run = (...t: tf.Tensor[]) =>
          locationAttentionForward(t[0], t[1], t[2], t[3], asParams(t.slice(4)), maskT);
        const { context, alignment, cache } = run(...all.map((a) => toTensor(a)));
        const ref = () =>
          locationAttentionRef(inF.query, inF.memory, inF.processedMemory, inF.prevAlignments, pF as never, mask);
        expect(relError(context, ref().context)).toBeLessThan(1e-5);
        expect(relError(alignment, ref().alignment)).toBeLessThan(1e-5);
        if (mask) expect((alignment.arraySync() as number[][])[1].slice(4)).toEqual([0, 0]);

        const g = locationAttentionBackward(toTensor(dcF), toTensor(daF), cache);
        // One scalar for both outputs: ⟨context, dc⟩ + ⟨alignment, dα⟩.
        const joint = (...t: tf.Tensor[]) => {
          const r = run(...t);
          return tf.concat([tf.reshape(r.context, [-1]), tf.reshape(r.alignment, [-1])]);
        };
        const dJoint = f64([N * De + N * L], [...dcF.data, ...daF.data]);
        const jointRef = (): F64 => {
          const r = ref();
          return f64([N * De + N * L], [...r.context.data, ...r.alignment.data]);
        };
        const auto = autodiffVjp(
          joint,
          all.map((a) => toTensor(a)),
          toTensor(dJoint),
        );
        const hand = [g.dquery, g.dmemory, g.dprocessedMemory, g.dprevAlignments, g.dWq, g.dfilters, g.dU, g.dw, g.db];
        const names = [...INPUTS, ...PARAMS];
        hand.forEach((h, i) => {
          expect(relError(h, auto[i]), `${names[i]} vs autodiff`).toBeLessThan(1e-5);
          expect(relError(h, numericVjp(jointRef, all[i], dJoint)), `${names[i]} vs float64 numeric`).toBeLessThan(
            1e-4,
          );
        });
        disposeCache(cache);
        tf.dispose([context, alignment, g as never, auto, ...(maskT ? [maskT] : [])]);
      },
    );
  }

  it('rejects an even filter width and a wrong memory, and does not leak', () => {
    const rng = new Rng(3);
    expect(() =>
      initLocationAttentionParams({ queryDim: 3, attentionDim: 4, channels: 2, filters: 3, kernel: 4 }, rng),
    ).toThrow("initLocationAttentionParams: argument 'sizes.kernel' expected an odd width but got 4");
    const p = initLocationAttentionParams({ queryDim: Dq, attentionDim: A, channels: C, filters: F, kernel: 5 }, rng);
    const q = tf.ones([N, Dq]),
      mem = tf.ones([N, L, De]),
      pm = tf.zeros([N, L, A]),
      prev = tf.zeros([N, L, C]);
    expect(() => locationAttentionForward(q, tf.ones([N + 1, L, De]), pm, prev, p)).toThrow(
      "locationAttentionForward: argument 'memory' expected shape [N=2, L, De] but got [3, 6, 4]",
    );
    const dc = tf.ones([N, De]),
      da = tf.zeros([N, L]);
    expectNoLeak(() => {
      const r = locationAttentionForward(q, mem, pm, prev, p);
      const g = locationAttentionBackward(dc, da, r.cache);
      disposeCache(r.cache);
      return [r.context, r.alignment, g];
    }, 'location attention forward + backward');
    tf.dispose([q, mem, pm, prev, dc, da, p as never]);
  });
});
