import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  ShapeError,
  dotProductAttention,
  attentionLstmStepForward,
  attentionLstmStepBackward,
  attentionLstmForward,
  attentionLstmBackward,
} from '../lib';
import { F64, f64, randF64, toTensor, relError, numericVjp, autodiffVjp, expectNoLeak } from './helpers';
import { attentionLstmStepRef, attentionLstmRef, dotProductAttentionRef } from './ref/attention';

function weights(D: number, H: number, rng: Rng): F64[] {
  return [
    randF64([D, 4 * H], rng, 0.4),
    randF64([H, 4 * H], rng, 0.4),
    randF64([H, 4 * H], rng, 0.4),
    randF64([4 * H], rng, 0.3),
  ];
}

describe('attentionLstmStep', () => {
  const cases = [
    { N: 3, D: 4, H: 5 },
    { N: 1, D: 2, H: 3 },
  ];
  for (const c of cases)
    it(`matches the float64 reference, autodiff and numeric gradients (${JSON.stringify(c)})`, () => {
      const rng = new Rng(c.N * 31 + c.D * 7 + c.H);
      const [xF, hF, cF, aF] = [
        randF64([c.N, c.D], rng),
        randF64([c.N, c.H], rng),
        randF64([c.N, c.H], rng),
        randF64([c.N, c.H], rng),
      ];
      const ws = weights(c.D, c.H, rng);
      const dhF = randF64([c.N, c.H], rng),
        dcF = randF64([c.N, c.H], rng);
      const inputsF = [xF, hF, cF, aF, ...ws];
      const inputs = inputsF.map((a) => toTensor(a));
      const [dnextH, dnextC] = [toTensor(dhF), toTensor(dcF)];
      const step = (...xs: tf.Tensor[]) =>
        attentionLstmStepForward(xs[0], xs[1], xs[2], xs[3], xs[4], xs[5], xs[6], xs[7]);
      const { nextH, nextC, cache } = step(...inputs);
      const ref = attentionLstmStepRef(xF, hF, cF, aF, ws[0], ws[1], ws[2], ws[3]);
      expect(relError(nextH, ref.nextH)).toBeLessThan(1e-5);
      expect(relError(nextC, ref.nextC)).toBeLessThan(1e-5);

      const g = attentionLstmStepBackward(dnextH, dnextC, cache);
      const mine = [g.dx, g.dprevH, g.dprevC, g.dattn, g.dWx, g.dWh, g.dWattn, g.db];
      // ⟨nextH, dnextH⟩ + ⟨nextC, dnextC⟩ as one output: concatenate both sides.
      const auto = autodiffVjp(
        (...xs) => {
          const r = step(...xs);
          return tf.concat([r.nextH, r.nextC], 1);
        },
        inputs,
        tf.concat([dnextH, dnextC], 1),
      );
      const f = (): F64 => {
        const r = attentionLstmStepRef(xF, hF, cF, aF, ws[0], ws[1], ws[2], ws[3]);
        return f64([2, ...r.nextH.shape], [...r.nextH.data, ...r.nextC.data]);
      };
      const dout = f64([2, c.N, c.H], [...dhF.data, ...dcF.data]);
      mine.forEach((t, i) => {
        expect(relError(t, auto[i]), `autodiff ${i}`).toBeLessThan(1e-5);
        expect(relError(t, numericVjp(f, inputsF[i], dout)), `numeric ${i}`).toBeLessThan(1e-4);
      });
      tf.dispose([inputs, dnextH, dnextC, nextH, nextC, cache, g, auto]);
    });
});

