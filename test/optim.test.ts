import { describe, expect, it } from 'vitest';
import {
  tf,
  sgd,
  sgdMomentum,
  adam,
  clipGlobalNorm,
  stepDecay,
  exponentialDecay,
  transformerWarmup,
  assertFinite,
  assertFiniteStep,
  NonFiniteError,
  ShapeError,
} from '../lib';

const vals = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('optimizers: one hand-computed step', () => {
  it('sgd: θ − η g', () => {
    const p = { w: tf.variable(tf.tensor1d([1, 2])) };
    sgd({ lr: 0.1 }).step(p, { w: tf.tensor1d([0.5, -1]) });
    expect(vals(p.w)[0]).toBeCloseTo(0.95, 6);
    expect(vals(p.w)[1]).toBeCloseTo(2.1, 6);
  });
  it('sgdMomentum: v = μv − ηg, θ += v (two steps)', () => {
    const p = { w: tf.variable(tf.tensor1d([1])) };
    const opt = sgdMomentum({ lr: 0.1, momentum: 0.9 });
    opt.step(p, { w: tf.tensor1d([1]) }); // v = −0.1, θ = 0.9
    opt.step(p, { w: tf.tensor1d([1]) }); // v = −0.09 − 0.1 = −0.19, θ = 0.71
    expect(vals(p.w)[0]).toBeCloseTo(0.71, 6);
    expect(vals(opt.velocity.w)[0]).toBeCloseTo(-0.19, 6);
  });
  it('adam: first step moves each parameter by lr·sign(g) (bias correction)', () => {
    const p = { w: tf.variable(tf.tensor1d([1, 1, 1])) };
    adam({ lr: 0.01 }).step(p, { w: tf.tensor1d([3, -0.2, 1e-3]) });
    const w = vals(p.w);
    expect(w[0]).toBeCloseTo(0.99, 5);
    expect(w[1]).toBeCloseTo(1.01, 5);
    expect(w[2]).toBeCloseTo(0.99, 4);
  });
  it('adam: second step matches the formulas', () => {
    const p = { w: tf.variable(tf.tensor1d([0])) };
    const opt = adam({ lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0 });
    opt.step(p, { w: tf.tensor1d([1]) });
    opt.step(p, { w: tf.tensor1d([2]) });
    const m = 0.9 * 0.1 + 0.1 * 2,
      v = 0.999 * 0.001 + 0.001 * 4;
    const mHat = m / (1 - 0.81),
      vHat = v / (1 - 0.999 ** 2);
    expect(vals(p.w)[0]).toBeCloseTo(-0.1 - (0.1 * mHat) / Math.sqrt(vHat), 5);
  });
  it('a learning rate passed to step overrides the base rate for that step only', () => {
    const p = { w: tf.variable(tf.tensor1d([1])) };
    const opt = sgd({ lr: 0.1 });
    opt.step(p, { w: tf.tensor1d([1]) }, 0.5); // 1 − 0.5
    opt.step(p, { w: tf.tensor1d([1]) }); // 0.5 − 0.1
    expect(vals(p.w)[0]).toBeCloseTo(0.4, 6);
    expect(opt.t).toBe(2);
  });
  it(
    'every optimizer rejects a gradient that names no parameter or has the wrong shape, ' + 'and bad hyper-parameters',
    () => {
      const p = { w: tf.variable(tf.zeros([2, 3])) };
      for (const [name, opt] of [
        ['sgd', sgd({ lr: 1 })],
        ['sgdMomentum', sgdMomentum({ lr: 1 })],
        ['adam', adam({ lr: 1 })],
      ] as const) {
        expect(() => opt.step(p, { u: tf.zeros([2, 3]) })).toThrow(
          `${name}.step: grads.u has no parameter 'u' (a tf.Variable) in 'params'`,
        );
        expect(() => opt.step(p, { w: tf.zeros([3, 2]) })).toThrow(
          `${name}.step: argument 'grads.w' expected shape [2, 3] but got [3, 2]`,
        );
        expect(() => opt.step(p, { w: tf.zeros([2, 3]) }, -1)).toThrow(
          `${name}.step: argument 'lr' expected a finite number >= 0 but got number -1`,
        );
        expect(opt.t).toBe(0);
        opt.dispose();
      }
      expect(() => sgd({ lr: NaN })).toThrow("sgd: argument 'lr' expected a finite number >= 0 but got number NaN");
      expect(() => sgdMomentum({ lr: 0.1, momentum: 1.5 })).toThrow(
        "sgdMomentum: argument 'momentum' expected a finite number >= 0 <= 1 but got number 1.5",
      );
      expect(() => adam({ lr: 0.1, beta1: 1 })).toThrow("adam: arguments 'beta1' and 'beta2' must be < 1");
      expect(() => adam({ lr: 0.1, eps: -1 })).toThrow(ShapeError);
    },
  );
});

