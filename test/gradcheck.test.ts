import { describe, expect, it } from 'vitest';
import { tf, relError, numericGradient, checkLayer, affineForward, affineBackward, Rng, randn } from '../lib';

describe('relError', () => {
  it('is the normwise relative error', () => {
    expect(relError([1, 0], [1, 0])).toBe(0);
    expect(relError([3, 4], [0, 0])).toBe(1);
    expect(relError([1, 1], [1, 1.1])).toBeCloseTo(0.1 / (Math.SQRT2 + Math.sqrt(2.21)), 10);
    expect(() => relError([1], [1, 2])).toThrow(/relError: arguments 'a' and 'b' expected the same size/);
  });
});

describe('numericGradient', () => {
  it('of f(x) = x² is 2x·dout', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const dout = tf.tensor1d([1, 2, -1]);
    const g = numericGradient((v) => tf.square(v), x, dout, 1e-2);
    expect(relError(g, [1, -4, -4])).toBeLessThan(1e-4);
  });
});

describe('checkLayer', () => {
  const rng = new Rng(1);
  const inputs = { x: randn([3, 4], rng), w: randn([4, 5], rng), b: randn([5], rng) };
  const forward = (p: Record<string, tf.Tensor>) => affineForward(p.x, p.w, p.b);
  it('reports small errors for a correct backward and leaves no tensors', () => {
    const before = tf.memory().numTensors;
    const errors = checkLayer({ name: 'affine', inputs, forward, backward: affineBackward, print: false });
    expect(Object.keys(errors).sort()).toEqual(['b', 'w', 'x']);
    for (const e of Object.values(errors)) {
      expect(e.numeric).toBeLessThan(1e-2);
      expect(e.autodiff).toBeLessThan(1e-5);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
  it('reports large errors for a wrong backward', () => {
    const wrong = (dout: tf.Tensor, cache: { x: tf.Tensor; w: tf.Tensor }) => {
      const g = affineBackward(dout, cache);
      return { ...g, dw: tf.mul(g.dw, 2) };
    };
    const errors = checkLayer({ name: 'affine', inputs, forward, backward: wrong, print: false });
    expect(errors.w.numeric).toBeGreaterThan(0.1);
    expect(errors.w.autodiff).toBeGreaterThan(0.1);
    expect(errors.x.autodiff).toBeLessThan(1e-5);
  });
});
