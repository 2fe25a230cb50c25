import { describe, expect, it } from 'vitest';
import {
  tf,
  relError,
  numericGradient,
  checkLayer,
  affineForward,
  affineBackward,
  Rng,
  randn,
  ShapeError,
  GradientCheckError,
  worstError,
} from '../lib';

describe('relError', () => {
  it('is the normwise relative error', () => {
    expect(relError([1, 0], [1, 0])).toBe(0);
    expect(relError([0, 0], [0, 0])).toBe(0);
    expect(relError([3, 4], [0, 0])).toBe(1);
    expect(relError([1, 1], [1, 1.1])).toBeCloseTo(0.1 / (Math.SQRT2 + Math.sqrt(2.21)), 10);
    expect(relError(tf.tensor1d([1, -1]), [-1, 1])).toBe(1);
    expect(() => relError([1], [1, 2])).toThrow(/relError: arguments 'a' and 'b' expected the same size/);
  });
});

describe('numericGradient', () => {
  it('of f(x) = x² is 2x·dout, in float32 on the active backend', () => {
    const x = tf.tensor2d([
      [0.5, -1, 2],
      [0.25, 3, -0.5],
    ]);
    const dout = tf.tensor2d([
      [1, 2, -1],
      [0.5, -2, 4],
    ]);
    const g = numericGradient((v) => tf.square(v), x, dout);
    expect(g.dtype).toBe('float32');
    expect(g.shape).toEqual([2, 3]);
    expect(relError(g, [1, -4, -4, 0.25, -12, -4])).toBeLessThan(1e-4);
  });
  it('of a non-elementwise f (row sums) spreads dout over each row', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const g = numericGradient((v) => tf.sum(v, 1), x, tf.tensor1d([2, -3]));
    expect(relError(g, [2, 2, -3, -3])).toBeLessThan(1e-4);
  });
  it('names bad arguments and leaks nothing', () => {
    expect(() => numericGradient((v) => v, tf.zeros([2], 'int32'), tf.zeros([2]))).toThrow(
      "numericGradient: argument 'x' expected dtype float32 but got int32",
    );
    expect(() => numericGradient((v) => v, tf.zeros([2]), tf.zeros([3]))).toThrow(
      "numericGradient: argument 'dout' expected shape [2] but got [3]",
    );
    expect(() => numericGradient((v) => v, tf.zeros([2]), tf.zeros([2]), 0)).toThrow(
      /numericGradient: argument 'step' expected a finite number > 0/,
    );
    const x = tf.ones([3]),
      dout = tf.ones([3]);
    const before = tf.memory().numTensors;
    const g = numericGradient((v) => tf.exp(v), x, dout);
    expect(tf.memory().numTensors).toBe(before + 1);
    g.dispose();
  });
});