describe('optimizers: convergence and memory', () => {
  for (const [name, make] of [
    ['sgd', () => sgd({ lr: 0.1 })],
    ['sgdMomentum', () => sgdMomentum({ lr: 0.05, momentum: 0.9 })],
    ['adam', () => adam({ lr: 0.1 })],
  ] as const) {
    it(`${name} minimises a quadratic with flat tf.memory().numTensors over 100 steps`, () => {
      const target = tf.tensor1d([3, -2, 0.5]);
      const p = { w: tf.variable(tf.zeros([3])) };
      const opt = make();
      const step = (): void => {
        const g = tf.tidy(() => tf.mul(2, tf.sub(p.w, target))); // ∇ ‖w − target‖²
        opt.step(p, { w: g });
        g.dispose();
      };
      const before = tf.memory().numTensors;
      step();
      const afterFirst = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) step();
      expect(tf.memory().numTensors).toBe(afterFirst);
      const err = tf.tidy(() => tf.norm(tf.sub(p.w, target)).dataSync()[0]);
      expect(err).toBeLessThan(0.05);
      opt.dispose();
      expect(tf.memory().numTensors, 'optimizer state freed by dispose()').toBe(before);
      tf.dispose([target, p.w]);
    });
  }
});

describe('clipGlobalNorm', () => {
  it('scales all gradients by maxNorm/‖g‖ when above, and leaves small ones alone', () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // ‖g‖ = 5
    const { grads, norm } = clipGlobalNorm(g, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(vals(grads.a)[0]).toBeCloseTo(0.6, 5);
    expect(vals(grads.b)[1]).toBeCloseTo(0.8, 5);
    const small = clipGlobalNorm(g, 10);
    expect(vals(small.grads.a)).toEqual([3, 0]);
    expect(() => clipGlobalNorm(g, 0)).toThrow(/clipGlobalNorm: argument 'maxNorm'/);
    expect(() => clipGlobalNorm({}, 1)).toThrow("clipGlobalNorm: argument 'grads' expected at least one gradient");
    expect(() => clipGlobalNorm({ a: tf.zeros([2], 'int32') }, 1)).toThrow(
      "clipGlobalNorm: argument 'grads.a' expected dtype float32 but got int32",
    );
  });
  it('returns new tensors, leaves the inputs intact and leaks nothing', () => {
    const g = {
      a: tf.tensor2d([
        [30, 0],
        [0, 40],
      ]),
    };
    const before = tf.memory().numTensors;
    const { grads, norm } = clipGlobalNorm(g, 5);
    expect(norm).toBeCloseTo(50, 4);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(vals(g.a)).toEqual([30, 0, 0, 40]);
    expect(vals(grads.a)[3]).toBeCloseTo(4, 5);
    grads.a.dispose();
    g.a.dispose();
  });
});

