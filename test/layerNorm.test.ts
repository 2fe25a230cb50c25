import { describe, expect, it } from 'vitest';
import { tf, Rng, ShapeError, layerNormForward, layerNormBackward } from '../lib';
import { randF64, toTensor, relError, numericVjp, autodiffVjp, expectNoLeak } from './helpers';
import { layerNormRef } from './ref/attention';

describe('layerNorm', () => {
  const shapes = [[4, 5], [1, 3], [2, 3, 6], [7], [2, 1, 2, 4]];
  for (const shape of shapes)
    it(`matches the float64 reference, autodiff and numeric gradients (x [${shape}])`, () => {
      const rng = new Rng(shape.reduce((a, b) => a * 10 + b, 0));
      const D = shape[shape.length - 1];
      const xF = randF64(shape, rng, 2),
        gF = randF64([D], rng),
        bF = randF64([D], rng),
        doutF = randF64(shape, rng);
      const [x, gamma, beta, dout] = [xF, gF, bF, doutF].map((a) => toTensor(a));
      const { out, cache } = layerNormForward(x, gamma, beta);
      expect(relError(out, layerNormRef(xF, gF, bF))).toBeLessThan(1e-5);
      const { dx, dgamma, dbeta } = layerNormBackward(dout, cache);
      expect(dx.shape).toEqual(shape);
      const auto = autodiffVjp((a, g, b) => layerNormForward(a, g, b).out, [x, gamma, beta], dout);
      const f = () => layerNormRef(xF, gF, bF);
      [dx, dgamma, dbeta].forEach((t, i) => expect(relError(t, auto[i]), `autodiff ${i}`).toBeLessThan(1e-5));
      [xF, gF, bF].forEach((a, i) =>
        expect(relError([dx, dgamma, dbeta][i], numericVjp(f, a, doutF)), `numeric ${i}`).toBeLessThan(1e-4),
      );
      tf.dispose([x, gamma, beta, dout, out, cache, dx, dgamma, dbeta, auto]);
    });

  it('normalises each row to zero mean and unit variance (γ = 1, β = 0) and honours eps', () => {
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [10, 10, 10, 10],
    ]);
    const gamma = tf.ones([4]),
      beta = tf.zeros([4]);
    const { out, cache } = layerNormForward(x, gamma, beta, 1e-5);
    const rows = out.arraySync() as number[][];
    const m = rows[0].reduce((a, b) => a + b) / 4;
    expect(m).toBeCloseTo(0, 6);
    expect(rows[0].reduce((a, b) => a + (b - m) ** 2, 0) / 4).toBeCloseTo(1, 4);
    expect(rows[1]).toEqual([0, 0, 0, 0]); // a constant row stays finite thanks to eps
    tf.dispose([x, gamma, beta, out, cache]);
  });

  it('leaks no tensors and names bad shapes', () => {
    const rng = new Rng(9);
    const x = toTensor(randF64([3, 4], rng)),
      g = tf.ones([4]),
      b = tf.zeros([4]),
      dout = tf.onesLike(x);
    expectNoLeak(() => {
      const f = layerNormForward(x, g, b);
      const grads = layerNormBackward(dout, f.cache);
      tf.dispose(f.cache);
      return { out: f.out, grads };
    }, 'layerNorm forward+backward');
    const g5 = tf.ones([5]);
    expect(() => layerNormForward(x, g5, b)).toThrow(ShapeError);
    expect(() => layerNormForward(x, g5, b)).toThrow(
      "layerNormForward: argument 'gamma' expected shape [D=4] but got [5]",
    );
    expect(() => layerNormForward(x, g, b, 0)).toThrow(/layerNormForward: argument 'eps' expected/);
    tf.dispose([x, g, b, dout, g5]);
  });
});