describe('checkLayer', () => {
  const setup = () => {
    const rng = new Rng(1);
    return { x: randn([3, 4], rng), w: randn([4, 5], rng), b: randn([5], rng) };
  };
  const forward = (p: Record<string, tf.Tensor>) => affineForward(p.x, p.w, p.b);
  it(
    'reports small errors for a correct backward, ' +
      'prints one line per gradient and a verdict, and leaves no tensors',
    () => {
      const inputs = setup();
      const lines: string[] = [];
      const log = console.log;
      console.log = (...a: unknown[]) => lines.push(a.join(' '));
      const before = tf.memory().numTensors;
      let errors;
      try {
        errors = checkLayer({ name: 'affine', inputs, forward, backward: affineBackward });
      } finally {
        console.log = log;
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(Object.keys(errors).sort()).toEqual(['b', 'w', 'x']);
      for (const e of Object.values(errors)) {
        expect(e.numeric).toBeLessThan(1e-3); // float32 centred differences, h = 1e-3
        expect(e.autodiff).toBeLessThan(1e-6);
      }
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(/^affine dx relative error: numeric \d\.\de-\d+, autodiff \d\.\de[-+]\d+$/);
      expect(lines[3]).toBe('affine: all 3 gradients within tolerance (numeric ≤ 1.0e-2, autodiff ≤ 1.0e-5)');
      expect(worstError(errors, 'numeric')).toBe(Math.max(...Object.values(errors).map((e) => e.numeric)));
      tf.dispose(Object.values(inputs));
    },
  );
  it('throws for a wrong backward, naming the gradient and the measured errors, after printing them', () => {
    const inputs = setup();
    const wrong = (dout: tf.Tensor, cache: Parameters<typeof affineBackward>[1]) => {
      const g = affineBackward(dout, cache);
      return { ...g, dw: tf.mul(g.dw, 2) };
    };
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => lines.push(a.join(' '));
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      checkLayer({ name: 'affine', inputs, forward, backward: wrong });
    } catch (e) {
      error = e;
    } finally {
      console.log = log;
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(error).toBeInstanceOf(GradientCheckError);
    const err = error as GradientCheckError;
    expect(err.message).toMatch(
      new RegExp(
        /^checkLayer: affine: dw relative error against numeric \d\.\de-\d+ exceeds 1\.0e-2; /.source +
          /dw relative error against autodiff \d\.\de-\d+ exceeds 1\.0e-5$/.source,
      ),
    );
    expect(err.errors.w.numeric).toBeGreaterThan(0.1);
    expect(err.errors.w.autodiff).toBeGreaterThan(0.1);
    expect(err.errors.x.autodiff).toBeLessThan(1e-6);
    expect(lines.at(-1)).toMatch(/^affine: FAILED — dw relative error against numeric/);
    tf.dispose(Object.values(inputs));
  });
  it('throws when a correct gradient is outside a tighter tolerance', () => {
    const inputs = setup();
    const ok = checkLayer({ name: 'affine', inputs, forward, backward: affineBackward, print: false });
    const tight = worstError(ok, 'numeric') / 2;
    expect(() =>
      checkLayer({
        name: 'affine',
        inputs,
        forward,
        backward: affineBackward,
        print: false,
        tolerance: { numeric: tight },
      }),
    ).toThrow(/^checkLayer: affine: d[xwb] relative error against numeric \d\.\de-\d+ exceeds/);
    tf.dispose(Object.values(inputs));
  });
  it('throws when the backward omits a gradient, unless the input is declared to have none', () => {
    const inputs = setup();
    const noDb = (dout: tf.Tensor, cache: Parameters<typeof affineBackward>[1]) => {
      const { dx, dw } = affineBackward(dout, cache);
      return { dx, dw };
    };
    const before = tf.memory().numTensors;
    expect(() => checkLayer({ name: 'affine', inputs, forward, backward: noDb, print: false })).toThrow(
      'checkLayer: affine: db is missing (backward returned dx, dw)',
    );
    expect(tf.memory().numTensors).toBe(before);
    const errors = checkLayer({ name: 'affine', inputs, forward, backward: noDb, noGradient: ['b'], print: false });
    expect(Object.keys(errors).sort()).toEqual(['w', 'x']);
    expect(() =>
      checkLayer({ name: 'affine', inputs, forward, backward: noDb, noGradient: ['B'], print: false }),
    ).toThrow(/checkLayer: argument 'noGradient' names 'B', which is not an input/);
    tf.dispose(Object.values(inputs));
  });
  it('can skip autodiff (for ops tfjs cannot differentiate)', () => {
    const inputs = setup();
    const errors = checkLayer({
      name: 'affine',
      inputs,
      forward,
      backward: affineBackward,
      autodiff: false,
      print: false,
    });
    expect(errors.x.autodiff).toBeNull();
    expect(errors.x.numeric).toBeLessThan(1e-3);
    tf.dispose(Object.values(inputs));
  });
  it('refuses a backward whose gradient names match no input, and names bad arguments', () => {
    const inputs = setup();
    const misnamed = (dout: tf.Tensor, cache: Parameters<typeof affineBackward>[1]) => {
      const { dx, dw, db } = affineBackward(dout, cache);
      return { dX: dx, dW: dw, dB: db };
    };
    expect(() => checkLayer({ name: 'affine', inputs, forward, backward: misnamed, print: false })).toThrow(
      'checkLayer: affine: dx is missing (backward returned dX, dW, dB); ' +
        'dw is missing (backward returned dX, dW, dB); db is missing (backward returned dX, dW, dB)',
    );
    const wrongShape = (dout: tf.Tensor, cache: Parameters<typeof affineBackward>[1]) => ({
      ...affineBackward(dout, cache),
      db: tf.zeros([4]),
    });
    expect(() => checkLayer({ name: 'affine', inputs, forward, backward: wrongShape, print: false })).toThrow(
      "checkLayer: argument 'backward(...).db' expected shape [5] but got [4]",
    );
    expect(() => checkLayer({ name: 'affine', inputs, forward, backward: undefined as never })).toThrow(ShapeError);
    expect(() => checkLayer({ name: 'affine', inputs, forward, backward: affineBackward, step: 0 })).toThrow(
      /checkLayer: argument 'step' expected a finite number > 0/,
    );
    expect(() =>
      checkLayer({ name: 'affine', inputs, forward, backward: affineBackward, tolerance: { autodiff: -1 } }),
    ).toThrow(/checkLayer: argument 'tolerance.autodiff'/);
    tf.dispose(Object.values(inputs));
  });
});
