import { describe, expect, it } from 'vitest';
import { tf, trainInSeededBatches, NonFiniteError } from '../lib';

describe('trainInSeededBatches', () => {
  it('visits every example once per epoch in a seeded order, records losses, and leaves no tensors', () => {
    const seen: number[][] = [];
    const before = tf.memory().numTensors;
    const run = (seed: number): number[][] => {
      const order: number[][] = [];
      const h = trainInSeededBatches({ N: 10, epochs: 2, batchSize: 4, seed }, (idx, step) => {
        order.push(Array.from(idx.dataSync()));
        return step + 0.5;
      });
      expect(h.stepLosses).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
      expect(h.epochLosses).toEqual([1.5, 4.5]);
      return order;
    };
    seen.push(...run(3));
    expect(tf.memory().numTensors).toBe(before);
    expect(seen.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2]);
    expect(seen.slice(0, 3).flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(run(3)).toEqual(seen);
    expect(run(4)).not.toEqual(seen);
  });
  it('stops at a non-finite loss naming the step, and validates its options', () => {
    const call = () => trainInSeededBatches({ N: 6, epochs: 1, batchSize: 2, seed: 0 }, (_, step) => (step === 1 ? NaN : 1));
    expect(call).toThrow(NonFiniteError);
    expect(call).toThrow('step 1: loss is NaN');
    expect(() => trainInSeededBatches({ N: 6, epochs: 0, batchSize: 2, seed: 0 }, () => 1)).toThrow(/trainInSeededBatches: argument 'epochs'/);
  });
});
