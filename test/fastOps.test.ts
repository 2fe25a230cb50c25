import { describe, expect, it } from 'vitest';
import { tf, Rng, randn, tanh, matMulAT, matMulBT, linearGrads, relError } from '../lib';

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('fastOps', () => {
  const rng = new Rng(4);
  it('tanh (tf.tanh when small, 2σ(2x) − 1 when large) equals tf.tanh to float32 round-off at any shape', () => {
    const x = tf.tensor2d([
      [-50, -3, -1e-3, 0],
      [1e-6, 0.5, 4, 80],
    ]);
    const a = tanh(x),
      b = tf.tanh(x);
    expect(a.shape).toEqual([2, 4]);
    expect(maxDiff(a, b)).toBeLessThan(2e-7);
    const x3 = randn([2, 3, 4], rng, 3);
    expect(maxDiff(tanh(x3), tf.tanh(x3))).toBeLessThan(2e-7);
    const large = randn([4, 64, 64], rng, 3); // past the size where 2σ(2x) − 1 takes over
    const [t1, t2] = [tanh(large), tf.tanh(large)];
    expect(maxDiff(t1, t2)).toBeLessThan(2e-7);
    expect(() => tanh(tf.zeros([2], 'int32'))).toThrow("tanh: argument 'x' expected a float32 tensor but got int32");
    tf.dispose([x, a, b, x3, large, t1, t2]);
  });
  it('matMulAT is aᵀ·b and matMulBT is a·bᵀ, for either operand the larger, batched too', () => {
    for (const [R, M, K] of [
      [7, 3, 9],
      [7, 9, 3],
    ]) {
      const a = randn([R, M], rng),
        b = randn([R, K], rng),
        c = randn([M, K], rng);
      expect(matMulAT(a, b).shape).toEqual([M, K]);
      expect(relError(matMulAT(a, b), tf.matMul(a, b, true, false))).toBeLessThan(1e-6);
      expect(relError(matMulBT(b, c), tf.matMul(b, c, false, true))).toBeLessThan(1e-6);
    }
    const a3 = randn([2, 5, 3], rng),
      b3 = randn([2, 5, 4], rng);
    expect(relError(matMulAT(a3, b3), tf.matMul(a3, b3, true, false))).toBeLessThan(1e-6);
    expect(relError(matMulBT(b3, b3), tf.matMul(b3, b3, false, true))).toBeLessThan(1e-6);
    expect(() => matMulAT(randn([3, 2], rng), randn([4, 2], rng))).toThrow(
      "matMulAT: argument 'b' expected shape [R=3, K] but got [4, 2]",
    );
    expect(() => matMulBT(randn([3, 2], rng), randn([3, 5], rng))).toThrow(
      "matMulBT: argument 'b' expected shape [M, K=2] but got [3, 5]",
    );
  });
  it('linearGrads gives xᵢᵀ·da for every input and the column sums of da', () => {
    const x1 = randn([6, 2], rng),
      x2 = randn([6, 5], rng),
      da = randn([6, 4], rng);
    const { dW, db } = linearGrads([x1, x2], da);
    expect(dW.map((t) => t.shape)).toEqual([
      [2, 4],
      [5, 4],
    ]);
    expect(relError(dW[0], tf.matMul(x1, da, true, false))).toBeLessThan(1e-6);
    expect(relError(dW[1], tf.matMul(x2, da, true, false))).toBeLessThan(1e-6);
    expect(relError(db, tf.sum(da, 0))).toBeLessThan(1e-6);
    expect(() => linearGrads([randn([5, 2], rng)], da)).toThrow(
      "linearGrads: argument 'xs[0]' expected shape [R=6, D0] but got [5, 2]",
    );
    expect(() => linearGrads([], da)).toThrow(/linearGrads: argument 'xs' expected a non-empty list/);
  });
});
