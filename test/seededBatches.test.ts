import { describe, expect, it } from 'vitest';
import { tf, trainInSeededBatches, NonFiniteError } from '../lib';

/** A one-parameter problem: w ← w − lr·sign-ish steps on L = mean((w − target[idx])²). */
function setup() {
  const w = tf.variable(tf.zeros([1]), true, 'seededBatches_w');
  const target = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const batch = (idx: tf.Tensor1D) => {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(w, tf.gather(target, idx)))) as tf.Scalar, [w]);
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
    expect(orders.slice(0, 3).flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
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
    expect(() => trainInSeededBatches('test', { N: 10, epochs: 1, batchSize: 5, lr: 0.5, seed: 0 }, poisoned(0))).toThrow(NonFiniteError);
    expect(w.dataSync()[0]).toBe(0.25);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => trainInSeededBatches('test', { N: 10, epochs: 1, batchSize: 5, lr: 0.5, seed: 0 }, (idx) => ({ ...batch(idx), loss: NaN }))).toThrow('step 0: loss is NaN');
    expect(w.dataSync()[0]).toBe(0.25);
    expect(() => trainInSeededBatches('trainSoftmaxHeads', { N: 6, epochs: 0, batchSize: 2, lr: 0.1, seed: 0 }, batch)).toThrow(/^trainSoftmaxHeads: argument 'epochs'/);
    tf.dispose([w, target]);
  });
});