describe('schedules', () => {
  it('step decay, exponential decay and the Transformer warm-up at chosen steps', () => {
    const s = stepDecay({ lr0: 1, dropEvery: 10, factor: 0.5 });
    expect([s(0), s(9), s(10), s(25)]).toEqual([1, 1, 0.5, 0.25]);
    const e = exponentialDecay({ lr0: 2, decayRate: 0.1, decaySteps: 100 });
    expect(e(100)).toBeCloseTo(0.2, 10);
    expect(e(50)).toBeCloseTo(2 * Math.sqrt(0.1), 10);
    const w = transformerWarmup({ dModel: 512, warmup: 4000 });
    expect(w(1)).toBeCloseTo(512 ** -0.5 * 4000 ** -1.5, 12);
    expect(w(4000)).toBeCloseTo(512 ** -0.5 * 4000 ** -0.5, 12); // the peak
    expect(w(16000)).toBeCloseTo(512 ** -0.5 / 126.49110640673517, 12);
    expect(w(4000)).toBeGreaterThan(w(3999));
    expect(w(4000)).toBeGreaterThan(w(4001));
    expect(() => w(0)).toThrow(
      "transformerWarmup schedule: argument 'step' expected a finite number >= 1 but got number 0",
    );
    expect(() => s(-1)).toThrow(/stepDecay schedule: argument 'step'/);
    expect(() => e(NaN)).toThrow(/exponentialDecay schedule: argument 'step'/);
    expect(() => stepDecay({ lr0: 1, dropEvery: 0.5, factor: 0.5 })).toThrow(
      "stepDecay: argument 'dropEvery' expected an integer >= 1 but got number 0.5",
    );
    expect(() => exponentialDecay({ lr0: 1, decayRate: 0.5, decaySteps: 0 })).toThrow(
      /exponentialDecay: argument 'decaySteps'/,
    );
    expect(() => transformerWarmup({ dModel: 0, warmup: 10 })).toThrow(/transformerWarmup: argument 'dModel'/);
  });
});

describe('assertFinite', () => {
  it('names the step and the tensor', () => {
    expect(() => assertFinite(12, { loss: NaN })).toThrow('step 12: loss is NaN');
    const bad = tf.tensor1d([1, Infinity, NaN]);
    expect(() => assertFinite(3, { dWx: tf.ones([2]), dWh: bad })).toThrow(
      "step 3: tensor 'dWh' [3] has 2 non-finite values",
    );
    expect(() => assertFinite(3, { dWh: bad })).toThrow(NonFiniteError);
    expect(() => assertFinite(7, { loss: -Infinity })).toThrow('step 7: loss is -Infinity');
    expect(() => assertFinite(1, { loss: 0.5, w: tf.ones([4]), idx: tf.tensor1d([1, 2], 'int32') })).not.toThrow();
    expect(() => assertFinite(NaN, { loss: 1 })).toThrow(ShapeError);
  });
  it('leaves no tensors', () => {
    const ts = { a: tf.ones([3]), b: tf.zeros([2, 2]) };
    const before = tf.memory().numTensors;
    assertFinite(1, ts);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(ts);
  });
});

describe('assertFiniteStep', () => {
  it('passes a healthy step without looking at the tensors, and names the culprit otherwise', () => {
    const ok = { w: tf.ones([2]) };
    expect(() => assertFiniteStep(4, 0.5, 1.4, ok)).not.toThrow();
    expect(() => assertFiniteStep(4, NaN, 1.4, ok)).toThrow('step 4: loss is NaN');
    expect(() => assertFiniteStep(4, 0.5, NaN, { w: tf.tensor1d([1, NaN]) })).toThrow(
      "step 4: tensor 'w' [2] has 1 non-finite value",
    );
    expect(() => assertFiniteStep(4, 0.5, Infinity, ok)).toThrow(/step 4: gradient norm is Infinity/);
  });
});

describe('optimizer argument checks', () => {
  it(
    'clipGlobalNorm rejects a missing gradient map; ' +
      'an optimizer reused on a same-named parameter of another shape says so',
    () => {
      expect(() => clipGlobalNorm(null as never, 1)).toThrow(
        "clipGlobalNorm: argument 'grads' expected Record<string, tf.Tensor> but got null",
      );
      const opt = adam({ lr: 0.1 });
      opt.step({ w: tf.variable(tf.zeros([2])) }, { w: tf.ones([2]) });
      expect(() => opt.step({ w: tf.variable(tf.zeros([3])) }, { w: tf.ones([3]) })).toThrow(
        "adam.step: argument 'grads.w' expected shape [2] but got [3]",
      );
      opt.dispose();
    },
  );
});