describe('attentionLstm (sequence)', () => {
  const cases = [
    { N: 2, T: 3, D: 4, H: 3, P: 2 },
    { N: 1, T: 1, D: 2, H: 4, P: 3 },
    { N: 3, T: 4, D: 3, H: 2, P: 1 },
  ];
  for (const c of cases)
    it(`matches the float64 reference, autodiff and numeric gradients (${JSON.stringify(c)})`, () => {
      const rng = new Rng(c.N * 1000 + c.T * 100 + c.H * 10 + c.P);
      const xF = randF64([c.N, c.T, c.D], rng),
        AF = randF64([c.N, c.H, c.P, c.P], rng);
      const ws = weights(c.D, c.H, rng);
      const doutF = randF64([c.N, c.T, c.H], rng);
      const inputsF = [xF, AF, ...ws];
      const inputs = inputsF.map((a) => toTensor(a));
      const dout = toTensor(doutF);
      const run = (...xs: tf.Tensor[]) => attentionLstmForward(xs[0], xs[1], xs[2], xs[3], xs[4], xs[5]);
      const { h, attnWeights, cache } = run(...inputs);
      const ref = attentionLstmRef(xF, AF, ws[0], ws[1], ws[2], ws[3]);
      expect(relError(h, ref.h)).toBeLessThan(1e-5);
      expect(relError(attnWeights, ref.attnWeights)).toBeLessThan(1e-5);
      expect(attnWeights.shape).toEqual([c.N, c.T, c.P, c.P]);

      const g = attentionLstmBackward(dout, cache);
      const mine = [g.dx, g.dA, g.dWx, g.dWh, g.dWattn, g.db];
      const auto = autodiffVjp((...xs) => run(...xs).h, inputs, dout);
      const f = (): F64 => attentionLstmRef(xF, AF, ws[0], ws[1], ws[2], ws[3]).h;
      mine.forEach((t, i) => {
        expect(relError(t, auto[i]), `autodiff ${i}`).toBeLessThan(1e-5);
        expect(relError(t, numericVjp(f, inputsF[i], doutF)), `numeric ${i}`).toBeLessThan(1e-4);
      });
      tf.dispose([inputs, dout, h, attnWeights, cache, g, auto]);
    });

  it('starts from h0 = c0 = the spatial mean of A: the first step attends with that query', () => {
    const rng = new Rng(12);
    const [N, T, D, H, P] = [2, 2, 3, 4, 2];
    const AF = randF64([N, H, P, P], rng);
    const A = toTensor(AF),
      x = toTensor(randF64([N, T, D], rng));
    const ws = weights(D, H, rng).map((w) => toTensor(w));
    const { h, attnWeights, cache } = attentionLstmForward(x, A, ws[0], ws[1], ws[2], ws[3]);
    const h0 = tf.mean(A, [2, 3]);
    const first = dotProductAttention(h0, A);
    const w0 = tf.squeeze(tf.slice(attnWeights, [0, 0, 0, 0], [N, 1, P, P]), [1]);
    expect(relError(w0, first.attnWeights)).toBeLessThan(1e-6);
    const h0F = f64([N, H], h0.dataSync());
    expect(relError(first.attnWeights, dotProductAttentionRef(h0F, AF).weights)).toBeLessThan(1e-5);
    tf.dispose([A, x, ws, h, attnWeights, cache, h0, first, w0]);
  });

  it('leaks no tensors (step and sequence) and names bad shapes', () => {
    const rng = new Rng(3);
    const [N, T, D, H, P] = [2, 3, 3, 2, 2];
    const x = toTensor(randF64([N, T, D], rng)),
      A = toTensor(randF64([N, H, P, P], rng));
    const ws = weights(D, H, rng).map((w) => toTensor(w));
    const dh = tf.ones([N, T, H]);
    expectNoLeak(() => {
      const f = attentionLstmForward(x, A, ws[0], ws[1], ws[2], ws[3]);
      const g = attentionLstmBackward(dh, f.cache);
      tf.dispose(f.cache);
      return { h: f.h, w: f.attnWeights, g };
    }, 'attentionLstm forward+backward');
    const x1 = tf.ones([N, D]),
      h1 = tf.ones([N, H]);
    expectNoLeak(() => {
      const f = attentionLstmStepForward(x1, h1, h1, h1, ws[0], ws[1], ws[2], ws[3]);
      const g = attentionLstmStepBackward(h1, h1, f.cache);
      tf.dispose(f.cache);
      return { h: f.nextH, c: f.nextC, g };
    }, 'attentionLstmStep forward+backward');
    const badA = tf.ones([N, H + 1, P, P]);
    expect(() => attentionLstmForward(x, badA, ws[0], ws[1], ws[2], ws[3])).toThrow(ShapeError);
    expect(() => attentionLstmForward(x, badA, ws[0], ws[1], ws[2], ws[3])).toThrow(
      /attentionLstmForward: argument 'Wh' expected shape \[H=3, G=8\] but got \[2, 8\]/,
    );
    // Weights that agree with each other on G = 3H (not 4H): only the 4H check can reject them.
    const G = 3 * H;
    const [badWx, badWh, badWattn, badB] = [tf.ones([D, G]), tf.ones([H, G]), tf.ones([H, G]), tf.ones([G])];
    expect(() => attentionLstmStepForward(x1, h1, h1, h1, badWx, badWh, badWattn, badB)).toThrow(
      `attentionLstmStepForward: argument 'Wx' expected shape [D, 4H=${4 * H}] but got [${D}, ${G}]`,
    );
    expect(() => attentionLstmForward(x, A, badWx, badWh, badWattn, badB)).toThrow(
      `attentionLstmForward: argument 'Wx' expected shape [D, 4H=${4 * H}] but got [${D}, ${G}]`,
    );
    tf.dispose([x, A, ws, dh, x1, h1, badA, badWx, badWh, badWattn, badB]);
  });
});
