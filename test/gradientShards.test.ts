/**
 * Data parallelism (lib/train/gradientShards.ts): a batch split over worker threads gives the
 * gradient of the whole batch — ∇L = Σₛ Gₛ / Σₛ Wₛ — for the listener, up to float summation
 * order; training on two threads follows the one-thread run; a failing shard is named; the
 * combination is checked on hand-made shards.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../lib';
import { initSpeechRecognizer } from '../lib/models/listener/recognizer';
import { recognizerLossAndGrads, trainSpeechRecognizer } from '../lib/models/listener/training';
import { GradientShards, combineShards, splitIntoShards } from '../lib/train/gradientShards';
import { NonFiniteError } from '../lib/train/guard';
import { relError, toyCtcUtterances } from './helpers';

const config = { featureDim: 3, vocabSize: 4, convChannels: 5, convKernel: 3, subsample: 2, hidden: 6, lstmLayers: 2 };

describe('gradient shards', () => {
  it('splits a batch into contiguous shards of near-equal size, none empty', () => {
    expect(splitIntoShards([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(splitIntoShards([1, 2], 3)).toEqual([[1], [2]]);
    expect(() => splitIntoShards([], 2)).toThrow("splitIntoShards: argument 'items' expected a non-empty array");
  });

  it('combines hand-made shards: L = Σ lossSum / Σ W, ∇L = Σ G / Σ W; no weight at all is named', () => {
    const shard = (lossSum: number, weight: number, g: number[]) => ({
      lossSum,
      weight,
      grads: { w: tf.tensor1d(g) },
    });
    const { loss, weight, grads } = combineShards('test', [shard(3, 2, [2, 4]), shard(1, 2, [2, 0])]);
    expect([loss, weight]).toEqual([1, 4]);
    expect(Array.from(grads.w.dataSync())).toEqual([1, 1]);
    grads.w.dispose();
    const before = tf.memory().numTensors;
    expect(() => combineShards('test', [shard(0, 0, [1]), shard(0, 0, [1])])).toThrow(NonFiniteError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the listener: two threads give the one-thread loss and gradients; a failing shard is named', () => {
    const params = initSpeechRecognizer(config, 5);
    const batch = toyCtcUtterances(7, 4);
    const one = recognizerLossAndGrads(params, config, batch);
    const shards = new GradientShards('listener.shardGradients', { config }, 2);
    try {
      const before = tf.memory().numTensors;
      const two = recognizerLossAndGrads(params, config, batch, shards);
      expect(tf.memory().numTensors - before).toBe(Object.keys(two.grads).length);
      expect(two.loss).toBeCloseTo(one.loss, 5);
      expect(two.skipped).toBe(one.skipped);
      for (const name of Object.keys(params))
        expect(relError(two.grads[name], one.grads[name]), name).toBeLessThan(1e-5);
      tf.dispose(Object.values(two.grads));
      const broken = [...batch.slice(0, 3), { ...batch[3], frames: batch[3].frames + 1 }, ...batch.slice(4)];
      expect(() => recognizerLossAndGrads(params, config, broken, shards)).toThrow(
        /listener\.shardGradients: shard 1 failed in a worker thread: .*speechBatch: utterance 0 expected features/,
      );
      expect(tf.memory().numTensors).toBe(before);
      const notShards = { step: () => null } as unknown as GradientShards;
      expect(() => recognizerLossAndGrads(params, config, batch, notShards)).toThrow(
        'recognizerLossAndGrads: shards must be a GradientShards or undefined, got object',
      );
    } finally {
      shards.close();
      tf.dispose([Object.values(one.grads), Object.values(params)]);
    }
  });

  it('training on two threads follows the one-thread run', () => {
    const data = toyCtcUtterances(24, 9);
    const run = (threads: number) => {
      const params = initSpeechRecognizer(config, 2);
      const { losses } = trainSpeechRecognizer(params, config, data, {
        steps: 4,
        batchSize: 8,
        lr: 0.01,
        seed: 1,
        progress: false,
        threads,
      });
      return { losses, params };
    };
    const a = run(1);
    const b = run(2);
    b.losses.forEach((l, i) => expect(l).toBeCloseTo(a.losses[i], 4));
    for (const name of Object.keys(a.params)) expect(relError(b.params[name], a.params[name]), name).toBeLessThan(1e-4);
    tf.dispose([Object.values(a.params), Object.values(b.params)]);
  });
});
