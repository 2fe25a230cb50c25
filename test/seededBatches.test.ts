import { describe, expect, it } from 'vitest';
import { tf, trainInSeededBatches, trainLoop, seededEpochBatches, NonFiniteError, adam, type StepResult } from '../lib';

/** A one-parameter problem: w ← w − lr·sign-ish steps on L = mean((w − target[idx])²). */
function setup() {
  const w = tf.variable(tf.zeros([1]), true, 'seededBatches_w');
  const target = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const batch = (idx: tf.Tensor1D) => {
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(tf.sub(w, tf.gather(target, idx)))) as tf.Scalar,
      [w],
    );
    const loss = value.dataSync()[0];
    value.dispose();
    return { loss, grads };
  };
  return { w, target, batch };
}

describe('trainInSeededBatches', () => {
  it('visits every example once per epoch in a seeded order, trains, and leaves no tensors behind', () => {
    const { w, target, batch } = setup();
    const orders: number[][] = [];
    const before = tf.memory().numTensors;
    const h = trainInSeededBatches('test', { N: 10, epochs: 3, batchSize: 4, lr: 0.5, seed: 3 }, (idx) => {
      orders.push(Array.from(idx.dataSync()));
      return batch(idx);
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(orders.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
    expect(
      orders
        .slice(0, 3)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(h.stepLosses).toHaveLength(9);
    expect(h.epochLosses[2]).toBeLessThan(h.epochLosses[0]);
    const again: number[][] = [];
    w.assign(tf.zeros([1]));
    const h2 = trainInSeededBatches('test', { N: 10, epochs: 3, batchSize: 4, lr: 0.5, seed: 3 }, (idx) => {
      again.push(Array.from(idx.dataSync()));
      return batch(idx);
    });
    expect(again).toEqual(orders);
    expect(h2.stepLosses).toEqual(h.stepLosses);
    tf.dispose([w, target]);
  });
  it('stops at a non-finite loss or gradient, naming the step, without touching the weights', () => {
    const { w, target, batch } = setup();
    w.assign(tf.tensor1d([0.25]));
    const poisoned = (step: number) => (idx: tf.Tensor1D) => {
      const r = batch(idx);
      if (step !== 0) return r;
      tf.dispose(Object.values(r.grads));
      return { ...r, grads: { [w.name]: tf.tensor1d([NaN]) } };
    };
    const before = tf.memory().numTensors;
    expect(() =>
      trainInSeededBatches('test', { N: 10, epochs: 1, batchSize: 5, lr: 0.5, seed: 0 }, poisoned(0)),
    ).toThrow(NonFiniteError);
    expect(w.dataSync()[0]).toBe(0.25);
    expect(tf.memory().numTensors).toBe(before);
    expect(() =>
      trainInSeededBatches('test', { N: 10, epochs: 1, batchSize: 5, lr: 0.5, seed: 0 }, (idx) => ({
        ...batch(idx),
        loss: NaN,
      })),
    ).toThrow('step 1: loss is NaN');
    expect(w.dataSync()[0]).toBe(0.25);
    expect(() =>
      trainInSeededBatches('trainSoftmaxHeads', { N: 6, epochs: 0, batchSize: 2, lr: 0.1, seed: 0 }, batch),
    ).toThrow(/^trainSoftmaxHeads: argument 'epochs'/);
    tf.dispose([w, target]);
  });
});

describe('trainLoop', () => {
  /** L = ½‖w − target‖², ∂L/∂w = w − target. */
  const quadratic = (w: tf.Variable, target: number[]) => () =>
    tf.tidy(() => {
      const diff = tf.sub(w, tf.tensor1d(target));
      return { loss: 0.5 * tf.sum(tf.square(diff)).dataSync()[0], grads: { w: diff } };
    });
  it('is Adam with a schedule and global-norm clipping, step by step, and frees the gradients', () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const ref = tf.variable(tf.tensor1d([0, 0]));
    const refOpt = adam({ lr: 0.1 });
    const schedule = (step: number) => 0.1 / step;
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const h = trainLoop(
      'test',
      { w },
      { steps: 5, lr: schedule, clipNorm: 1, progress: false, onStep: (s) => steps.push(s) },
      quadratic(w, [30, 40]),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    for (let s = 1; s <= 5; s++) {
      const g = tf.tidy(() => {
        const diff = tf.sub(ref, tf.tensor1d([30, 40]));
        return tf.mul(diff, Math.min(1, 1 / tf.norm(diff).dataSync()[0]));
      });
      refOpt.step({ w: ref }, { w: g }, schedule(s));
      g.dispose();
    }
    expect(Array.from(w.dataSync())).toEqual(Array.from(ref.dataSync()));
    expect(h.losses[0]).toBe(0.5 * (30 ** 2 + 40 ** 2));
    refOpt.dispose();
    tf.dispose([w, ref]);
  });
  it('stops before the update at a non-finite loss or gradient, with or without clipping', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const poison = (step: number) => (s: number) => ({
      loss: 1,
      grads: { w: s === step ? tf.tensor1d([NaN, 0]) : tf.ones([2]) },
    });
    expect(() => trainLoop('test', { w }, { steps: 3, lr: 0.1, progress: false }, poison(1))).toThrow(
      "step 1: tensor 'w' [2] has 1 non-finite value",
    );
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    expect(() => trainLoop('test', { w }, { steps: 3, lr: 0.1, clipNorm: 1, progress: false }, poison(2))).toThrow(
      "step 2: tensor 'w' [2] has 1 non-finite value",
    );
    expect(() =>
      trainLoop('test', { w }, { steps: 3, lr: 0.1, progress: false }, () => ({
        loss: Infinity,
        grads: { w: tf.ones([2]) },
      })),
    ).toThrow('step 1: loss is Infinity');
    expect(() => trainLoop('trainX', { w }, { steps: 0, lr: 0.1 }, poison(0))).toThrow(/^trainX: argument 'steps'/);
    w.dispose();
  });
  it('stops at a loss that is not a number, a step without gradients, and an overflowing gradient', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const before = tf.memory().numTensors;
    const run = (step: () => unknown, clipNorm?: number) => () =>
      trainLoop('test', { w }, { steps: 2, lr: 0.1, clipNorm, progress: false }, step as () => StepResult);
    expect(run(() => ({ loss: undefined, grads: { w: tf.ones([2]) } }))).toThrow(
      'step 1: the step returned loss undefined, not a number',
    );
    expect(run(() => ({ loss: 1, grads: {} }))).toThrow('test: step 1 returned no gradients');
    // finite, but Σg² overflows float32: Adam's v would be +∞ and the weights would silently stop moving
    for (const clipNorm of [undefined, 1])
      expect(run(() => ({ loss: 1, grads: { w: tf.tensor1d([3e38, 0]) } }), clipNorm)).toThrow(
        'step 1: gradient norm is Infinity (every gradient is finite: Σg² overflowed float32)',
      );
    expect(tf.memory().numTensors).toBe(before); // the failing steps' gradients were freed
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    w.dispose();
  });
  it('stops, naming the parameter, when an update leaves a weight non-finite', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const ones = () => ({ loss: 1, grads: { w: tf.ones([2]) } });
    expect(() => trainLoop('test', { w }, { steps: 3, lr: () => 1e40, progress: false }, ones)).toThrow(
      "step 1: after the update, parameter 'w' [2] has 2 non-finite values",
    );
    const v = tf.variable(tf.tensor1d([1, 2]));
    const zero = () => ({ loss: 1, grads: { v: tf.zeros([2]) } });
    expect(() => trainLoop('test', { v }, { steps: 3, lr: 0.1, adam: { eps: 0 }, progress: false }, zero)).toThrow(
      "step 1: after the update, parameter 'v' [2] has 2 non-finite values", // m̂/√v̂ = 0/0
    );
    tf.dispose([w, v]);
  });
});

describe('seededEpochBatches', () => {
  it('covers every example once per epoch, reproducibly, and marks epoch ends', () => {
    const plan = seededEpochBatches('test', { N: 7, batchSize: 3, epochs: 2, seed: 5 });
    expect([plan.stepsPerEpoch, plan.steps]).toEqual([3, 6]);
    const batches = Array.from({ length: 6 }, (_, i) => plan.indices(i + 1));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1, 3, 3, 1]);
    expect(batches.slice(3).flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(batches.slice(0, 3).flat()).not.toEqual(batches.slice(3).flat());
    expect([1, 2, 3, 4, 5, 6].map((s) => plan.endsEpoch(s))).toEqual([false, false, true, false, false, true]);
    const again = seededEpochBatches('test', { N: 7, batchSize: 3, epochs: 2, seed: 5 });
    expect(Array.from({ length: 6 }, (_, i) => again.indices(i + 1))).toEqual(batches);
    expect(() => seededEpochBatches('test', { N: 7, batchSize: 3, epochs: 2, seed: 5 }).indices(5)).toThrow(
      /asked out of order/,
    );
  });
});
